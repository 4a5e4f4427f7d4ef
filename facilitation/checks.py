from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from facilitation.engine import Thresholds


@register()
def thresholds_are_valid(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        Thresholds(**settings.FACILITATION_THRESHOLDS)
    except (TypeError, ValueError) as exc:
        return [
            Error(
                f"FACILITATION_THRESHOLDS is not valid: {exc}",
                hint="Use the names and units of facilitation/engine/thresholds.py.",
                id="facilitation.E001",
            )
        ]
    return []
