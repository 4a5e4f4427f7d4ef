"""The recap as a Markdown file to keep: the same content as the page, in plain text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils import timezone

from facilitation.services import TranscriptLine
from summaries import transcript
from summaries.models import Commitment
from summaries.presenting import Recap, Shared

_MARKUP = re.compile(r"([\\`*_\[\]#<>|])")


def _plain(text: str) -> str:
    """Words as said, with Markdown's special characters escaped."""
    return _MARKUP.sub(r"\\\1", " ".join(text.split()))


def _ticks(shared: Shared) -> str:
    return ", ".join(
        f"{c.name} {'confirmed' if c.confirmed else 'not yet'}" for c in shared.confirmations
    )


def to_markdown(recap: Recap, lines: Sequence[TranscriptLine]) -> str:
    session, summary = recap.session, recap.summary
    assert summary is not None
    out = [
        f"# Recap: {_plain(session.title)}",
        "",
        f"- With: {_plain(recap.names[0])} and {_plain(recap.names[1])}",
        f"- Goal: {_plain(session.goal)}",
    ]
    if session.ended_at:
        out.append(f"- Ended: {timezone.localtime(session.ended_at):%d %B %Y, %H:%M}")
    out += [f"- Length: {recap.duration}", f"- Facilitator: {_plain(session.persona.name)}"]
    if summary.made_offline:
        out += ["", f"*Made offline: no AI read this conversation ({summary.offline_because}).*"]
    out += ["", "## Summary", "", _plain(summary.consensus), "", "## Agreements", ""]
    out += [
        f"- **{_plain(s.item.title)}**"
        + (f": {_plain(s.item.description)}" if s.item.description else "")
        + f" ({_ticks(s)})"
        for s in recap.agreements
    ] or ["None recorded."]
    out += ["", "## Action items", ""]
    out += [
        f"- {_plain(s.item.text)} (who: {_plain(s.owner)}; "
        f"{'will do' if s.item.commitment == Commitment.COMMITTED else 'might do'}; {_ticks(s)})"
        for s in recap.actions
    ] or ["None recorded."]
    if summary.open_points:
        out += ["", "## Still open", ""] + [f"- {_plain(point)}" for point in summary.open_points]
    out += ["", "## How the talk was shared", ""]
    if recap.shares:
        out.append(
            " and ".join(f"{_plain(name)} {share} %" for name, share in recap.shares)
            + f" ({recap.balance_label.lower()})."
        )
    if recap.chart is not None:
        out += ["", recap.chart.description, "", "| Time | " + " | ".join(recap.names) + " |"]
        out.append("|---|---|---|")
        out += [
            f"| {bar.span} | {bar.shares[0]} % | {bar.shares[1]} % |"
            if bar.shares
            else f"| {bar.span} | - | - |"
            for bar in recap.chart.bars
        ]
    out += ["", "## What the facilitator did", ""]
    out += [
        f"- {p.at} {p.kind} ({p.modality.lower()}, for {_plain(p.target)}): {_plain(p.message)}"
        + (f" ({_plain('; '.join(p.answers))})" if p.answers else "")
        for p in recap.prompts
    ] or ["Nothing: the facilitator did not step in."]
    spoken = transcript.spoken(lines)
    if spoken:
        out += ["", "## Transcript", ""]
        out += [f"- {_plain(transcript.written(line))}" for line in spoken]
    return "\n".join(out) + "\n"
