"""MeetingBaas' callbacks, and the live room's meeting controls (send the facilitator back in,
swap the speaker labels)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from facilitation import services
from facilitation.meetings import bots
from sessions import services as sessions
from sessions.errors import SessionError

CALLBACK_MAX_BYTES = 256 * 1024


@csrf_exempt
@require_POST
def callback(request: HttpRequest, reference: str) -> JsonResponse:
    """bot.completed / bot.failed (and bot.status_change) for one bot; the x-mb-secret
    header must be the secret Diadi gave that bot."""
    if len(request.body) > CALLBACK_MAX_BYTES:
        return JsonResponse({"code": "TOO_LARGE", "message": "Callback too large."}, status=413)
    try:
        payload = json.loads(request.body or b"null")
    except ValueError:
        payload = None
    answer = bots.callback(reference, request.headers.get("x-mb-secret", ""), payload)
    if answer.status == 200:
        return JsonResponse({"ok": True})
    return JsonResponse(
        {"code": "CALLBACK_REFUSED", "message": answer.message}, status=answer.status
    )


def bot_panel(request: HttpRequest, public_id: str) -> HttpResponse:
    """The facilitator-in-the-call card of the live room, re-fetched on every bot_status."""
    session, you = sessions.get_for_page(request, public_id)
    return render(
        request, "facilitation/_meeting_bot.html", services.meeting_bot_context(session, you)
    )


def _act(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    session, you = sessions.get_for_page(request, public_id)
    try:
        if action == "send_bot":
            services.send_bot_back(session, you)
        else:
            services.swap_speakers(session, you)
    except SessionError as exc:
        messages.error(request, exc.message)
        if request.htmx:
            context = {**services.meeting_bot_context(session, you), "error": exc.message}
            return render(request, "facilitation/_meeting_bot.html", context)
    if request.htmx:
        return bot_panel(request, public_id)
    return redirect("live_room", public_id)


@require_POST
def send_bot(request: HttpRequest, public_id: str) -> HttpResponse:
    """Either person sends a new facilitator bot in after the last one left or failed."""
    return _act(request, public_id, "send_bot")


@require_POST
def swap(request: HttpRequest, public_id: str) -> HttpResponse:
    """Either person swaps the two speaker labels when the call named them the wrong way."""
    return _act(request, public_id, "swap")
