"""How the API knows who is asking: API tokens, checked by their shape before any query, and
cookie sessions, with a CSRF failure that says so (403), unlike other refusals, which answer
404 so nobody learns a session exists."""

import re

from drf_spectacular.authentication import SessionScheme
from rest_framework import authentication, exceptions
from rest_framework.request import Request

# What rest_framework.authtoken makes: 20 random bytes as hex.
TOKEN_SHAPE = re.compile(r"[0-9a-f]{40}")


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key: str) -> tuple:
        if not TOKEN_SHAPE.fullmatch(key):
            raise exceptions.AuthenticationFailed("Invalid token.")
        return super().authenticate_credentials(key)


class CsrfFailed(exceptions.PermissionDenied):
    default_code = "csrf_failed"


class SessionAuthentication(authentication.SessionAuthentication):
    def enforce_csrf(self, request: Request) -> None:
        try:
            super().enforce_csrf(request)
        except exceptions.PermissionDenied as exc:
            raise CsrfFailed(
                "This request needs the CSRF token of your session (the X-CSRFToken header)."
            ) from exc


class DiadiSessionScheme(SessionScheme):
    """The OpenAPI schema describes it as the cookie session it is."""

    target_class = "sessions.api.authentication.SessionAuthentication"
