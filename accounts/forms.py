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

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email already exists. Try logging in."
            )
        return email
