import zoneinfo
from collections.abc import Callable
from functools import cache, wraps

from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.gzip import GZipMiddleware
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


from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.gzip import GZipMiddleware
