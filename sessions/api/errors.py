"""Every API error as {"code", "message"} (spec Appendix B), whatever raised it."""

from typing import Any

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sessions.api.authentication import CsrfFailed
from sessions.errors import ErrorCode, SessionError

# First match wins: CsrfFailed before the PermissionDenied it specialises.
_DRF_CODES: dict[type[exceptions.APIException], tuple[str, str | None]] = {
    CsrfFailed: ("CSRF_FAILED", None),
    exceptions.NotAuthenticated: ("NOT_AUTHENTICATED", "Log in or send an API token."),
    exceptions.AuthenticationFailed: ("NOT_AUTHENTICATED", None),
    exceptions.PermissionDenied: ("SESSION_NOT_FOUND", "Session not found"),
    exceptions.NotFound: ("SESSION_NOT_FOUND", "Session not found"),
    exceptions.MethodNotAllowed: ("METHOD_NOT_ALLOWED", None),
    exceptions.ParseError: ("INVALID_JSON", None),
    exceptions.UnsupportedMediaType: ("UNSUPPORTED_MEDIA_TYPE", None),
    exceptions.NotAcceptable: ("NOT_ACCEPTABLE", None),
    exceptions.Throttled: ("RATE_LIMITED", None),
}


def _first_message(detail: Any, path: str = "") -> str:
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = path if key == "non_field_errors" else (f"{path}.{key}" if path else key)
            return _first_message(value, name)
    if isinstance(detail, list) and detail:
        return _first_message(detail[0], path)
    return f"{path}: {detail}" if path else str(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, SessionError):
        return Response(exc.as_dict(), status=exc.http_status)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, exceptions.ValidationError):
        return Response(
            {
                "code": str(ErrorCode.VALIDATION_ERROR),
                "message": _first_message(exc.detail),
                "fields": exc.detail,
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, exceptions.APIException):
        return response
    code, message = next(
        (value for kind, value in _DRF_CODES.items() if isinstance(exc, kind)),
        (str(exc.default_code).upper(), None),
    )
    if isinstance(exc, exceptions.PermissionDenied | exceptions.NotFound) and not isinstance(
        exc, CsrfFailed
    ):
        response.status_code = status.HTTP_404_NOT_FOUND
    response.data = {"code": code, "message": message or str(exc.detail)}
    return response
