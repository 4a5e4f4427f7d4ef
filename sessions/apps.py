from django.apps import AppConfig


class SessionsConfig(AppConfig):
    # django.contrib.sessions already owns the label "sessions".
    name = "sessions"
    label = "diadi_sessions"
    verbose_name = "Sessions"

    def ready(self) -> None:
        from sessions import signals  # noqa: F401 - connects the receivers
