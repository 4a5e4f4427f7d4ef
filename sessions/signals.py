from typing import Any

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from sessions import services


@receiver(user_logged_in)
def claim_guest_participations(
    sender: type, request: HttpRequest, user: Any, **kwargs: Any
) -> None:
    """A guest who accepted an invitation, then signs up or logs in, keeps that session."""
    if request is not None and hasattr(request, "session"):
        services.claim_browser_participations(user, services.browser_keys(request.session))
