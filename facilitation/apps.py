from django.apps import AppConfig


class FacilitationConfig(AppConfig):
    name = "facilitation"
    verbose_name = "Facilitation"

    def ready(self) -> None:
        from facilitation import checks  # noqa: F401 - registers the system checks
