from django.apps import AppConfig


class FacilitationConfig(AppConfig):
    name = "facilitation"
    verbose_name = "Facilitation"

    def ready(self) -> None:
        from facilitation import (
            checks,  # noqa: F401 - registers the system checks
            hooks,
        )
        from facilitation.meetings import hooks as meetings
        from sessions import events, state
        from sessions.models import Status

        state.on_enter(Status.IN_PROGRESS, hooks.launch_run)
        state.on_delete(hooks.push_deleted)
        state.on_enter(Status.PAUSED, meetings.silence)
        state.on_enter(Status.ENDED, meetings.leave)
        state.on_delete(meetings.leave_deleted)
        events.on_logged(hooks.CONTROL_TYPES, hooks.push_control)
