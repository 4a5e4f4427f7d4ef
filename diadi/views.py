"""Project-wide views: the pages every app can fall back on."""

import sys

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.templatetags.static import static

from facilitation import adapters


def home(request: HttpRequest) -> HttpResponse:
    """The front page for people who are not logged in; everyone else has their hub."""
    if request.user.is_authenticated:
        return redirect("hub")
    return render(
        request,
        "home.html",
        {"transcribes": adapters.TRANSCRIPTION.available, "speaks": adapters.VOICE.available},
    )


def ratelimited(request: HttpRequest, exception: Exception) -> HttpResponse:
    message = "Too many attempts. Please wait a minute and try again."
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "RATE_LIMITED", "message": message}, status=429)
    return render(request, "429.html", {"message": message}, status=429)


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    if _wants_json(request):
        # A malformed session id never reaches the API's views: same answer as an unknown one.
        if request.path.startswith("/api/v1/sessions/"):
            return JsonResponse(
                {"code": "SESSION_NOT_FOUND", "message": "Session not found"}, status=404
            )
        return JsonResponse({"code": "NOT_FOUND", "message": "Not found"}, status=404)
    return render(request, "404.html", status=404)


def refused_input(request: HttpRequest, message: str) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"code": "BAD_REQUEST", "message": message}, status=400)
    return render(request, "400.html", {"message": message}, status=400)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    """Requests Django itself refuses: too large a body, too many fields, a bad Host."""
    return refused_input(
        request, "This request could not be read: it may be too large or malformed."
    )


def _waited_for_a_connection() -> bool:
    """Whether the error being handled is a thread that waited DB_POOL_TIMEOUT seconds for a
    database connection (Django re-raises the pool's PoolTimeout as an OperationalError)."""
    error: BaseException | None = sys.exc_info()[1]
    while error is not None:
        if type(error).__name__ == "PoolTimeout":
            return True
        error = error.__cause__
    return False


def server_error(request: HttpRequest) -> HttpResponse:
    if _waited_for_a_connection():
        # Too much at once, not a fault: say so, and when to come back.
        message = "Diadi is busy for a moment; try again in a few seconds."
        if _wants_json(request):
            response = JsonResponse({"code": "SERVICE_BUSY", "message": message}, status=503)
        else:
            response = HttpResponse(loader.render_to_string("503.html"), status=503)
        response["Retry-After"] = "5"
        return response
    if _wants_json(request):
        return JsonResponse(
            {"code": "SERVER_ERROR", "message": "Something went wrong on our side."}, status=500
        )
    # No request context: whatever broke (often the database) must not break this page too.
    return HttpResponse(loader.render_to_string("500.html"), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    if _wants_json(request):
        return JsonResponse(
            {"code": "CSRF_FAILED", "message": "This request needs your session's CSRF token."},
            status=403,
        )
    return render(request, "403_csrf.html", status=403)


def favicon(request: HttpRequest) -> HttpResponse:
    # Browsers ask for /favicon.ico whatever the page links to.
    return HttpResponseRedirect(static("icons/favicon.svg"))
