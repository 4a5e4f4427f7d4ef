"""The offline classifier: plain phrase lists, so its answers can be read off the text."""

import pytest

from facilitation.engine import Signals, classify

GOAL = "Agree on a monthly budget"


def test_plain_talk_says_nothing():
    assert classify("Okay.", GOAL) == Signals()


@pytest.mark.parametrize(
    ("text", "tension"),
    [
        ("Let's look at the numbers.", 0.0),
        ("That's ridiculous.", 0.35),
        ("You never listen and you always interrupt me.", 0.7),
        ("Whatever. I'm sick of this. You never help. Unbelievable.", 1.0),
        ("You NEVER plan anything.", 0.35),
    ],
)
def test_tension_grows_with_blame_and_contempt(text, tension):
    assert classify(text, GOAL).tension == tension


@pytest.mark.parametrize(
    ("text", "disclosure"),
    [
        ("I feel so alone in this, and I'm scared of money.", True),
        ("Honestly I've never told anyone, but I was ashamed.", True),
        ("I feel like we never plan ahead.", False),  # an opinion, not a feeling
        ("I feel that the budget is too tight.", False),
        ("This shirt is nice.", False),  # "hurt" only as a whole word
    ],
)
def test_it_recognises_emotional_disclosures(text, disclosure):
    assert classify(text, GOAL).emotional_disclosure is disclosure


@pytest.mark.parametrize(
    ("text", "repair"),
    [
        ("I'm sorry, that was unfair.", True),
        ("You\u2019re right.", True),  # a typographic apostrophe, as transcripts have
        ("That's fair. What would help?", True),
        ("I hear you.", True),
        ("The rent is due on Friday.", False),
    ],
)
def test_it_recognises_repair_attempts(text, repair):
    assert classify(text, GOAL).repair_attempt is repair


@pytest.mark.parametrize(
    ("text", "on_goal"),
    [
        ("Can we set the budget first?", True),
        ("I'd like us to agree before Friday.", True),
        ("Budgeting is hard for me.", True),  # the same 5-letter stem
        ("Okay, sounds good.", None),  # too short to tell
        (
            "Did you see the match last night? The second half was incredible, "
            "especially that goal from the corner.",
            False,
        ),
    ],
)
def test_it_tells_whether_an_utterance_is_on_goal(text, on_goal):
    assert classify(text, GOAL).on_goal is on_goal


def test_without_a_goal_nothing_is_off_goal():
    text = "Did you see the match last night? The second half was incredible."
    assert classify(text, "").on_goal is None


def test_the_same_text_always_gets_the_same_answer():
    text = "You always say that, and honestly I feel hurt. I'm sorry, the budget matters."
    assert classify(text, GOAL) == classify(text, GOAL)
