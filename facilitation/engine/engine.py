"""The facilitation engine: speech, signals and time in, events out (DESIGN.md "Facilitation
rules"). Pure: it reads time only from the Clock it is given and keeps everything in memory;
the runtime feeds it, calls tick() every Thresholds.tick_ms, and persists what comes back."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .announcements import MINUTE_MS, Announcements
from .clock import Clock
from .events import INTERVENTION, PARTICIPANT_STATUS, Event, in_order
from .policy import (
    BALANCE,
    ESCALATION,
    GOAL_DRIFT,
    ICEBREAKER,
    SILENCE,
    TIME_WARNING,
    VISUAL,
    VOICE,
    Candidate,
    HeldClock,
    InterventionLog,
)
from .prompts import PromptBook
from .signals import SignalLog, Signals
from .switches import DEFAULT_TOGGLES, Toggles
from .talk import TalkTracker, balance_status, talk_shares
from .thresholds import DEFAULT_THRESHOLDS, Thresholds

SPEAKING = "speaking"
LISTENING = "listening"
# A person whose microphone is off, or whose audio stopped coming.
MUTED = "muted"
DISCONNECTED = "disconnected"
MICROPHONE_STATUSES = (LISTENING, MUTED, DISCONNECTED)
PREPARING = "preparing"
INTERVENING = "intervening"
PAUSED = "paused"


@dataclass(frozen=True)
class ParticipantInfo:
    """One of the two people: first the creator (A), then the invitee (B)."""

    id: str
    name: str


class FacilitationEngine:
    """One session's facilitator. Feed it speech (speech_started / speech_stopped), the
    signals of finished utterances (observe), the kill switch (pause / resume) and settings
    (update_toggles); every call that returns events returns them ready to persist and send."""

    def __init__(
        self,
        *,
        participants: tuple[ParticipantInfo, ParticipantInfo],
        duration_ms: int,
        clock: Clock,
        goal: str = "",
        templates: Mapping[str, str] | None = None,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
        toggles: Toggles = DEFAULT_TOGGLES,
    ) -> None:
        if len(participants) != 2 or participants[0].id == participants[1].id:
            raise ValueError("a session has exactly two participants with different ids")
        if duration_ms <= 0:
            raise ValueError(f"the duration must be positive, not {duration_ms} ms")
        self._participants = participants
        self._names = {participant.id: participant.name for participant in participants}
        self._duration_ms = duration_ms
        self._clock = clock
        # Without a goal there is nothing to drift from.
        self._tracks_goal = bool(goal.strip())
        self._prompts = PromptBook(templates)
        self._thresholds = thresholds
        self._toggles = toggles
        self._talk = TalkTracker(
            (participants[0].id, participants[1].id), thresholds.interruption_ms
        )
        self._signals = SignalLog(thresholds)
        self._mild = HeldClock()
        self._severe = HeldClock()
        self._said = Announcements(
            duration_ms=duration_ms, balance_interval_ms=thresholds.balance_interval_ms
        )
        self._given = InterventionLog()
        self._intervening_until: int | None = None
        # A voice prompt is due but someone is speaking (AI status "preparing").
        self._voice_waiting = False
        self._queued: list[Event] = []
        self._paused = False
        # Start or resume: silence is measured, and inputs are back-dated, from here.
        self._listening_since = 0
        # People who cannot be heard right now, and why (MUTED or DISCONNECTED).
        self._unheard: dict[str, str] = {}

    # Inputs -------------------------------------------------------------------------------

    def speech_started(self, participant_id: str, at_ms: int | None = None) -> None:
        """`at_ms` back-dates the onset (VAD reports it late); it never goes past now."""
        at = self._input_time(participant_id, at_ms)
        if (
            self._paused
            or self._talk.is_speaking(participant_id)
            or participant_id in self._unheard
        ):
            return
        start = self._talk.start(participant_id, max(at, self._listening_since))
        self._announce(participant_id, SPEAKING, start)

    def speech_stopped(self, participant_id: str, at_ms: int | None = None) -> None:
        at = self._input_time(participant_id, at_ms)
        if self._paused or not self._talk.is_speaking(participant_id):
            return
        self._announce(participant_id, LISTENING, self._talk.stop(participant_id, at))

    def microphone(self, participant_id: str, status: str, at_ms: int | None = None) -> None:
        """A person's microphone was muted or dropped (what they were saying ends), or is
        heard again (LISTENING)."""
        if status not in MICROPHONE_STATUSES:
            raise ValueError(f"a microphone is {', '.join(MICROPHONE_STATUSES)}, not {status!r}")
        at = self._input_time(participant_id, at_ms)
        was = self._unheard.get(participant_id, LISTENING)
        if status == was:
            return
        if self._talk.is_speaking(participant_id):
            self._talk.stop(participant_id, at)
        if status == LISTENING:
            del self._unheard[participant_id]
        else:
            self._unheard[participant_id] = status
        self._announce(participant_id, status, at)

    def observe(self, participant_id: str, signals: Signals, at_ms: int | None = None) -> None:
        """The signals of one finished utterance; `at_ms` is when it ended."""
        at = self._input_time(participant_id, at_ms)
        if self._paused or at < self._listening_since:
            return
        self._signals.record(signals, at)

    def pause(self) -> list[Event]:
        """The kill switch: the AI stops listening and says nothing until resume()."""
        if self._paused:
            return []
        now = self._clock.now_ms()
        for participant_id in self._talk.speaking():
            self._announce(participant_id, LISTENING, self._talk.stop(participant_id, now))
        self._paused = True
        self._mild.reset()
        self._severe.reset()
        self._signals.forget_runs()
        self._voice_waiting = False
        self._intervening_until = None
        return in_order(self._take_queued() + self._ai_status_events(now))

    def resume(self) -> list[Event]:
        if not self._paused:
            return []
        now = self._clock.now_ms()
        self._paused = False
        self._listening_since = now
        return self._ai_status_events(now)

    def update_toggles(self, toggles: Toggles) -> list[Event]:
        """A voice prompt that may no longer be voiced stops waiting at once; everything else
        the new settings change shows on the next tick."""
        self._toggles = toggles
        if not self._voice_waiting or (toggles.facilitated_prompts and toggles.interrupt_authority):
            return []
        self._voice_waiting = False
        return self._ai_status_events(self._clock.now_ms())

    def swap_speakers(self) -> list[Event]:
        """The speaker labels were the wrong way round: who said what so far changes hands,
        and the balance is recomputed on the next tick."""
        now = self._clock.now_ms()
        self._talk.swap()
        first, second = (participant.id for participant in self._participants)
        other = {first: second, second: first}
        for held in (self._mild, self._severe):
            if held.holder is not None:
                held.holder = other[held.holder]
        for participant_id in (first, second):
            speaking = self._talk.is_speaking(participant_id)
            self._announce(participant_id, SPEAKING if speaking else LISTENING, now)
        return []

    def _input_time(self, participant_id: str, at_ms: int | None) -> int:
        if participant_id not in self._names:
            raise ValueError(f"unknown participant {participant_id!r}")
        now = self._clock.now_ms()
        return now if at_ms is None else max(0, min(int(at_ms), now))

    def _announce(self, participant_id: str, status: str, at_ms: int) -> None:
        data = {"participantId": participant_id, "status": status}
        self._queued.append(Event(PARTICIPANT_STATUS, at_ms, data))

    def announcements(self) -> list[Event]:
        """Who started or stopped speaking since the last call or tick, without waiting for
        the next tick: people see it as soon as it is heard. Nothing else changes."""
        return in_order(self._take_queued())

    def _take_queued(self) -> list[Event]:
        queued, self._queued = self._queued, []
        return queued

    # Measurement --------------------------------------------------------------------------

    def tick(self) -> list[Event]:
        """Everything due at the clock's now, in order; call it every Thresholds.tick_ms."""
        now = self._clock.now_ms()
        events = self._take_queued() + self._said.time_remaining(now)
        if not self._paused:
            events += self._said.balance(now, self._balance_at(now))
            tension = (
                self._signals.escalation_tension(now) if self._toggles.tension_monitoring else None
            )
            events += self._said.escalation(now, tension)
            drifting = self._signals.goal_drift_since() if self._tracks_goal else None
            events += self._said.goal_drift(now, drifting)
            events += self._decide(now)
        return in_order(events + self._ai_status_events(now))

    def balance(self) -> dict[str, Any]:
        """The balance_update data for now (cumulative shares)."""
        return self._balance_at(self._clock.now_ms())

    def _balance_at(self, now: int) -> dict[str, Any]:
        t = self._thresholds
        shares = talk_shares(*self._talk.cumulative_ms(now))
        data: dict[str, Any] = {
            side: {"id": participant.id, "name": participant.name, "percentage": share}
            for side, participant, share in zip(
                ("participantA", "participantB"), self._participants, shares, strict=True
            )
        }
        data["status"] = balance_status(shares, t.balanced_max_percent, t.mild_max_percent)
        data["overlaps"] = dict(self._talk.overlaps)
        data["interruptions"] = dict(self._talk.interruptions)
        return data

    def _ai_status_events(self, now: int) -> list[Event]:
        if self._paused:
            status = PAUSED
        elif self._intervening_until is not None and now < self._intervening_until:
            status = INTERVENING
        else:
            status = PREPARING if self._voice_waiting else LISTENING
        return self._said.ai_status(now, status)

    # Interventions ------------------------------------------------------------------------

    def _decide(self, now: int) -> list[Event]:
        """At most one intervention per tick: the most important prompt the gates let through.
        A voice prompt waits while anyone speaks, and holds the slot while it waits."""
        self._update_held_clocks(now)
        candidate = self._choose(now)
        self._voice_waiting = (
            candidate is not None and candidate.modality == VOICE and self._talk.anyone_speaking()
        )
        if candidate is None or self._voice_waiting:
            return []
        return [self._fire(candidate, now)]

    def _update_held_clocks(self, now: int) -> None:
        t = self._thresholds
        window = self._talk.window_ms(now, t.window_ms)
        total = sum(window)
        top = 0 if window[0] >= window[1] else 1
        holder = self._participants[top].id if total >= t.min_window_talk_ms else None
        for clock, percent in (
            (self._mild, t.visual_balance_percent),
            (self._severe, t.voice_balance_percent),
        ):
            clock.update(holder if window[top] * 100 > percent * total else None, now)

    def _choose(self, now: int) -> Candidate | None:
        t, given = self._thresholds, self._given
        if not self._toggles.facilitated_prompts:
            return None
        if given.last_at is not None and now - given.last_at < t.min_gap_ms:
            return None
        if self._signals.blocks(now, disclosures=self._toggles.sentiment_detection):
            return None
        for candidate in self._due(now):
            if candidate.type != TIME_WARNING and now < t.quiet_start_ms:
                continue
            last = given.last_by_type.get(candidate.type)
            if last is None or now - last >= t.same_type_cooldown_ms:
                return candidate
        return None

    def _due(self, now: int) -> list[Candidate]:
        """Every prompt whose condition holds now, most important first."""
        t = self._thresholds
        voice = VOICE if self._toggles.interrupt_authority else VISUAL
        candidates = (
            self._episode_prompt(ESCALATION, self._said.escalation_since, voice),
            self._balance_prompt(self._severe, t.voice_balance_hold_ms, voice, now),
            self._time_warning_prompt(now),
            self._silence_prompt(now),
            self._balance_prompt(self._mild, t.visual_balance_hold_ms, VISUAL, now),
            self._episode_prompt(GOAL_DRIFT, self._said.drift_since, VISUAL),
        )
        return [candidate for candidate in candidates if candidate is not None]

    def _values(self, **people: str) -> dict[str, str]:
        first, second = self._participants
        return {"a": first.name, "b": second.name, **people}

    def _episode_prompt(self, kind: str, since: int | None, modality: str) -> Candidate | None:
        """Escalation and goal drift: one prompt per episode."""
        if since is None or self._given.given_since((kind,), since):
            return None
        return Candidate(kind, modality, None, kind, self._values())

    def _balance_prompt(
        self, clock: HeldClock, hold_ms: int, modality: str, now: int
    ) -> Candidate | None:
        if clock.holder is None or not clock.held_for(hold_ms, now):
            return None
        quiet = next(p for p in self._participants if p.id != clock.holder)
        values = self._values(quiet=quiet.name, talker=self._names[clock.holder])
        return Candidate(BALANCE, modality, quiet.id, BALANCE, values, held=clock)

    def _time_warning_prompt(self, now: int) -> Candidate | None:
        t = self._thresholds
        remaining = self._duration_ms - now
        if (
            TIME_WARNING in self._given.last_by_type
            or self._duration_ms <= t.time_warning_min_duration_ms
            or not 0 < remaining <= t.time_warning_remaining_ms
        ):
            return None
        minutes = max(1, (remaining + MINUTE_MS // 2) // MINUTE_MS)
        values = self._values(minutes=str(minutes))
        return Candidate(TIME_WARNING, VISUAL, None, TIME_WARNING, values)

    def _silence_prompt(self, now: int) -> Candidate | None:
        """Once per silent stretch; before anyone has spoken it is an icebreaker."""
        if not self._toggles.silence_detection or self._talk.anyone_speaking():
            return None
        last_end = self._talk.last_speech_end()
        stretch_start = 0 if last_end is None else last_end
        silent_ms = now - max(stretch_start, self._listening_since)
        if silent_ms <= self._thresholds.silence_ms or self._given.given_since(
            (SILENCE, ICEBREAKER), stretch_start
        ):
            return None
        if last_end is None:
            return Candidate(ICEBREAKER, VISUAL, None, ICEBREAKER, self._values())
        first, second = self._participants
        first_ms, second_ms = self._talk.cumulative_ms(now)
        if first_ms == second_ms:
            both = f"{first.name} and {second.name}"
            return Candidate(SILENCE, VISUAL, None, SILENCE, self._values(quiet=both, talker=both))
        quiet, talker = (first, second) if first_ms < second_ms else (second, first)
        values = self._values(quiet=quiet.name, talker=talker.name)
        return Candidate(SILENCE, VISUAL, quiet.id, SILENCE, values)

    def _fire(self, candidate: Candidate, now: int) -> Event:
        self._given.count += 1
        self._given.record(candidate.type, now)
        self._intervening_until = now + self._thresholds.intervening_ms
        if candidate.held is not None:
            candidate.held.restart(now)
        inquiry = self._toggles.direct_inquiry and candidate.target is not None
        data = {
            "id": f"int_{self._given.count}",
            "type": candidate.type,
            "modality": candidate.modality,
            "message": self._prompts.message(candidate.template, candidate.values, inquiry=inquiry),
            "targetParticipant": candidate.target,
        }
        return Event(INTERVENTION, now, data)
