from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from facilitation import call
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


@register()
def call_settings_are_valid(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    try:
        call.ice_config()
    except ValueError as exc:
        return [
            Error(
                f"The call settings are not valid: {exc}",
                hint="See CALL_ICE_SERVERS in diadi/settings.py and the README.",
                id="facilitation.E002",
            )
        ]
    return []
