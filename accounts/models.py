from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """Diadi's user. Our own model from day one, so fields can be added without a swap later."""

    @property
    def display_name(self) -> str:
        return self.first_name or self.username
