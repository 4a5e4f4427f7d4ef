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


def _words(label: str, max_length: int, missing: str) -> forms.CharField:
    """Required text, its spaces tidied; `missing` says what to write when it is left empty."""
    return forms.CharField(label=label, max_length=max_length, error_messages={"required": missing})


def _optional_words(label: str, max_length: int) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _tidy(value: str) -> str:
    return " ".join(value.split())


class SharedItemForm(forms.Form):
    # The version the person was looking at, so an edit never silently overwrites another.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)


class AgreementForm(SharedItemForm):
    title = _words("Agreement", AGREEMENT_TITLE_MAX, "Say what you agreed.")
    description = _optional_words("Details", DESCRIPTION_MAX)

    def clean_title(self) -> str:
        return _tidy(self.cleaned_data["title"])

    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()


class ActionItemForm(SharedItemForm):
    text = _words("What", ACTION_TEXT_MAX, "Say what is to be done.")
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
        return _tidy(self.cleaned_data["text"])


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label="How did this session go for you?",
        choices=[(n, str(n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose from 1 (not well) to 5 (very well)."},
    )
    comment = _optional_words(
        "Anything to add? (optional, only Diadi's team reads it)", COMMENT_MAX
    )

    def clean_comment(self) -> str:
        return self.cleaned_data["comment"].strip()
