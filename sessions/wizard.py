"""The session-creation wizard: four steps of answers kept in the browser's server session."""

from dataclasses import dataclass

from django import forms
from django.contrib.sessions.backends.base import SessionBase
from django.http import QueryDict

from facilitation.engine import SETUP_SWITCHES, Toggles
from personas.models import Persona
from sessions.forms import FacilitatorForm, GoalForm, IdentityForm, ReviewForm
from sessions.models import Platform
from sessions.services import NewSession

STORE_KEY = "diadi_wizard"
DEFAULT_PERSONA = "neutral_mediator"
# Which facilitator step 3 suggests for the relationship chosen in step 1.
PERSONA_FOR_RELATIONSHIP = {
    "Romantic partners": "partner_reconnect",
    "Co-founders": "cofounder_compass",
    "Manager and report": "manager_bridge",
    "Co-parents": "coparent_anchor",
    "Family": "family_weaver",
}


@dataclass(frozen=True)
class Step:
    number: int
    slug: str
    title: str
    form_class: type[forms.Form]


STEPS = (
    Step(1, "identity", "Identity & bond", IdentityForm),
    Step(2, "goal", "Session goal", GoalForm),
    Step(3, "facilitator", "Facilitator", FacilitatorForm),
    Step(4, "review", "Review & connect", ReviewForm),
)
LAUNCH_STEP = 5
ALL_TITLES = [step.title for step in STEPS] + ["Launch"]


def step_for(number: object) -> Step:
    try:
        index = int(str(number))
    except ValueError:
        index = 1
    return STEPS[min(max(index, 1), len(STEPS)) - 1]


class WizardStore:
    """Raw answers per step, so going back and forth never loses what was typed."""

    def __init__(self, browser_session: SessionBase, your_name: str) -> None:
        self._session = browser_session
        self._your_name = your_name

    def _all(self) -> dict[str, dict[str, list[str]]]:
        return self._session.get(STORE_KEY, {})

    def save(self, step: Step, data: QueryDict) -> None:
        answers = self._all()
        answers[step.slug] = {
            key: data.getlist(key) for key in data if key != "csrfmiddlewaretoken"
        }
        self._session[STORE_KEY] = answers

    def data(self, step: Step) -> QueryDict | None:
        stored = self._all().get(step.slug)
        if stored is None:
            return None
        query = QueryDict(mutable=True)
        for key, values in stored.items():
            query.setlist(key, values)
        return query

    def form(self, step: Step, *, bound: QueryDict | None = None) -> forms.Form:
        """A bound form to validate, or an unbound one that shows the stored answers."""
        if bound is not None:
            return step.form_class(bound)
        data = self.data(step)
        if data is None:
            return step.form_class(initial=self.defaults(step))
        raw = step.form_class(data)
        return step.form_class(initial={name: raw[name].value() for name in raw.fields})

    def defaults(self, step: Step) -> dict[str, object]:
        """What a step shows before it was answered; the facilitator fits the relationship."""
        identity = self._all().get("identity", {})
        relationship = (identity.get("relationship") or [""])[0]
        return defaults_for(self._your_name, relationship).get(step.slug, {})

    def suggested_persona(self) -> str:
        identity = self._all().get("identity", {})
        return persona_for((identity.get("relationship") or [""])[0])

    def first_invalid(self, before: int = len(STEPS) + 1) -> tuple[Step, forms.Form] | None:
        """The first step (numbered below `before`) whose stored answers do not validate."""
        for step in STEPS[: before - 1]:
            data = self.data(step)
            form = step.form_class(data if data is not None else QueryDict())
            if not form.is_valid():
                return step, form
        return None

    def cleaned(self) -> dict[str, object]:
        values: dict[str, object] = {}
        for step in STEPS:
            form = step.form_class(self.data(step) or QueryDict())
            if form.is_valid():
                values.update(form.cleaned_data)
        return values

    def clear(self) -> None:
        self._session.pop(STORE_KEY, None)


def persona_for(relationship: str) -> str:
    """The slug of the facilitator that fits a relationship, if it is active; else the default."""
    wanted = PERSONA_FOR_RELATIONSHIP.get(relationship, DEFAULT_PERSONA)
    active = set(
        Persona.objects.active()
        .filter(slug__in={wanted, DEFAULT_PERSONA})
        .values_list("slug", flat=True)
    )
    if wanted in active:
        return wanted
    return DEFAULT_PERSONA if DEFAULT_PERSONA in active else ""


def defaults_for(your_name: str, relationship: str = "") -> dict[str, dict]:
    return {
        "identity": {"your_name": your_name},
        "facilitator": {
            "persona": persona_for(relationship) or None,
            **{switch.name: switch.default for switch in SETUP_SWITCHES},
        },
        "review": {"platform": Platform.DIADI, "duration_minutes": 30},
    }


def new_session_from(values: dict[str, object]) -> NewSession:
    return NewSession(
        creator_name=str(values["your_name"]),
        partner_name=str(values["partner_name"]),
        relationship_context=str(values["relationship_context"]),
        goal=str(values["goal"]),
        persona=values["persona"],  # type: ignore[arg-type]
        platform=str(values["platform"]),
        meeting_url=str(values.get("meeting_url") or ""),
        duration_minutes=int(values["duration_minutes"]),  # type: ignore[call-overload]
        scheduled_at=values.get("scheduled_at"),  # type: ignore[arg-type]
        toggles=Toggles(**{switch.name: bool(values[switch.name]) for switch in SETUP_SWITCHES}),
    )
