from typing import Any

from django import forms

from summaries.models import (
    ACTION_TEXT_MAX,
    AGREEMENT_TITLE_MAX,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    Commitment,
    Owner,
)


def _clean(value: str) -> str:
    return " ".join(value.split())


class SharedItemForm(forms.Form):
    # The version the person was looking at, so an edit never silently overwrites another.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class AgreementForm(SharedItemForm):
    title = forms.CharField(
        label="Agreement",
        max_length=AGREEMENT_TITLE_MAX,
        error_messages={"required": "Say what you agreed."},
    )
    description = forms.CharField(
        label="Details",
        max_length=DESCRIPTION_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_title(self) -> str:
        return _clean(self.cleaned_data["title"])

    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()


class ActionItemForm(SharedItemForm):
    text = forms.CharField(
        label="What",
        max_length=ACTION_TEXT_MAX,
        error_messages={"required": "Say what is to be done."},
    )
    owner = forms.ChoiceField(label="Who", choices=Owner.choices, required=False)
    commitment = forms.ChoiceField(
        label="How sure",
        choices=[
            (Commitment.COMMITTED, "Will do it"),
            (Commitment.TENTATIVE, "Might do it"),
        ],
        initial=Commitment.COMMITTED,
    )

    def __init__(
        self, *args: Any, owners: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if owners:
            self.fields["owner"].choices = owners

    def clean_text(self) -> str:
        return _clean(self.cleaned_data["text"])


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label="How did this session go for you?",
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose from 1 (not well) to 5 (very well)."},
    )
    comment = forms.CharField(
        label="Anything to add? (optional, only Diadi's team reads it)",
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_comment(self) -> str:
        return self.cleaned_data["comment"].strip()
