"""The offline transcript classifier: transparent phrase lists, no model, same text → same answer.

Used when no OpenAI key is set. It errs on the side of quiet: a missed signal only means a
prompt the facilitator could have made; a false one blocks or triggers a prompt for nothing.
"""

import re

from .signals import Signals

# Each occurrence of one of these raises the tension by TENSION_STEP: two make an escalation.
TENSION_PATTERNS = (
    r"you always",
    r"you never",
    r"every single time",
    r"nothing ever",
    r"sick (?:and tired )?of",
    r"fed up",
    r"tired of",
    r"ridiculous",
    r"whatever",
    r"unbelievable",
    r"(?:i )?can't believe you",
    r"how dare",
    r"shut up",
    r"your fault",
    r"that's not true",
    r"are you kidding",
    r"you don't listen",
    r"listen to me",
    r"don't care",
    r"selfish",
    r"pathetic",
    r"stupid",
    r"nonsense",
    r"i'm done",
)
TENSION_STEP = 0.35

DISCLOSURE_PATTERNS = (
    # "I feel like / that" gives an opinion, not a feeling.
    r"i (?:feel|felt)(?! like| that)",
    r"scared",
    r"afraid",
    r"hurt",
    r"ashamed",
    r"embarrassed",
    r"lonely",
    r"anxious",
    r"i've never told",
    r"i never told",
    r"hard for me to say",
    r"i'm struggling",
    r"i cried",
    r"depressed",
    r"overwhelmed",
    r"vulnerable",
)

REPAIR_PATTERNS = (
    r"i'm sorry",
    r"i am sorry",
    r"i apologi[sz]e",
    r"you're right",
    r"you are right",
    r"i hear you",
    r"that's fair",
    r"fair enough",
    r"my fault",
    r"my bad",
    r"i didn't mean",
    r"i see your point",
    r"let's start over",
)

_STOP_WORDS_TEXT = """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't could couldn't did didn't do does doesn't
    doing don't down during each even few for from further get gets getting got had hadn't has
    hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his
    how how's i i'd i'll i'm i've if in into is isn't it it's its itself just know let's like
    maybe me more most much mustn't my myself need no nor not now of off oh ok okay on once only
    or other ought our ours ourselves out over own really right same say said she she'd she'll
    she's should shouldn't so some still such than that that's the their theirs them themselves
    then there there's these they they'd they'll they're they've thing things think this those
    through to too under until up us very want was wasn't way we we'd we'll we're we've well
    were weren't what what's when when's where where's which while who who's whom why why's will
    with won't would wouldn't yeah yes yet you you'd you'll you're you've your yours yourself
    yourselves
"""
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())
GOAL_PREFIX = 5
MIN_WORDS_TO_JUDGE_GOAL = 8

_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")


def _compile(patterns: tuple[str, ...]) -> re.Pattern[str]:
    # Whole words only: "hurt" must not fire inside "shirt".
    return re.compile(r"(?<![a-z'])(?:" + "|".join(patterns) + r")(?![a-z'])")


_TENSION = _compile(TENSION_PATTERNS)
_DISCLOSURE = _compile(DISCLOSURE_PATTERNS)
_REPAIR = _compile(REPAIR_PATTERNS)


def _normalise(text: str) -> str:
    return " ".join(text.lower().replace("\u2019", "'").replace("\u2018", "'").split())


def _content_words(text: str) -> list[str]:
    return [word for word in _WORD.findall(text) if word not in STOP_WORDS and len(word) > 2]


def goal_keys(goal: str) -> frozenset[str]:
    """The goal's content words, cut to a prefix so "budget" also matches "budgeting"."""
    return frozenset(word[:GOAL_PREFIX] for word in _content_words(_normalise(goal)))


def classify(text: str, goal: str) -> Signals:
    normalised = _normalise(text)
    tension = min(1.0, round(len(_TENSION.findall(normalised)) * TENSION_STEP, 2))
    return Signals(
        tension=tension,
        emotional_disclosure=_DISCLOSURE.search(normalised) is not None,
        repair_attempt=_REPAIR.search(normalised) is not None,
        on_goal=_on_goal(_content_words(normalised), goal_keys(goal)),
    )


def _on_goal(words: list[str], keys: frozenset[str]) -> bool | None:
    if not keys:
        return None
    if any(word[:GOAL_PREFIX] in keys for word in words):
        return True
    return False if len(words) >= MIN_WORDS_TO_JUDGE_GOAL else None
