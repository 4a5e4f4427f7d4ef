import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect

from facilitation import room, services
from sessions import services as sessions
from sessions.errors import SessionError


def live_room(request: HttpRequest, public_id: str) -> HttpResponse:
    session, you = sessions.get_for_page(request, public_id)
    return render(request, "facilitation/live.html", room.live_room_context(session, you))


def controls(request: HttpRequest, public_id: str) -> HttpResponse:
    """The kill switch and session buttons, re-fetched whenever the status changes."""
    session, you = sessions.get_for_page(request, public_id)
    return render(request, "facilitation/live.html#controls", room.live_room_context(session, you))


CONTROLS = ("start", "pause", "resume", "end")


@require_POST
def control(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    """The session's buttons: start, pause (the kill switch), resume and end."""
    session, you = sessions.get_for_page(request, public_id)
    try:
        getattr(services, action)(session, you)
    except SessionError as exc:
        if request.htmx:
            # Refused in the room: say why where the button was, keeping the page (and the
            # microphone and call it holds), with the buttons the status now allows.
            session, you = sessions.get_for_page(request, public_id)
            context = {**room.live_room_context(session, you), "control_error": exc.message}
            return render(request, "facilitation/live.html#controls", context)
        messages.error(request, exc.message)
        return redirect("session_detail" if action == "start" else "live_room", public_id)
    if action == "end":
        destination = reverse("session_detail", args=[public_id])
        return HttpResponseClientRedirect(destination) if request.htmx else redirect(destination)
    if request.htmx:
        return controls(request, public_id)
    return redirect("live_room", public_id)


@require_POST
def extend(request: HttpRequest, public_id: str) -> HttpResponse:
    """The "a few more minutes" button of a session whose time is up; both rooms hear of it."""
    session, you = sessions.get_for_page(request, public_id)
    error = ""
    try:
        session = services.extend_time(session, you)
    except SessionError as exc:
        error = exc.message
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("live_room", public_id)
    context = {**room.live_room_context(session, you), "extend_error": error}
    return render(request, "facilitation/live.html#time_up", context)


@login_required
def demo(request: HttpRequest) -> HttpResponse:
    """What the demo shows (GET), and the demo itself (POST): the one still playing, if any."""
    if request.method != "POST":
        script = services.demo_script()
        speed = settings.DEMO_SPEED
        return render(
            request,
            "facilitation/demo.html",
            {
                "script": script,
                "people": list(script.participants.values()),
                "speed": f"{speed:g}",
                "wall_minutes": math.ceil(script.duration_minutes / speed) if speed else 1,
            },
        )
    try:
        session = services.start_demo(request.user)
    except SessionError as exc:
        messages.error(request, exc.message)
        return redirect("hub")
    return redirect("live_room", session.public_id)
