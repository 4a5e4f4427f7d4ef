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


# A response attribute set by `never_compressed`: CompressionMiddleware leaves it as it is.
UNCOMPRESSED = "diadi_uncompressed"


def never_compressed(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For pages that show a long-lived secret (an API token, an invite link): never gzipped,
    so no compression side channel (BREACH) can ever be aimed at that secret."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        setattr(response, UNCOMPRESSED, True)
        return response

    return wrapped


class CompressionMiddleware(GZipMiddleware):
    """Django's gzip (with its random padding against BREACH), except where a view said no."""

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        if getattr(response, UNCOMPRESSED, False):
            return response
        return super().process_response(request, response)


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
