"""The recap is shared truth: either person adds or edits agreements and action items, and
each confirms them. An edit is the editor's own word (their confirmation stays or is added)
and clears the other person's, who must confirm the new wording again.

Every change locks the recap's row first, so two people saving at once take turns; an edit
made on an older version of an item is refused (EDIT_CONFLICT) rather than silently lost.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F

from sessions.errors import ErrorCode, SessionError
from sessions.models import Participant, Session
from summaries.live import announce_on_commit
from summaries.models import ActionItem, Agreement, Rating, Summary

AGREEMENTS = "agreements"
ACTIONS = "actions"
KINDS: dict[str, type[Agreement] | type[ActionItem]] = {AGREEMENTS: Agreement, ACTIONS: ActionItem}
FIELDS = {AGREEMENTS: ("title", "description"), ACTIONS: ("text", "owner", "commitment")}


def _locked_ready_summary(session: Session) -> Summary:
    summary = Summary.objects.select_for_update().filter(session=session).first()
    if summary is None or not summary.is_ready:
        raise SessionError(ErrorCode.SUMMARY_NOT_AVAILABLE)
    return summary


def _changed(summary: Summary, session: Session, kind: str) -> None:
    Summary.objects.filter(pk=summary.pk).update(version=F("version") + 1)
    announce_on_commit(session.pk, session.public_id, kind)


def _item(summary: Summary, kind: str, item_id: int) -> Agreement | ActionItem:
    item = KINDS[kind].objects.select_for_update().filter(summary=summary, pk=item_id).first()
    if item is None:
        raise SessionError(ErrorCode.RECAP_ITEM_NOT_FOUND)
    return item


def add(
    session: Session, kind: str, by: Participant, values: dict[str, Any]
) -> Agreement | ActionItem:
    """A new agreement or action item, written (and so confirmed) by `by`."""
    with transaction.atomic():
        summary = _locked_ready_summary(session)
        model = KINDS[kind]
        last = model.objects.filter(summary=summary).order_by("-position").first()
        item = model.objects.create(
            summary=summary,
            position=(last.position + 1) if last else 0,
            created_by=by,
            edited_by=by,
            **{name: values[name] for name in FIELDS[kind] if name in values},
        )
        item.confirmed_by.add(by)
        _changed(summary, session, kind)
    return item


def edit(
    session: Session,
    kind: str,
    item_id: int,
    by: Participant,
    values: dict[str, Any],
    *,
    expected_version: int | None = None,
) -> Agreement | ActionItem:
    """New wording for an item. `expected_version`, when given, must be the item's current
    version: otherwise the other person changed it meanwhile and EDIT_CONFLICT says so."""
    with transaction.atomic():
        summary = _locked_ready_summary(session)
        item = _item(summary, kind, item_id)
        if expected_version is not None and expected_version != item.version:
            raise SessionError(ErrorCode.EDIT_CONFLICT, details={"version": item.version})
        changes = {
            name: values[name]
            for name in FIELDS[kind]
            if name in values and getattr(item, name) != values[name]
        }
        if not changes:
            return item
        for name, value in changes.items():
            setattr(item, name, value)
        item.edited_by = by
        item.version += 1
        item.save()
        item.confirmed_by.set([by])
        _changed(summary, session, kind)
    return item


def confirm(
    session: Session, kind: str, item_id: int, by: Participant, *, confirmed: bool = True
) -> Agreement | ActionItem:
    """Tick (or untick) an item for `by`."""
    with transaction.atomic():
        summary = _locked_ready_summary(session)
        item = _item(summary, kind, item_id)
        already = item.confirmed_by.filter(pk=by.pk).exists()
        if already != confirmed:
            (item.confirmed_by.add if confirmed else item.confirmed_by.remove)(by)
            _changed(summary, session, kind)
    return item


def rate(session: Session, by: Participant, score: int, comment: str) -> Rating:
    """One rating per person, replaced if they rate again; only once the session ended."""
    if session.ended_at is None:
        raise SessionError(ErrorCode.SESSION_NOT_ENDED)
    rating, _ = Rating.objects.update_or_create(
        session=session, participant=by, defaults={"score": score, "comment": comment}
    )
    return rating
