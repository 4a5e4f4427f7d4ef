from typing import Any

from django import forms
from django.utils import timezone

from accounts.names import NameField
from facilitation import services as facilitation
from facilitation.engine import SETUP_SWITCHES
from personas.models import Persona
from sessions.meeting_urls import meeting_url_error
from sessions.models import GOAL_MAX_LENGTH, MAX_DURATION_MINUTES, MIN_DURATION_MINUTES, Platform

RELATIONSHIPS = [
    ("Romantic partners", "Romantic partners"),
    ("Co-founders", "Co-founders"),
    ("Manager and report", "Manager and report"),
    ("Co-parents", "Co-parents"),
    ("Family", "Family"),
    ("Friends", "Friends"),
    ("Colleagues", "Colleagues"),
    ("other", "Something else"),
]


def _clean_text(value: str) -> str:
    return " ".join(value.split())


class IdentityForm(forms.Form):
    your_name = NameField(label="Your name", max_length=80)
    partner_name = NameField(
        label="Their name", max_length=80, help_text="The person you want to talk with."
    )
    relationship = forms.ChoiceField(
        label="You are", choices=RELATIONSHIPS, widget=forms.RadioSelect
    )
    relationship_other = forms.CharField(
        label="In your words", max_length=120, required=False, help_text="Only if “Something else”."
    )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("relationship") == "other":
            other = _clean_text(data.get("relationship_other", ""))
            if not other:
                self.add_error("relationship_other", "Say in a few words how you know each other.")
            data["relationship_context"] = other
        else:
            data["relationship_context"] = data.get("relationship", "")
        return data


class GoalForm(forms.Form):
    goal = forms.CharField(
        label="What do you want to leave this conversation with?",
        max_length=GOAL_MAX_LENGTH,
        min_length=5,
        widget=forms.Textarea(attrs={"rows": 3, "data-counter": GOAL_MAX_LENGTH}),
        help_text=(
            f"Up to {GOAL_MAX_LENGTH} characters. Both of you will see it, "
            "and the facilitator uses it to keep you on track."
        ),
    )

    def clean_goal(self) -> str:
        return _clean_text(self.cleaned_data["goal"])


class PersonaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, persona: Persona) -> str:
        return persona.name


class FacilitatorForm(forms.Form):
    persona = PersonaChoiceField(
        label="Choose a facilitator",
        queryset=Persona.objects.active(),
        to_field_name="slug",
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"invalid_choice": "Choose one of the facilitators shown."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for switch in SETUP_SWITCHES:
            self.fields[switch.name] = forms.BooleanField(
                label=switch.label, required=False, help_text=switch.help
            )


class ReviewForm(forms.Form):
    platform = forms.ChoiceField(
        label="Where you will talk",
        choices=Platform.choices,
        widget=forms.RadioSelect,
    )
    meeting_url = forms.CharField(
        label="Meeting link",
        max_length=500,
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text="Needed for Zoom, Google Meet or Teams. Not for the Diadi browser room.",
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        min_value=MIN_DURATION_MINUTES,
        max_value=MAX_DURATION_MINUTES,
        help_text=f"Between {MIN_DURATION_MINUTES} and {MAX_DURATION_MINUTES} minutes.",
    )
    scheduled_at = forms.DateTimeField(
        label="When (optional)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text="Leave empty to talk whenever you are both ready.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        off = facilitation.meetings_off_reason()
        self.fields["platform"].help_text = (
            f"{off} Such a session can be planned, but it can only start once they are on. "
            "The Diadi browser room always works."
            if off
            else "For Zoom, Google Meet or Teams, the facilitator joins your call as a "
            "participant when you start. Or talk in the Diadi browser room."
        )

    def clean_scheduled_at(self) -> object:
        when = self.cleaned_data.get("scheduled_at")
        if when is not None and when <= timezone.now():
            raise forms.ValidationError("Pick a time in the future, or leave it empty.")
        return when

    def clean(self) -> dict:
        data = super().clean()
        platform = data.get("platform")
        if platform:
            url = (data.get("meeting_url") or "").strip()
            error = meeting_url_error(platform, url)
            if error:
                self.add_error("meeting_url", error)
            data["meeting_url"] = "" if platform == Platform.DIADI else url
        return data
