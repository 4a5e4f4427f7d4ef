from django.apps import AppConfig


class SessionsConfig(AppConfig):
    # django.contrib.sessions already owns the label "sessions".
    name = "sessions"
    label = "diadi_sessions"
    verbose_name = "Sessions"

    def ready(self) -> None:
        from django.urls import register_converter

        from sessions import signals  # noqa: F401 - connects the receivers
        from sessions.converters import PublicIdConverter

        # Before any URLconf (pages, API, websockets) is built: they all name it.
        register_converter(PublicIdConverter, "public_id")
