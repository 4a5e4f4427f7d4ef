import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_the_root_redirects_to_the_hub(client):
    assert client.get("/")["Location"] == reverse("hub")


def test_the_hub_requires_login(client):
    assert client.get(reverse("hub"))["Location"].startswith(reverse("login"))


def test_the_hub_shows_the_empty_states(client):
    client.force_login(User.objects.create_user("maya", "m@example.com", "pw-123-abc-xyz"))
    html = client.get(reverse("hub")).content.decode()
    assert "No active session" in html
    assert "No sessions yet" in html
    assert "No recaps yet" in html
    assert "New session" in html
