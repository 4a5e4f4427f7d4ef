import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def user_client(client):
    user = User.objects.create_user("maya", "m@example.com", "pw-123-abc-xyz", first_name="Maya")
    client.force_login(user)
    client.user = user
    return client


def test_it_requires_login(client):
    response = client.get(reverse("profile"))
    assert response["Location"].startswith(reverse("login"))


def test_it_shows_which_integrations_are_on(user_client, settings):
    settings.OPENAI_API_KEY = "sk-test"
    settings.DEEPGRAM_API_KEY = "dg-test"
    settings.MEETING_BAAS_API_KEY = ""
    settings.CARTESIA_API_KEY = ""
    html = user_client.get(reverse("profile")).content.decode()
    assert "sk-test" not in html and "dg-test" not in html
    for name in ("MeetingBaas", "Deepgram", "OpenAI", "Cartesia"):
        assert name in html
    assert html.count("Not configured") == 2
    # OpenAI writes recaps; a key alone claims nothing: this server has no Deepgram adapter yet.
    assert html.count(">On<") == 1
    assert html.count("Key set, not supported yet") == 1


def test_it_creates_and_replaces_the_api_token(user_client):
    user_client.post(reverse("regenerate_token"))
    first = Token.objects.get(user=user_client.user).key
    assert first in user_client.get(reverse("profile")).content.decode()
    user_client.post(reverse("regenerate_token"))
    second = Token.objects.get(user=user_client.user).key
    assert second != first


def test_token_regeneration_needs_post(user_client):
    assert user_client.get(reverse("regenerate_token")).status_code == 405
