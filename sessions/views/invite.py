from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_ratelimit.decorators import ratelimit

from accounts.names import NameField
from diadi.middleware import never_compressed
from facilitation import adapters
from sessions import services
from sessions.errors import SessionError
from sessions.models import Invitation, Role, Session
from sessions.views.wizard import FRESH_INVITES
from sessions.wizard import ALL_TITLES, LAUNCH_STEP


def invite_url(request: HttpRequest, raw_token: str) -> str:
    path = reverse("invite", args=[raw_token])
    return (
        f"{settings.PUBLIC_BASE_URL}{path}"
        if settings.PUBLIC_BASE_URL
        else request.build_absolute_uri(path)
    )


@never_compressed
def launch(request: HttpRequest, public_id: str) -> HttpResponse:
    """Step 5 of the wizard: the invite link, shown once, and what happens next."""
    session, you = services.get_for_page(request, public_id)
    if you.role != Role.CREATOR:
        return redirect("session_detail", public_id)
    fresh = request.session.get(FRESH_INVITES, {})
    raw_token = fresh.pop(public_id, None)
    request.session.modified = raw_token is not None
    partner = session.participants.get(role=Role.INVITEE)
    link = invite_url(request, raw_token) if raw_token else ""
    return render(
        request,
        "sessions/launch.html",
        {
            "session": session,
            "partner": partner,
            "invite_link": link,
            "share_text": _share_text(session, you.display_name, link),
            "titles": ALL_TITLES,
            "step_number": LAUNCH_STEP,
            "ttl_days": settings.INVITATION_TTL_DAYS,
        },
    )


def _share_text(session: Session, from_name: str, link: str) -> str:
    goal = session.goal.strip()
    # “Agree on a budget.” needs no full stop after it; “Agree on a budget” does.
    stop = "" if goal.endswith((".", "!", "?", "…")) else "."
    return (
        f"Hi, it's {from_name}. I'd like us to talk about something that matters to me, with a "
        f"little help from Diadi. The goal: “{goal}”{stop} Have a look and decide if you "
        f"want to join: {link}"
    )


@require_POST
def new_invitation(request: HttpRequest, public_id: str) -> HttpResponse:
    session, you = services.get_for_page(request, public_id)
    if you.role != Role.CREATOR:
        return redirect("session_detail", public_id)
    try:
        raw_token = services.issue_invitation(session)
    except SessionError as exc:
        messages.error(request, exc.message)
        return redirect("session_detail", public_id)
    request.session.setdefault(FRESH_INVITES, {})[public_id] = raw_token
    request.session.modified = True
    messages.success(request, "Here is a new invite link. The previous one no longer works.")
    return redirect("session_launch", public_id)


class AcceptForm(forms.Form):
    invitee_name = NameField(label="Your name", max_length=80)
    agree = forms.BooleanField(
        label="I have read what the facilitator does and I agree to take part.",
        error_messages={"required": "Tick this box to accept, or decline below."},
    )


def _invalid_invitation(request: HttpRequest) -> HttpResponse:
    # Expired, used, revoked or unknown: one answer, so a token's history never leaks.
    return render(request, "sessions/invite_invalid.html", status=404)


def _explanation(session: Session) -> dict[str, object]:
    return {
        "transcribes": adapters.TRANSCRIPTION.available,
        "speaks": session.interrupt_authority and adapters.VOICE.available,
    }


@ratelimit(key="ip", rate="30/m", block=True)
def invite(request: HttpRequest, token: str) -> HttpResponse:
    invitation: Invitation | None = services.find_invitation(token)
    if invitation is None:
        return _invalid_invitation(request)
    session = invitation.session
    partner = session.participants.get(role=Role.INVITEE)
    creator = session.participants.get(role=Role.CREATOR)
    if request.user.is_authenticated and request.user.pk == session.creator_id:
        return render(request, "sessions/invite_own.html", {"session": session, "partner": partner})

    form = AcceptForm(request.POST or None, initial={"invitee_name": partner.display_name})
    if request.method == "POST":
        consented = request.POST.get("answer") != "decline"
        if consented and not form.is_valid():
            return _render_invite(request, session, creator, form, status=400)
        try:
            updated, invitee, secret = services.answer_invitation(
                token,
                consented=consented,
                invitee_name=form.cleaned_data["invitee_name"] if consented else "",
                user=request.user,
            )
        except SessionError:
            return _invalid_invitation(request)
        if not consented:
            return render(request, "sessions/invite_declined.html", {"creator": creator})
        services.remember_browser(request.session, updated, secret)
        messages.success(request, f"Thank you, {invitee.display_name}. You're in.")
        return redirect("session_detail", updated.public_id)

    services.open_invitation(invitation)
    return _render_invite(request, session, creator, form)


def _render_invite(
    request: HttpRequest, session: Session, creator: object, form: AcceptForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "sessions/invite.html",
        {"session": session, "creator": creator, "form": form, **_explanation(session)},
        status=status,
    )
