"""The recap on the wire (spec §5.2 SessionSummary, camelCase), and what may be sent back."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sessions.models import Participant
from summaries.models import (
    ACTION_TEXT_MAX,
    AGREEMENT_TITLE_MAX,
    COMMENT_MAX,
    DESCRIPTION_MAX,
    ActionItem,
    Agreement,
    Commitment,
    Owner,
    Rating,
)
from summaries.presenting import Recap
from summaries.talk import shares_and_status

BOTH = "both"


def owner_on_wire(owner: str, people: tuple[Participant, Participant]) -> str | None:
    return {
        Owner.CREATOR: people[0].public_id,
        Owner.INVITEE: people[1].public_id,
        Owner.BOTH: BOTH,
    }.get(owner)


def _shared(item: Agreement | ActionItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "version": item.version,
        "confirmedBy": [p.public_id for p in item.confirmed_by.all()],
        "createdBy": item.created_by.public_id if item.created_by else None,
        "updatedAt": item.updated_at,
    }


def agreement(item: Agreement) -> dict[str, Any]:
    return {"title": item.title, "description": item.description, **_shared(item)}


def action_item(item: ActionItem, people: tuple[Participant, Participant]) -> dict[str, Any]:
    return {
        "text": item.text,
        "owner": owner_on_wire(item.owner, people),
        "commitment": item.commitment,
        "quote": item.quote,
        **_shared(item),
    }


def summary(recap: Recap) -> dict[str, Any]:
    """The spec's SessionSummary (sessionId, durationMinutes, consensusSummary, actionItems as
    text, balance, interventionCount, keyAgreements), and more beside it."""
    data = recap.summary
    assert data is not None
    talk = data.talk or {}
    people = recap.people
    totals = talk.get("speakingMs") or [0, 0]
    balance = None
    if any(totals):
        shares, status = shares_and_status(*totals)
        balance = {
            "participantA": _side(people[0], shares[0]),
            "participantB": _side(people[1], shares[1]),
            "status": status,
        }
    size = talk.get("bucketMs") or 0
    actions = [s.item for s in recap.actions]
    return {
        "sessionId": recap.session.public_id,
        "status": data.status,
        "durationMinutes": round((talk.get("durationMs") or 0) / 60_000),
        "consensusSummary": data.consensus,
        "actionItems": [item.text for item in actions],
        "balance": balance,
        "interventionCount": len(talk.get("interventions", [])),
        "keyAgreements": [agreement(s.item) for s in recap.agreements],
        "actionItemDetails": [action_item(item, people) for item in actions],
        "openDisagreements": data.open_points,
        "madeOffline": data.made_offline,
        "offlineReason": data.offline_because,
        "talkOverTime": {
            "bucketMs": size,
            "buckets": [
                {
                    "startMs": index * size,
                    "endMs": (index + 1) * size,
                    "speakingMs": {people[0].public_id: first, people[1].public_id: second},
                }
                for index, (first, second) in enumerate(talk.get("buckets", []))
            ],
        },
        "interventions": talk.get("interventions", []),
        "readyAt": data.ready_at,
    }


def _side(participant: Participant, share: int) -> dict[str, Any]:
    return {"id": participant.public_id, "name": participant.display_name, "percentage": share}


def rating(item: Rating | None) -> dict[str, Any] | None:
    if item is None:
        return None
    return {"score": item.score, "comment": item.comment, "updatedAt": item.updated_at}


def _text(value: str) -> str:
    return " ".join(value.split())


class AgreementInput(serializers.Serializer):
    title = serializers.CharField(max_length=AGREEMENT_TITLE_MAX)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX, allow_blank=True, required=False, default=""
    )
    version = serializers.IntegerField(
        min_value=1, required=False, help_text="The version you edited: a newer one is a 409."
    )

    def validate_title(self, value: str) -> str:
        if not _text(value):
            raise serializers.ValidationError("This field may not be blank.")
        return _text(value)

    def validate_description(self, value: str) -> str:
        return value.strip()


class ActionItemInput(serializers.Serializer):
    text = serializers.CharField(max_length=ACTION_TEXT_MAX)
    owner = serializers.CharField(
        allow_null=True,
        required=False,
        default=None,
        help_text="A participant id, both, or null for nobody yet.",
    )
    commitment = serializers.ChoiceField(
        choices=Commitment.choices, required=False, default=Commitment.COMMITTED
    )
    version = serializers.IntegerField(min_value=1, required=False)

    def validate_text(self, value: str) -> str:
        if not _text(value):
            raise serializers.ValidationError("This field may not be blank.")
        return _text(value)

    def validate_owner(self, value: str | None) -> str:
        people: tuple[Participant, Participant] = self.context["people"]
        roles = {people[0].public_id: Owner.CREATOR, people[1].public_id: Owner.INVITEE}
        if value is None:
            return Owner.UNASSIGNED
        if value == BOTH:
            return Owner.BOTH
        if value not in roles:
            raise serializers.ValidationError("Use a participant id of this session, or both.")
        return roles[value]


class RatingInput(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(
        max_length=COMMENT_MAX, allow_blank=True, required=False, default=""
    )

    def validate_comment(self, value: str) -> str:
        return value.strip()


class RetryInput(serializers.Serializer):
    offline = serializers.BooleanField(
        required=False, default=False, help_text="Make it without OpenAI this time."
    )
