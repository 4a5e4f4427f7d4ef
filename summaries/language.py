"""What a sentence does, by plain rules: commits to something, hedges, proposes, agrees.

Used by the offline recap (which quotes the sentences it finds) and to keep hedges hedged in
any recap: "I might call the bank" is never a commitment, "I will call the bank" is.
"""

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[\"“'(]?[A-Z0-9])")
# Typographic apostrophes are read as plain ones.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'"})


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b", re.IGNORECASE)


HEDGE = _words(
    r"might",
    r"maybe",
    r"perhaps",
    r"possibly",
    r"probably",
    r"hopefully",
    r"ideally",
    r"(?:I|we) (?:may|could|should)",
    r"(?:I'll|I will|we'll|we will) try",
    r"try(?:ing)? to",
    r"(?:I|we) (?:would|'d) like to",
    r"I'd like to",
    r"if (?:I|we) (?:can|have time|get the chance)",
    r"not sure",
    r"I guess",
    r"I suppose",
    r"I think (?:I'll|I will|we'll|we will|we should)",
    r"think about",
    r"consider",
)
COMMITMENT = _words(
    r"I will",
    r"I'll",
    r"I am going to",
    r"I'm going to",
    r"I'm gonna",
    r"I promise",
    r"we will",
    r"we'll",
    r"we are going to",
    r"we're going to",
    r"let's",
)
TENTATIVE_ACTION = _words(
    r"(?<!nothing )(?<!what )I (?:might|may|could)", r"maybe I(?:'ll| will)?", r"I'd like to"
)
# "I'll be honest" commits to nothing; "you always say we'll..." reports someone else's words.
SPEECH_ACT = _words(
    r"(?:I'll|I will) (?:be honest|admit|say|tell you|give you that|grant you|bet)",
    r"(?:we'll|we will) see",
    r"(?:say|says|said|told (?:me|you|us|him|her)) (?:that )?(?:I|we|you|he|she|they)(?:'ll| will)",
)
FIRST_PERSON_PLURAL = _words(r"we", r"we'll", r"we're", r"let's", r"us", r"our")
DECISION = _words(
    r"we (?:both )?agree(?:d)?",
    r"we(?:'ve| have)? decided",
    r"(?:so )?the plan is",
    r"we settled on",
)
PROPOSAL = _words(
    r"what if",
    r"how about",
    r"could you",
    r"can we",
    r"should we",
    r"shall we",
    r"why don't we",
    r"let's",
    r"maybe",
    r"I suggest",
    r"I propose",
    r"would you",
)
ASSENT = re.compile(
    r"^(?:agreed|deal|that works(?: for me)?|fine by me|sounds good|i'd take that|"
    r"i agree|yes|yes,? let's|perfect|done)\b",
    re.IGNORECASE,
)
DISAGREEMENT = _words(
    r"I (?:don't|do not) agree",
    r"I disagree",
    r"I'm not (?:okay|ok|comfortable) with",
    r"that doesn't work for me",
    r"we (?:still )?(?:need|have) to (?:decide|figure out|talk about)",
    r"we haven't (?:decided|agreed)",
    r"let's come back to",
    r"not sure (?:about|that)",
)


def normalise(text: str) -> str:
    return " ".join(text.translate(_APOSTROPHES).split())


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(normalise(text)) if part.strip()]


def is_question(sentence: str) -> bool:
    return sentence.rstrip("\"”' )").endswith("?")


def is_hedged(text: str) -> bool:
    return bool(HEDGE.search(normalise(text)))


def is_action(sentence: str) -> bool:
    """Someone says what they (or both) will, or might, do."""
    text = normalise(sentence)
    if is_question(text) or SPEECH_ACT.search(text):
        return False
    return bool(COMMITMENT.search(text) or TENTATIVE_ACTION.search(text))


def is_shared(sentence: str) -> bool:
    return bool(FIRST_PERSON_PLURAL.search(normalise(sentence))) and not re.search(
        r"\bI(?:'ll| will| might| may| could|'m going to)\b", normalise(sentence)
    )


def states_decision(sentence: str) -> bool:
    return not is_question(sentence) and bool(DECISION.search(normalise(sentence)))


def proposes(sentence: str) -> bool:
    return is_question(sentence) or bool(PROPOSAL.search(normalise(sentence)))


def assents(sentence: str) -> bool:
    return bool(ASSENT.match(normalise(sentence)))


def disagrees(sentence: str) -> bool:
    return bool(DISAGREEMENT.search(normalise(sentence)))
