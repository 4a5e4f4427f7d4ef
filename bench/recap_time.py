"""Recap time: from the end of a session to its recap being ready, by Diadi's own work.

A 60-minute (and a 180-minute) conversation of generated turns ends; its recap is made the way
the background task makes it, offline and through a local fake OpenAI that answers after
--model-seconds (a stand-in for the model's own time, which Diadi does not control). Prints how
long each took, how many requests went to "OpenAI" and how big the transcript was.

    python bench/recap_time.py                     # model time 0 s: Diadi's overhead alone
    python bench/recap_time.py --model-seconds 8   # about what a recap takes gpt-4o-mini

Runs in the embedded default (its own SQLite file in var/): no services needed.
"""

import argparse
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATABASE = ROOT / "var" / "bench-recap.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{DATABASE}"
os.environ.pop("REDIS_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "diadi.settings")
sys.path.insert(0, str(ROOT))

SAYINGS = [
    "I think the hardest part for me is the evenings, when we are both tired.",
    "I will look at the calendar tonight and block the Thursdays.",
    "I might ask my sister whether she can help on the weekends.",
    "Can we agree to check in on the first Sunday of the month?",
    "Agreed.",
    "That is not what I meant, and I feel you did not hear the first part.",
    "Maybe we try it for a month and see how it feels.",
    "I'll send you the numbers by Friday, so we both look at the same thing.",
    "I'm not sure about the budget for the holidays yet.",
    "What if we split it by weeks instead of by days?",
]


def _setup() -> None:
    import django

    DATABASE.unlink(missing_ok=True)
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_personas", verbosity=0)


def _ended_session(minutes: int) -> object:
    from django.contrib.auth import get_user_model

    from facilitation.models import TranscriptSegment
    from personas.services import get_active_persona
    from sessions import services
    from sessions.models import Role
    from sessions.state import Action, transition

    user, _ = get_user_model().objects.get_or_create(username="bench")
    session = services.create_demo_session(
        user,
        services.NewSession(
            creator_name="Maya",
            partner_name="David",
            relationship_context="Partners",
            goal="Agree how we share the week",
            persona=get_active_persona("neutral_mediator"),
            duration_minutes=minutes,
        ),
    )
    session = transition(session, Action.START, at_ms=0)
    people = {p.role: p for p in session.participants.all()}
    speakers = [people[Role.CREATOR], people[Role.INVITEE]]
    rng = random.Random(minutes)
    at, rows = 0, []
    while at < minutes * 60_000 - 20_000:
        length = rng.randint(4_000, 16_000)
        words = " ".join(rng.choice(SAYINGS) for _ in range(max(1, length // 5_000)))
        rows.append(
            TranscriptSegment(
                session=session,
                participant=speakers[len(rows) % 2],
                start_ms=at,
                end_ms=at + length,
                text=words,
                source="simulation",
            )
        )
        at += length + rng.randint(300, 1_500)
    TranscriptSegment.objects.bulk_create(rows)
    return session


def _made(session: object, minutes: int) -> tuple[float, object]:
    """Ends the session (its hook queues the recap on a background thread) and waits."""
    from sessions.state import Action, transition
    from summaries.models import Summary

    started = time.perf_counter()
    transition(session, Action.END, at_ms=minutes * 60_000)
    while True:
        summary = Summary.objects.get(session=session)
        if summary.status in (Summary.Status.READY, Summary.Status.FAILED):
            return time.perf_counter() - started, summary
        time.sleep(0.01)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-seconds", type=float, default=0.0)
    args = parser.parse_args()
    _setup()
    from django.conf import settings

    from facilitation.adapters.fake_openai import FakeOpenAI
    from facilitation.services import transcript_for

    fake = FakeOpenAI().start()
    if args.model_seconds:
        fake.slow(args.model_seconds)
    print(f"{'session':>8} {'turns':>6} {'chars':>8} {'how':>8} {'requests':>9} {'seconds':>8}")
    for minutes in (60, 180):
        for how in ("offline", "openai"):
            session = _ended_session(minutes)
            settings.OPENAI_API_KEY = "sk-bench" if how == "openai" else ""
            settings.OPENAI_BASE_URL = fake.url
            settings.OPENAI_TIMEOUT = args.model_seconds + 30
            before = len(fake.requests)
            elapsed, summary = _made(session, minutes)
            lines = transcript_for(session)
            assert summary.status == "ready", summary.reason
            print(
                f"{minutes:>6}mn {len(lines):>6} {sum(len(x.text) for x in lines):>8} "
                f"{how:>8} {len(fake.requests) - before:>9} {elapsed:>8.2f}"
            )
    fake.stop()


if __name__ == "__main__":
    main()
