from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from facilitation import services as facilitation
from facilitation.engine import SETUP_SWITCHES, Toggles
from sessions import services
from sessions.api.authentication import SessionAuthentication
from sessions.api.pagination import SessionPagination
from sessions.api.serializers import (
    ConsentResponseSerializer,
    ConsentSerializer,
    CreateSessionResponseSerializer,
    CreateSessionSerializer,
    EndSessionResponseSerializer,
    ErrorSerializer,
    ExtendResponseSerializer,
    ListQuerySerializer,
    SessionSerializer,
    StartSessionResponseSerializer,
    StartSessionSerializer,
    StatusResponseSerializer,
)
from sessions.converters import PublicIdConverter
from sessions.errors import ErrorCode, SessionError
from sessions.models import Participant, Session
from sessions.views.invite import invite_url

NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Session not found")
BAD_REQUEST = OpenApiResponse(ErrorSerializer, description="Invalid input or state")


class SessionViewSet(viewsets.GenericViewSet):
    """Sessions you take part in. Anyone else gets 404 for every route."""

    serializer_class = SessionSerializer
    pagination_class = SessionPagination
    permission_classes = [AllowAny]
    lookup_field = "public_id"
    lookup_value_regex = PublicIdConverter.regex

    def _keys(self) -> dict[str, str]:
        return services.browser_keys(self.request.session)

    def _require_someone(self) -> None:
        if not self.request.user.is_authenticated and not self._keys():
            raise NotAuthenticated()

    def _session_for(self, public_id: str) -> tuple[Session, Participant]:
        session, participant = services.get_for(public_id, self.request.user, self._keys())
        if not self.request.user.is_authenticated and self.request.method not in ("GET", "HEAD"):
            # A guest invitee's browser key rides on the session cookie: same CSRF rules.
            SessionAuthentication().enforce_csrf(self.request)
        return session, participant

    def get_queryset(self) -> QuerySet[Session]:
        return (
            services.visible_sessions(self.request.user, self._keys())
            .select_related("persona")
            .prefetch_related("participants")
            .order_by("-created_at")
        )

    @extend_schema(
        parameters=[ListQuerySerializer],
        responses={200: SessionSerializer(many=True), 400: BAD_REQUEST},
    )
    def list(self, request: Request) -> Response:
        self._require_someone()
        query = ListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        sessions = self.get_queryset()
        if "status" in query.validated_data:
            sessions = sessions.filter(status=query.validated_data["status"])
        page = self.paginate_queryset(sessions)
        return self.get_paginated_response(SessionSerializer(page, many=True).data)

    @extend_schema(
        request=CreateSessionSerializer,
        responses={201: CreateSessionResponseSerializer, 400: BAD_REQUEST},
    )
    def create(self, request: Request) -> Response:
        if not request.user.is_authenticated:
            raise NotAuthenticated()
        body = CreateSessionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        facilitator = data["facilitator"]
        creator_name = data.get("creatorName") or request.user.display_name
        session, raw_token = services.create_session(
            request.user,
            services.NewSession(
                creator_name=creator_name,
                partner_name=data["partnerName"],
                relationship_context=data["relationshipContext"].strip(),
                goal=data["goal"],
                persona=facilitator["persona"],
                platform=data["platform"],
                meeting_url=data["meetingUrl"],
                duration_minutes=data["durationMinutes"],
                scheduled_at=data["scheduledAt"],
                toggles=Toggles(**{s.name: facilitator[s.name] for s in SETUP_SWITCHES}),
                title=data.get("title", "").strip(),
            ),
        )
        return Response(
            {
                "sessionId": session.public_id,
                "status": session.status,
                "inviteLink": invite_url(request._request, raw_token),
                "inviteToken": raw_token,
            },
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses={200: SessionSerializer, 404: NOT_FOUND})
    def retrieve(self, request: Request, public_id: str) -> Response:
        session, _ = self._session_for(public_id)
        return Response(SessionSerializer(session).data)

    @extend_schema(responses={204: None, 404: NOT_FOUND})
    def destroy(self, request: Request, public_id: str) -> Response:
        session, _ = self._session_for(public_id)
        services.delete_session(session)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        request=ConsentSerializer,
        responses={200: ConsentResponseSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def consent(self, request: Request, public_id: str) -> Response:
        """Answer an invitation: the invite token is the credential, no account needed."""
        session = Session.objects.filter(public_id=public_id).first()
        if session is None:
            raise SessionError(ErrorCode.SESSION_NOT_FOUND)
        body = ConsentSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        updated, _, secret = services.answer_invitation(
            body.validated_data["inviteToken"],
            consented=body.validated_data["consented"],
            invitee_name=body.validated_data["inviteeName"],
            user=request.user,
            session=session,
        )
        if secret:
            services.remember_browser(request.session, updated, secret)
        answer = {"status": updated.status, "participants": updated.participants.all()}
        return Response(ConsentResponseSerializer(answer).data)

    @extend_schema(
        request=StartSessionSerializer,
        responses={200: StartSessionResponseSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, public_id: str) -> Response:
        """Start facilitation. Zoom/Meet/Teams sessions need a valid meetingUrl."""
        session, participant = self._session_for(public_id)
        body = StartSessionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        started = facilitation.start(
            session, participant, meeting_url=body.validated_data.get("meetingUrl")
        )
        scheme = "wss" if request.is_secure() else "ws"
        return Response(
            {
                "status": started.status,
                "botId": started.bot_id or None,
                "clientId": started.client_id,
                "eventUrl": f"{scheme}://{request.get_host()}/ws/sessions/{public_id}/events/",
            }
        )

    @extend_schema(
        request=None, responses={200: StatusResponseSerializer, 400: BAD_REQUEST, 404: NOT_FOUND}
    )
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, public_id: str) -> Response:
        """The kill switch: the facilitator stops at once, for both people."""
        session, participant = self._session_for(public_id)
        return Response({"status": facilitation.pause(session, participant).status})

    @extend_schema(
        request=None, responses={200: StatusResponseSerializer, 400: BAD_REQUEST, 404: NOT_FOUND}
    )
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, public_id: str) -> Response:
        session, participant = self._session_for(public_id)
        return Response({"status": facilitation.resume(session, participant).status})

    @extend_schema(
        request=None,
        responses={200: EndSessionResponseSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def end(self, request: Request, public_id: str) -> Response:
        session, participant = self._session_for(public_id)
        ended = facilitation.end(session, participant)
        return Response({"status": ended.status, "summaryAvailable": False})

    @extend_schema(
        request=None,
        responses={200: ExtendResponseSerializer, 400: BAD_REQUEST, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, public_id: str) -> Response:
        """A few more minutes for a live session (twice at most); both people are told."""
        session, participant = self._session_for(public_id)
        extended = facilitation.extend_time(session, participant)
        return Response(
            {
                "status": extended.status,
                "extraMinutes": facilitation.EXTENSION_MINUTES,
                "endsAt": facilitation.ends_at(extended),
                "extensionsLeft": facilitation.extensions_left(extended),
            }
        )
