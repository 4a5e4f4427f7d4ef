from typing import Any

from django.core.management.base import BaseCommand

from accounts.models import User

DEMO_USERNAME = "demo"
# Only `make run` calls this, for a local server on 127.0.0.1: a known password is the point.
DEMO_PASSWORD = "diadi-demo-2026"


class Command(BaseCommand):
    help = "Create the local demo account if it does not exist, and print how to log in."

    def handle(self, *args: Any, **options: Any) -> None:
        user, created = User.objects.get_or_create(
            username=DEMO_USERNAME,
            defaults={"first_name": "Demo", "email": "demo@diadi.local"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            self.stdout.write(f"Created the demo account: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        elif user.check_password(DEMO_PASSWORD):
            self.stdout.write(f"Demo account: {DEMO_USERNAME} / {DEMO_PASSWORD}")
        else:
            self.stdout.write(f"Demo account: {DEMO_USERNAME} (its password was changed)")
