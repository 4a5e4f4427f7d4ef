from typing import Any

from django import forms
from django.contrib.auth.forms import UserCreationForm

from accounts.models import User
from accounts.names import NameField


class SignupForm(UserCreationForm):
    first_name = NameField(
        label="Your name",
        max_length=150,
        help_text="How Diadi and your conversation partner will address you.",
    )
    email = forms.EmailField(
        label="Email", help_text="Only used to reset your password. Never shared."
    )

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("first_name", "username", "email")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The validators' own list is long; these are its rules, said briefly.
        self.fields["password1"].help_text = (
            "At least 8 characters, not only digits, not a common password, and not like your "
            "name or email."
        )
        self.fields["password2"].help_text = "The same password again, to be sure."

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email already exists. Try logging in."
            )
        return email
