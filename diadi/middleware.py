import zoneinfo
from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone

from diadi.views import refused_input

TIMEZONE_COOKIE = "diadi_tz"


@cache
def _known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


class BrowserTimezoneMiddleware:
    """Shows and reads times in the browser's zone (static/js/timezone.js sets the cookie)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        name = request.COOKIES.get(TIMEZONE_COOKIE, "")
        if name in _known_timezones():
            timezone.activate(zoneinfo.ZoneInfo(name))
        else:
            timezone.deactivate()
        return self.get_response(request)


_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _holds_nul(data: QueryDict) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())


class RefuseNulMiddleware:
    """Refuses a NUL character in any query string or form field, for every page and form.

    PostgreSQL cannot store NUL in text and raises when a query merely compares with it, so it
    must never get past the door. (JSON bodies are checked by diadi.untrusted_json, session ids
    by their URL converter.)
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request.GET) or (
            request.content_type in _FORM_TYPES and _holds_nul(request.POST)
        ):
            return refused_input(request, "Text may not contain the NUL character (\\0).")
        return self.get_response(request)
