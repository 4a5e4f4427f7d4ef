"""Every number the facilitation rules use (DESIGN.md "Facilitation rules")."""

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Thresholds:
    """Durations in milliseconds, shares in percent of speaking time."""

    tick_ms: int = 500
    balance_interval_ms: int = 1_500
    # Balance bar status, by the larger cumulative share.
    balanced_max_percent: int = 60
    mild_max_percent: int = 70
    # Balance prompts decide on a rolling window so a conversation that evened out stops
    # being nagged; too little talk in the window says nothing about balance.
    window_ms: int = 300_000
    min_window_talk_ms: int = 30_000
    visual_balance_percent: int = 65
    visual_balance_hold_ms: int = 180_000
    voice_balance_percent: int = 70
    voice_balance_hold_ms: int = 300_000
    silence_ms: int = 15_000
    time_warning_remaining_ms: int = 300_000
    time_warning_min_duration_ms: int = 600_000
    quiet_start_ms: int = 180_000
    min_gap_ms: int = 30_000
    same_type_cooldown_ms: int = 120_000
    escalation_tension: float = 0.7
    escalation_utterances: int = 2
    escalation_window_ms: int = 30_000
    goal_drift_hold_ms: int = 120_000
    goal_drift_utterances: int = 3
    disclosure_block_ms: int = 60_000
    repair_block_ms: int = 30_000
    intervening_ms: int = 8_000
    # Talked over, the speaker stops within this long: counted as an interruption.
    interruption_ms: int = 2_000

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise ValueError(f"{field.name} must be a number >= 0, not {value!r}")
        if self.tick_ms <= 0:
            raise ValueError("tick_ms must be > 0")
        if not 0 < self.escalation_tension <= 1:
            raise ValueError("escalation_tension must be in (0, 1]")
        for name in ("balanced_max_percent", "mild_max_percent"):
            if not 50 <= getattr(self, name) <= 100:
                raise ValueError(f"{name} must be between 50 and 100")
        for name in ("visual_balance_percent", "voice_balance_percent"):
            if not 50 <= getattr(self, name) < 100:
                raise ValueError(f"{name} must be at least 50 and below 100")


# Frozen, so one instance serves every engine.
DEFAULT_THRESHOLDS = Thresholds()
