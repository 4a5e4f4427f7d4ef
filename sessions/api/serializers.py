"""The spec's JSON shapes (§5.2, §6.1): camelCase on the wire, snake_case in the models."""

from django.utils import timezone
from rest_framework import serializers

from accounts.names import EMPTY_NAME_MESSAGE, normalise_name
from facilitation.engine import SETUP_SWITCHES
from personas.models import Persona
from sessions.meeting_urls import meeting_url_error
from sessions.models import (
    GOAL_MAX_LENGTH,
    MAX_DURATION_MINUTES,
    MIN_DURATION_MINUTES,
    Participant,
    Platform,
    Session,
    Status,
)

DEFAULT_PERSONA = "neutral_mediator"


class ParticipantSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id")
    name = serializers.CharField(source="display_name")
    consented = serializers.BooleanField()

    class Meta:
        model = Participant
        fields = ["id", "name", "role", "consented"]


class FacilitatorSerializer(serializers.Serializer):
    persona = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Persona.objects.active(),
        error_messages={"does_not_exist": "Unknown or inactive persona {value}."},
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        for switch in SETUP_SWITCHES:
            fields[switch.wire] = serializers.BooleanField(
                source=switch.name, default=switch.default
            )
        return fields


class SessionSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="public_id")
    relationshipContext = serializers.CharField(source="relationship_context")
    meetingUrl = serializers.CharField(source="meeting_url", allow_null=True)
    durationMinutes = serializers.IntegerField(source="duration_minutes")
    scheduledAt = serializers.DateTimeField(source="scheduled_at", allow_null=True)
    participants = ParticipantSerializer(many=True)
    facilitator = FacilitatorSerializer(source="*", read_only=True)
    createdAt = serializers.DateTimeField(source="created_at")
    startedAt = serializers.DateTimeField(source="started_at", allow_null=True)
    endedAt = serializers.DateTimeField(source="ended_at", allow_null=True)
    botId = serializers.CharField(source="bot_id", allow_null=True)
    clientId = serializers.CharField(source="client_id", allow_null=True)

    class Meta:
        model = Session
        fields = [
            "id",
            "title",
            "goal",
            "relationshipContext",
            "platform",
            "meetingUrl",
            "durationMinutes",
            "scheduledAt",
            "status",
            "participants",
            "facilitator",
            "createdAt",
            "startedAt",
            "endedAt",
            "botId",
            "clientId",
        ]

    def to_representation(self, session: Session) -> dict[str, object]:
        # Written out: DRF builds every field of a serializer anew for each instance it
        # renders, a good part of the API's time. The fields above still describe it (the
        # OpenAPI schema), and test_api_representation holds the two to the same output.
        return {
            "id": session.public_id,
            "title": session.title,
            "goal": session.goal,
            "relationshipContext": session.relationship_context,
            "platform": session.platform,
            "meetingUrl": session.meeting_url or None,
            "durationMinutes": session.duration_minutes,
            "scheduledAt": _DATETIME.to_representation(session.scheduled_at),
            "status": session.status,
            "participants": [
                {
                    "id": participant.public_id,
                    "name": participant.display_name,
                    "role": participant.role,
                    "consented": participant.consented,
                }
                for participant in session.participants.all()
            ],
            "facilitator": {
                "persona": session.persona.slug,
                **{switch.wire: getattr(session, switch.name) for switch in SETUP_SWITCHES},
            },
            "createdAt": _DATETIME.to_representation(session.created_at),
            "startedAt": _DATETIME.to_representation(session.started_at),
            "endedAt": _DATETIME.to_representation(session.ended_at),
            "botId": session.bot_id or None,
            "clientId": session.client_id or None,
        }


# Renders a time as every DateTimeField of the API does (ISO 8601 in the current zone).
_DATETIME = serializers.DateTimeField()


def _clean(value: str) -> str:
    return " ".join(value.split())


class NameField(serializers.CharField):
    """A person's name, normalised as on every other way in (accounts/names.py)."""

    def to_internal_value(self, data: object) -> str:
        name = normalise_name(super().to_internal_value(data))
        if not name:
            raise serializers.ValidationError(EMPTY_NAME_MESSAGE)
        return name


class CreateSessionSerializer(serializers.Serializer):
    goal = serializers.CharField(max_length=GOAL_MAX_LENGTH)
    relationshipContext = serializers.CharField(max_length=120)
    partnerName = NameField(max_length=80)
    creatorName = NameField(max_length=80, required=False)
    title = serializers.CharField(max_length=120, required=False)
    facilitator = FacilitatorSerializer(required=False)
    durationMinutes = serializers.IntegerField(
        min_value=MIN_DURATION_MINUTES, max_value=MAX_DURATION_MINUTES, default=30
    )
    scheduledAt = serializers.DateTimeField(required=False, allow_null=True, default=None)
    platform = serializers.ChoiceField(choices=Platform.choices, default=Platform.DIADI)
    meetingUrl = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")

    def validate_goal(self, value: str) -> str:
        return _clean(value)

    def validate_scheduledAt(self, value: object) -> object:
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("Must be in the future.")
        return value

    def validate(self, attrs: dict) -> dict:
        for key in ("goal", "relationshipContext"):
            if not attrs[key].strip():
                raise serializers.ValidationError({key: "This field may not be blank."})
        url = attrs["meetingUrl"].strip()
        if url and (error := meeting_url_error(attrs["platform"], url)):
            raise serializers.ValidationError({"meetingUrl": error})
        attrs["meetingUrl"] = "" if attrs["platform"] == Platform.DIADI else url
        if "facilitator" not in attrs:
            persona = Persona.objects.active().filter(slug=DEFAULT_PERSONA).first()
            if persona is None:
                raise serializers.ValidationError({"facilitator": "Choose a facilitator persona."})
            attrs["facilitator"] = {
                "persona": persona,
                **{switch.name: switch.default for switch in SETUP_SWITCHES},
            }
        return attrs


class CreateSessionResponseSerializer(serializers.Serializer):
    sessionId = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    inviteLink = serializers.URLField()
    inviteToken = serializers.CharField()


class ConsentSerializer(serializers.Serializer):
    inviteToken = serializers.CharField(max_length=128)
    inviteeName = NameField(max_length=80)
    consented = serializers.BooleanField()


class ConsentResponseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    participants = ParticipantSerializer(many=True)


class ListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


class StartSessionSerializer(serializers.Serializer):
    meetingUrl = serializers.CharField(max_length=500, required=False, allow_blank=True)


class StartSessionResponseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)
    botId = serializers.CharField(allow_null=True)
    clientId = serializers.CharField()
    eventUrl = serializers.CharField()


class StatusResponseSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices)


class EndSessionResponseSerializer(StatusResponseSerializer):
    summaryAvailable = serializers.BooleanField(help_text="Whether the recap is ready now.")
    summaryStatus = serializers.CharField(
        help_text="pending or running while it is made, then ready (or failed)."
    )


class ExtendResponseSerializer(StatusResponseSerializer):
    extraMinutes = serializers.IntegerField(help_text="Minutes this request added.")
    endsAt = serializers.DateTimeField(
        allow_null=True, help_text="When the planned time now runs out (wall clock)."
    )
    extensionsLeft = serializers.IntegerField()
