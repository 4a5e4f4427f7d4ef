from django.apps import AppConfig


class SummariesConfig(AppConfig):
    name = "summaries"
    verbose_name = "Summaries"

    def ready(self) -> None:
        from sessions import state
        from sessions.models import Status
        from summaries.making import queue_summary

        # However a session ends (a button, the API, the time limit, a script, staff).
        state.on_enter(Status.ENDED, queue_summary)
