from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from sessions import services
from sessions.models import Platform
from sessions.wizard import (
    ALL_TITLES,
    STEPS,
    Step,
    WizardStore,
    new_session_from,
    step_for,
)

FRESH_INVITES = "diadi_fresh_invites"


def _store(request: HttpRequest) -> WizardStore:
    return WizardStore(request.session, request.user.display_name)


def _render_step(
    request: HttpRequest, step: Step, form: object, *, push: bool = False
) -> HttpResponse:
    store = _store(request)
    context = {
        "step": step,
        "form": form,
        "titles": ALL_TITLES,
        "answers": store.cleaned() if step.slug == "review" else {},
        "suggested_persona": store.suggested_persona() if step.slug == "facilitator" else "",
        "platforms_needing_bot": [Platform.ZOOM, Platform.MEET, Platform.TEAMS],
    }
    template = "sessions/wizard.html#step" if request.htmx else "sessions/wizard.html"
    response = render(request, template, context)
    if push and request.htmx:
        response["HX-Push-Url"] = f"{reverse('session_new')}?step={step.number}"
    return response


def _go(request: HttpRequest, step: Step) -> HttpResponse:
    if request.htmx:
        return _render_step(request, step, _store(request).form(step), push=True)
    return redirect(f"{reverse('session_new')}?step={step.number}")


@login_required
def new_session(request: HttpRequest) -> HttpResponse:
    store = _store(request)
    if request.method != "POST":
        step = step_for(request.GET.get("step", 1))
        earlier = store.first_invalid(before=step.number)
        if earlier is not None:  # no skipping ahead past unanswered steps
            return redirect(f"{reverse('session_new')}?step={earlier[0].number}")
        return _render_step(request, step, store.form(step))

    step = step_for(request.POST.get("step", 1))
    store.save(step, request.POST)
    if request.POST.get("direction") == "back":
        return _go(request, STEPS[max(step.number - 2, 0)])
    form = store.form(step, bound=request.POST)
    if not form.is_valid():
        return _render_step(request, step, form)
    if step.number < len(STEPS):
        return _go(request, STEPS[step.number])

    invalid = store.first_invalid()
    if invalid is not None:
        # An earlier answer went stale (a persona was deactivated, say): show it, with why.
        return _render_step(request, invalid[0], invalid[1], push=True)
    with transaction.atomic():
        session, raw_token = services.create_session(
            request.user, new_session_from(store.cleaned())
        )
    store.clear()
    request.session.setdefault(FRESH_INVITES, {})[session.public_id] = raw_token
    request.session.modified = True
    launch = reverse("session_launch", args=[session.public_id])
    return HttpResponseClientRedirect(launch) if request.htmx else redirect(launch)
