"""The recap page and what its forms do. Every view goes through sessions' one door
(get_for_page): the session's two people get in, everybody else gets 404.

A form posted by htmx gets back the part of the page it changed; without JavaScript the
browser is sent back to the page. Bad input is shown next to the field and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms as django_forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from facilitation import services as facilitation
from sessions import services as sessions
from sessions.errors import ErrorCode, SessionError
from sessions.models import Participant, Session
from summaries import export, services, transcript
from summaries.forms import ActionItemForm, AgreementForm, RatingForm
from summaries.presenting import Recap, Shared

PAGE = "summaries/recap.html"
# ?part= of the page -> the partial of recap.html that draws it.
PARTS = {
    "all": "recap",
    "agreements": "agreements",
    "actions": "actions",
    "transcript": "transcript",
    "rating": "rating",
}
SEARCH_MAX = 100


@dataclass(frozen=True)
class Row:
    """An item as listed, with its edit form (open, with errors or a conflict, after a save
    that did not go through)."""

    shared: Shared
    form: django_forms.Form
    open: bool = False
    conflict: bool = False


@dataclass(frozen=True)
class Attempt:
    """A form that did not go through, shown again as the person left it."""

    kind: str
    form: django_forms.Form
    item_id: int | None = None
    conflict: bool = False


def _form_class(kind: str) -> type[AgreementForm] | type[ActionItemForm]:
    return AgreementForm if kind == services.AGREEMENTS else ActionItemForm


def _make_form(kind: str, recap: Recap, **kwargs: Any) -> django_forms.Form:
    if kind == services.ACTIONS:
        return ActionItemForm(owners=recap.owner_choices, **kwargs)
    return AgreementForm(**kwargs)


def _rows(kind: str, recap: Recap, attempt: Attempt | None) -> list[Row]:
    rows = []
    items = recap.agreements if kind == services.AGREEMENTS else recap.actions
    fields = _form_class(kind).base_fields
    for shared in items:
        item = shared.item
        if attempt and attempt.kind == kind and attempt.item_id == item.pk:
            rows.append(Row(shared, attempt.form, open=True, conflict=attempt.conflict))
            continue
        initial = {name: getattr(item, name) for name in fields}
        form = _make_form(kind, recap, initial=initial, auto_id=f"{kind}-{item.pk}-%s")
        rows.append(Row(shared, form))
    return rows


def _context(
    request: HttpRequest,
    session: Session,
    you: Participant,
    *,
    attempt: Attempt | None = None,
    rating_form: RatingForm | None = None,
) -> dict[str, Any]:
    recap = services.recap_for(session, you)
    query = request.GET.get("q", "").strip()[:SEARCH_MAX]
    lines = facilitation.transcript_for(session) if recap.is_ready else []

    def new(kind: str) -> django_forms.Form:
        if attempt and attempt.kind == kind and attempt.item_id is None:
            return attempt.form
        return _make_form(kind, recap, auto_id=f"new-{kind}-%s")

    if rating_form is None:
        rating = recap.rating
        initial = {"score": rating.score, "comment": rating.comment} if rating else {}
        rating_form = RatingForm(initial=initial, auto_id="rating-%s")
    return {
        "session": session,
        "you": you,
        "recap": recap,
        "agreements": _rows(services.AGREEMENTS, recap, attempt),
        "actions": _rows(services.ACTIONS, recap, attempt),
        "new_agreement": new(services.AGREEMENTS),
        "new_action": new(services.ACTIONS),
        "adding_agreements": new(services.AGREEMENTS).is_bound,
        "adding_actions": new(services.ACTIONS).is_bound,
        "rating_form": rating_form,
        "query": query,
        "lines": transcript.search(lines, query),
        "has_transcript": bool(transcript.spoken(lines)),
    }


def _answer(
    request: HttpRequest, public_id: str, part: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    if request.htmx:
        # htmx swaps only successful answers: a form shown again with its errors is a 200.
        return render(request, f"{PAGE}#{PARTS[part]}", context)
    if status != 200:
        return render(request, PAGE, context, status=status)
    anchor = {"agreements": "#agreements", "actions": "#actions", "rating": "#rating"}
    return redirect(reverse("recap", args=[public_id]) + anchor.get(part, ""))


def recap(request: HttpRequest, public_id: str) -> HttpResponse:
    session, you = sessions.get_for_page(request, public_id)
    context = _context(request, session, you)
    part = PARTS.get(request.GET.get("part", "")) if request.htmx else None
    return render(request, f"{PAGE}#{part}" if part else PAGE, context)


def _kind(kind: str) -> str:
    if kind not in services.KINDS:
        raise Http404("No such list")
    return kind


@require_POST
def add_item(request: HttpRequest, public_id: str, kind: str) -> HttpResponse:
    session, you = sessions.get_for_page(request, public_id)
    kind = _kind(kind)
    recap_now = services.recap_for(session, you)
    form = _make_form(kind, recap_now, data=request.POST, auto_id=f"new-{kind}-%s")
    if not form.is_valid():
        context = _context(request, session, you, attempt=Attempt(kind, form))
        return _answer(request, public_id, kind, context, status=400)
    try:
        services.add(session, kind, you, form.cleaned_data)
    except SessionError as exc:
        messages.error(request, exc.message)
    return _answer(request, public_id, kind, _context(request, session, you))


@require_POST
def edit_item(request: HttpRequest, public_id: str, kind: str, item_id: int) -> HttpResponse:
    session, you = sessions.get_for_page(request, public_id)
    kind = _kind(kind)
    recap_now = services.recap_for(session, you)
    form = _make_form(kind, recap_now, data=request.POST, auto_id=f"{kind}-{item_id}-%s")
    if not form.is_valid():
        context = _context(request, session, you, attempt=Attempt(kind, form, item_id))
        return _answer(request, public_id, kind, context, status=400)
    try:
        services.edit(
            session,
            kind,
            item_id,
            you,
            form.cleaned_data,
            expected_version=form.cleaned_data.get("version"),
        )
    except SessionError as exc:
        if exc.code != ErrorCode.EDIT_CONFLICT:
            messages.error(request, exc.message)
            return _answer(request, public_id, kind, _context(request, session, you))
        # Keep the person's words; the next save, made knowingly, replaces the other's.
        data = request.POST.copy()
        data["version"] = str(exc.details["version"])
        form = _make_form(kind, recap_now, data=data, auto_id=f"{kind}-{item_id}-%s")
        form.is_valid()
        attempt = Attempt(kind, form, item_id, conflict=True)
        return _answer(
            request, public_id, kind, _context(request, session, you, attempt=attempt), 409
        )
    return _answer(request, public_id, kind, _context(request, session, you))


@require_POST
def confirm_item(request: HttpRequest, public_id: str, kind: str, item_id: int) -> HttpResponse:
    session, you = sessions.get_for_page(request, public_id)
    kind = _kind(kind)
    try:
        services.confirm(
            session, kind, item_id, you, confirmed=request.POST.get("confirmed") != "0"
        )
    except SessionError as exc:
        messages.error(request, exc.message)
    return _answer(request, public_id, kind, _context(request, session, you))


@require_POST
def retry(request: HttpRequest, public_id: str) -> HttpResponse:
    session, you = sessions.get_for_page(request, public_id)
    summary = services.summary_of(session)
    if summary is None or not services.retry(summary, offline=request.POST.get("offline") == "1"):
        messages.error(request, SessionError(ErrorCode.SUMMARY_NOT_RETRYABLE).message)
    return _answer(request, public_id, "all", _context(request, session, you))


@require_POST
def rate(request: HttpRequest, public_id: str) -> HttpResponse:
    session, you = sessions.get_for_page(request, public_id)
    form = RatingForm(request.POST, auto_id="rating-%s")
    if not form.is_valid():
        context = _context(request, session, you, rating_form=form)
        return _answer(request, public_id, "rating", context, status=400)
    try:
        services.rate(session, you, form.cleaned_data["score"], form.cleaned_data["comment"])
    except SessionError as exc:
        messages.error(request, exc.message)
    return _answer(request, public_id, "rating", _context(request, session, you))


def delete(request: HttpRequest, public_id: str) -> HttpResponse:
    session, you = sessions.get_for_page(request, public_id)
    if request.method != "POST":
        return render(request, "summaries/delete.html", {"session": session})
    services.delete_recap(session, you)
    messages.success(request, "The transcript and the recap were deleted, for both of you.")
    return redirect("recap", public_id)


def markdown(request: HttpRequest, public_id: str) -> HttpResponse:
    session, you = sessions.get_for_page(request, public_id)
    recap_now = services.recap_for(session, you)
    if not recap_now.is_ready:
        raise Http404("The recap is not ready")
    text = export.to_markdown(recap_now, facilitation.transcript_for(session))
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    name = slugify(session.title) or "session"
    response["Content-Disposition"] = f'attachment; filename="diadi-recap-{name}.md"'
    return response


def printable(request: HttpRequest, public_id: str) -> HttpResponse:
    session, you = sessions.get_for_page(request, public_id)
    recap_now = services.recap_for(session, you)
    lines = facilitation.transcript_for(session) if recap_now.is_ready else []
    return render(
        request,
        "summaries/print.html",
        {"session": session, "recap": recap_now, "lines": transcript.search(lines, "")},
    )
