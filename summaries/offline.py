"""The recap made without any AI: the sentences of the transcript that state an agreement, a
decision or a next step, quoted as said (hedges kept), and plain facts about the talk.

Rules, in order of turns:
- a turn that opens by assenting ("Agreed.", "Deal, ...", "Fine by me.") makes an agreement of
  what the other person had just proposed (their last proposing sentence, else their first);
- a sentence stating a shared decision ("we agreed", "the plan is") is an agreement;
- a sentence where someone says what they will or might do is an action item: theirs for
  "I", both people's for "we" / "let's"; tentative when hedged, committed otherwise;
- a sentence saying something is not agreed or still open is an open point.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from summaries import language
from summaries.models import Commitment, Owner

TITLE_MAX = 200


@dataclass(frozen=True)
class Turn:
    role: str  # the speaker's role (creator / invitee), "" if unknown
    speaker: str
    text: str


@dataclass
class Findings:
    agreements: list[dict[str, str]] = field(default_factory=list)
    action_items: list[dict[str, str]] = field(default_factory=list)
    open_points: list[str] = field(default_factory=list)


def _quote(text: str) -> str:
    return f"“{text}”"


def _title(sentence: str) -> str:
    return sentence if len(sentence) <= TITLE_MAX else sentence[: TITLE_MAX - 1].rstrip() + "…"


def _proposal(turn: Turn) -> str | None:
    said = language.sentences(turn.text)
    proposing = [s for s in said if language.proposes(s)]
    return proposing[-1] if proposing else (said[0] if said else None)


def find(turns: Sequence[Turn]) -> Findings:
    findings = Findings()
    agreed: set[str] = set()
    previous: Turn | None = None
    for turn in turns:
        said = language.sentences(turn.text)
        if not said:
            continue
        if (
            previous is not None
            and previous.speaker != turn.speaker
            and language.assents(said[0])
            and (proposal := _proposal(previous))
        ):
            agreed.add(proposal)
            findings.agreements.append(
                {
                    "title": _title(proposal),
                    "description": (
                        f"{previous.speaker}: {_quote(proposal)} {turn.speaker}: {_quote(said[0])}"
                    ),
                }
            )
        for sentence in said:
            if sentence in agreed:
                continue
            if language.states_decision(sentence):
                agreed.add(sentence)
                description = f"{turn.speaker}: {_quote(sentence)}"
                findings.agreements.append({"title": _title(sentence), "description": description})
            elif language.is_action(sentence):
                findings.action_items.append(
                    {
                        "text": _title(sentence),
                        "owner": Owner.BOTH if language.is_shared(sentence) else turn.role,
                        "commitment": Commitment.TENTATIVE
                        if language.is_hedged(sentence)
                        else Commitment.COMMITTED,
                        "quote": sentence,
                    }
                )
            elif language.disagrees(sentence):
                findings.open_points.append(f"{turn.speaker}: {_quote(sentence)}")
        previous = turn
    return findings


def consensus(
    *,
    names: tuple[str, str],
    goal: str,
    minutes: int,
    shares: Sequence[int],
    balance_label: str,
    interventions: int,
    findings: Findings | None,
) -> str:
    """A few plain sentences of fact: who, how long, how the talk was shared, what was found."""
    parts = [f"{names[0]} and {names[1]} talked for {minutes} minute{'s' * (minutes != 1)}"]
    parts[0] += f" about “{goal}”." if goal else "."
    if shares:
        parts.append(
            f"{names[0]} spoke {shares[0]} % of the time and {names[1]} {shares[1]} %: "
            f"{balance_label.lower()}."
        )
    parts.append(
        "The facilitator did not step in."
        if interventions == 0
        else f"The facilitator stepped in {interventions} time{'s' * (interventions != 1)}."
    )
    if findings is None:
        parts.append("There is no transcript, so nothing of what was said is summarised here.")
    else:
        parts.append(
            f"{len(findings.agreements)} agreement{'s' * (len(findings.agreements) != 1)} and "
            f"{len(findings.action_items)} next step{'s' * (len(findings.action_items) != 1)} "
            "were found in what you said; they are quoted below as said."
        )
    return " ".join(parts)
