"""The API reads JSON only: a browser cannot send it cross-site without asking first (CORS),
so no form on another site can act for someone, and every body goes through one decoder."""

from typing import Any

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import BaseParser

from diadi import untrusted_json


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"

    def __init__(self) -> None:
        limit_kb = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        super().__init__(f"The request body may be at most {limit_kb} KB.")


class JSONBodyParser(BaseParser):
    media_type = "application/json"

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: dict[str, Any] | None = None,
    ) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        body = stream.read(limit + 1)
        if len(body) > limit:
            raise RequestTooLarge()
        try:
            return untrusted_json.loads(body)
        except untrusted_json.RefusedJSON as exc:
            raise exceptions.ParseError(str(exc)) from exc
