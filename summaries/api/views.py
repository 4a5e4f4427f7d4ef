"""The recap under /api/v1/sessions/{id}/: the summary (404 SUMMARY_NOT_AVAILABLE, with its
progress, while it is being made), trying again, the shared agreements and action items, and
each person's rating. Anyone who is not one of the session's two people gets 404."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from sessions.api.serializers import ErrorSerializer
from sessions.api.views import ParticipantAccess
from sessions.errors import ErrorCode, SessionError
from sessions.models import Participant, Session
from summaries import services
from summaries.api import serializers as wire
from summaries.models import ActionItem, Agreement

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Session (or recap) not found")
BAD_REQUEST = OpenApiResponse(ErrorSerializer, description="Invalid input or state")
CONFLICT = OpenApiResponse(ErrorSerializer, description="Changed by the other person meanwhile")
OBJECT = OpenApiResponse(OpenApiTypes.OBJECT)
# The path's name of a list -> the services' name of it.
KINDS = {"agreements": services.AGREEMENTS, "action-items": services.ACTIONS}
KIND = OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=list(KINDS))


class RecapAPIView(ParticipantAccess, APIView):
    def _recap(self, public_id: str) -> tuple[Session, Participant, services.Recap]:
        session, you = self._session_for(public_id)
        return session, you, services.recap_for(session, you)


def _valid(serializer_class: type[Serializer], request: Request, **kwargs: Any) -> dict[str, Any]:
    body = serializer_class(data=request.data, **kwargs)
    body.is_valid(raise_exception=True)
    return dict(body.validated_data)


def _not_available(recap: services.Recap) -> SessionError:
    summary = recap.summary
    details: dict[str, Any] = {"summaryStatus": recap.state}
    if summary is not None:
        details.update(progress=summary.progress, stage=summary.stage, reason=summary.reason)
    return SessionError(ErrorCode.SUMMARY_NOT_AVAILABLE, details=details)


def _item_out(kind: str, item: Agreement | ActionItem, recap: services.Recap) -> dict[str, Any]:
    if isinstance(item, ActionItem):
        return wire.action_item(item, recap.people)
    return wire.agreement(item)


class SummaryView(RecapAPIView):
    @extend_schema(responses={200: OBJECT, 404: NOT_FOUND})
    def get(self, request: Request, public_id: str) -> Response:
        """The recap (spec SessionSummary plus details), once ready."""
        _, _, recap = self._recap(public_id)
        if not recap.is_ready:
            raise _not_available(recap)
        return Response(wire.summary(recap))

    @extend_schema(responses={204: None, 404: NOT_FOUND})
    def delete(self, request: Request, public_id: str) -> Response:
        """Delete the transcript and the recap, for both people."""
        session, you = self._session_for(public_id)
        services.delete_recap(session, you)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RetryView(RecapAPIView):
    @extend_schema(
        request=wire.RetryInput, responses={202: OBJECT, 400: BAD_REQUEST, 404: NOT_FOUND}
    )
    def post(self, request: Request, public_id: str) -> Response:
        """Make a recap that could not be made again (offline: without OpenAI)."""
        session, _ = self._session_for(public_id)
        offline = _valid(wire.RetryInput, request)["offline"]
        summary = services.summary_of(session)
        if summary is None:
            raise SessionError(ErrorCode.SUMMARY_NOT_AVAILABLE)
        if not services.retry(summary, offline=offline):
            raise SessionError(ErrorCode.SUMMARY_NOT_RETRYABLE)
        return Response({"summaryStatus": "pending"}, status=status.HTTP_202_ACCEPTED)


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise SessionError(ErrorCode.RECAP_ITEM_NOT_FOUND)
    return KINDS[kind]


def _input(kind: str, request: Request, recap: services.Recap, *, partial: bool) -> dict[str, Any]:
    serializer_class = wire.AgreementInput if kind == services.AGREEMENTS else wire.ActionItemInput
    return _valid(serializer_class, request, partial=partial, context={"people": recap.people})


class ItemsView(RecapAPIView):
    @extend_schema(
        parameters=[KIND],
        request=wire.AgreementInput,
        responses={201: OBJECT, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    def post(self, request: Request, public_id: str, kind: str) -> Response:
        """Add an agreement or an action item (`kind`: agreements or action-items)."""
        name = _kind(kind)
        session, you, recap = self._recap(public_id)
        item = services.add(session, name, you, _input(name, request, recap, partial=False))
        return Response(_item_out(name, item, recap), status=status.HTTP_201_CREATED)


class ItemView(RecapAPIView):
    @extend_schema(
        parameters=[KIND],
        request=wire.AgreementInput,
        responses={200: OBJECT, 400: BAD_REQUEST, 404: NOT_FOUND, 409: CONFLICT},
    )
    def patch(self, request: Request, public_id: str, kind: str, item_id: str) -> Response:
        """Change an item; the other person's confirmation is cleared, yours is kept."""
        name = _kind(kind)
        session, you, recap = self._recap(public_id)
        values = _input(name, request, recap, partial=True)
        item = services.edit(
            session, name, int(item_id), you, values, expected_version=values.pop("version", None)
        )
        return Response(_item_out(name, item, recap))


class ConfirmationView(RecapAPIView):
    @extend_schema(parameters=[KIND], request=None, responses={200: OBJECT, 404: NOT_FOUND})
    def put(self, request: Request, public_id: str, kind: str, item_id: str) -> Response:
        """Confirm an item."""
        return self._set(public_id, kind, item_id, confirmed=True)

    @extend_schema(parameters=[KIND], request=None, responses={200: OBJECT, 404: NOT_FOUND})
    def delete(self, request: Request, public_id: str, kind: str, item_id: str) -> Response:
        """Withdraw your confirmation of an item."""
        return self._set(public_id, kind, item_id, confirmed=False)

    def _set(self, public_id: str, kind: str, item_id: str, *, confirmed: bool) -> Response:
        name = _kind(kind)
        session, you, recap = self._recap(public_id)
        item = services.confirm(session, name, int(item_id), you, confirmed=confirmed)
        return Response(_item_out(name, item, recap))


class RatingView(RecapAPIView):
    @extend_schema(responses={200: OBJECT, 404: NOT_FOUND})
    def get(self, request: Request, public_id: str) -> Response:
        """Your rating of the session (null until you rate it)."""
        _, _, recap = self._recap(public_id)
        return Response({"rating": wire.rating(recap.rating), "partnerRated": recap.partner_rated})

    @extend_schema(
        request=wire.RatingInput, responses={200: OBJECT, 400: BAD_REQUEST, 404: NOT_FOUND}
    )
    def put(self, request: Request, public_id: str) -> Response:
        """Rate the session from 1 to 5, with an optional comment; again to change it."""
        session, you = self._session_for(public_id)
        body = _valid(wire.RatingInput, request)
        rating = services.rate(session, you, body["score"], body["comment"])
        return Response({"rating": wire.rating(rating)})

    @extend_schema(
        request=wire.RatingInput, responses={200: OBJECT, 400: BAD_REQUEST, 404: NOT_FOUND}
    )
    def post(self, request: Request, public_id: str) -> Response:
        """The same as PUT."""
        return self.put(request, public_id)
