"""Who spoke when: speech intervals per participant, their shares and the silences between."""

from dataclasses import dataclass, field

BALANCED = "balanced"
MILD_IMBALANCE = "mild_imbalance"
SEVERE_IMBALANCE = "severe_imbalance"


@dataclass
class _Speaker:
    # Finished intervals, in order and never overlapping each other.
    intervals: list[tuple[int, int]] = field(default_factory=list)
    finished_ms: int = 0
    started_at: int | None = None

    def last_end(self) -> int | None:
        return self.intervals[-1][1] if self.intervals else None


class TalkTracker:
    """Speech of two participants. Overlapping speech counts for both of them.

    It also counts overlaps (someone starts while the other is speaking) and interruptions
    (an overlap after which the first speaker stops within `interruption_ms`).
    """

    def __init__(self, participant_ids: tuple[str, str], interruption_ms: int = 2_000) -> None:
        self._speakers = {participant_id: _Speaker() for participant_id in participant_ids}
        self._interruption_ms = interruption_ms
        self.overlaps = dict.fromkeys(participant_ids, 0)
        self.interruptions = dict.fromkeys(participant_ids, 0)
        # Who was talked over -> (by whom, since when), until one of the two stops.
        self._talked_over: dict[str, tuple[str, int]] = {}

    def is_speaking(self, participant_id: str) -> bool:
        return self._speakers[participant_id].started_at is not None

    def anyone_speaking(self) -> bool:
        return bool(self.speaking())

    def speaking(self) -> list[str]:
        return [pid for pid, speaker in self._speakers.items() if speaker.started_at is not None]

    def start(self, participant_id: str, at_ms: int) -> int:
        """Opens an utterance; returns its start, moved past this person's previous one."""
        speaker = self._speakers[participant_id]
        start = max(at_ms, speaker.last_end() or 0)
        speaker.started_at = start
        for other in self.speaking():
            if other != participant_id:
                self.overlaps[participant_id] += 1
                self._talked_over[other] = (participant_id, start)
        return start

    def stop(self, participant_id: str, at_ms: int) -> int:
        """Closes the open utterance; returns its end (never before its start)."""
        speaker = self._speakers[participant_id]
        if speaker.started_at is None:
            raise ValueError(f"{participant_id} is not speaking")
        start, end = speaker.started_at, max(at_ms, speaker.started_at)
        speaker.started_at = None
        self._append(speaker, start, end)
        over = self._talked_over.pop(participant_id, None)
        if over is not None and end - over[1] <= self._interruption_ms:
            self.interruptions[over[0]] += 1
        # Whoever this person talked over finished their turn unhindered.
        for other, (by, _) in list(self._talked_over.items()):
            if by == participant_id:
                del self._talked_over[other]
        return end

    def swap(self) -> None:
        """The two people were told apart the wrong way round: everything measured so far
        changes hands (a meeting's speaker labels, corrected by one of them)."""
        first, second = self._speakers
        other = {first: second, second: first}
        self._speakers = {first: self._speakers[second], second: self._speakers[first]}
        self.overlaps = {first: self.overlaps[second], second: self.overlaps[first]}
        self.interruptions = {first: self.interruptions[second], second: self.interruptions[first]}
        self._talked_over = {
            other[over]: (other[by], since) for over, (by, since) in self._talked_over.items()
        }

    @staticmethod
    def _append(speaker: _Speaker, start: int, end: int) -> None:
        if end > start:
            speaker.intervals.append((start, end))
            speaker.finished_ms += end - start

    def last_speech_end(self) -> int | None:
        ends = [speaker.last_end() for speaker in self._speakers.values()]
        known = [end for end in ends if end is not None]
        return max(known) if known else None

    def cumulative_ms(self, now_ms: int) -> list[int]:
        """Talk of each participant from the start up to now, open utterances included."""
        return [
            speaker.finished_ms + _open_ms(speaker, now_ms, window_start=0)
            for speaker in self._speakers.values()
        ]

    def window_ms(self, now_ms: int, window_ms: int) -> list[int]:
        """Talk of each participant within the last `window_ms`, clipped to the window."""
        start = now_ms - window_ms
        totals = []
        for speaker in self._speakers.values():
            total = _open_ms(speaker, now_ms, window_start=start)
            for begin, end in reversed(speaker.intervals):
                if end <= start:
                    break
                total += max(0, min(end, now_ms) - max(begin, start))
            totals.append(total)
        return totals


def _open_ms(speaker: _Speaker, now_ms: int, window_start: int) -> int:
    if speaker.started_at is None:
        return 0
    return max(0, now_ms - max(speaker.started_at, window_start))


def talk_shares(first_ms: int, second_ms: int) -> tuple[int, int]:
    """Whole percentages summing to 100 by largest remainder; 50/50 before anyone spoke."""
    total = first_ms + second_ms
    if total == 0:
        return 50, 50
    first, first_rest = divmod(first_ms * 100, total)
    second, second_rest = divmod(second_ms * 100, total)
    if first + second < 100:
        # Equal remainders only happen at x.5 / y.5: the larger talker keeps the larger share.
        if (first_rest, first_ms) >= (second_rest, second_ms):
            first += 1
        else:
            second += 1
    return first, second


def balance_status(shares: tuple[int, int], balanced_max: int, mild_max: int) -> str:
    top = max(shares)
    if top <= balanced_max:
        return BALANCED
    return MILD_IMBALANCE if top <= mild_max else SEVERE_IMBALANCE
