from typing import Any

from django.db.models import QuerySet
from rest_framework import serializers
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response

MAX_LIMIT = 100


class _PageParams(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=MAX_LIMIT, default=20)
    offset = serializers.IntegerField(min_value=0, max_value=1_000_000, default=0)


class SessionPagination(BasePagination):
    """The spec's list shape: {"sessions": [...], "total": n, "hasMore": bool}."""

    def paginate_queryset(
        self, queryset: QuerySet, request: Request, view: Any = None
    ) -> list[Any]:
        params = _PageParams(data=request.query_params)
        params.is_valid(raise_exception=True)
        self.limit, self.offset = params.validated_data["limit"], params.validated_data["offset"]
        self.total = queryset.count()
        return list(queryset[self.offset : self.offset + self.limit])

    def get_paginated_response(self, data: list[Any]) -> Response:
        return Response(
            {
                "sessions": data,
                "total": self.total,
                "hasMore": self.offset + len(data) < self.total,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["sessions", "total", "hasMore"],
            "properties": {
                "sessions": schema,
                "total": {"type": "integer"},
                "hasMore": {"type": "boolean"},
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict]:
        return [
            {
                "name": "limit",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 20},
            },
            {
                "name": "offset",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 0, "default": 0},
            },
        ]
