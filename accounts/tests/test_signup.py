import pytest
from django.urls import reverse

from accounts.models import User

pytestmark = pytest.mark.django_db

VALID = {
    "first_name": "Maya",
    "username": "maya",
    "email": "maya@example.com",
    "password1": "a-long-enough-passphrase",
    "password2": "a-long-enough-passphrase",
}


def test_it_creates_the_account_and_logs_in(client):
    response = client.post(reverse("signup"), VALID)
    assert response.status_code == 302
    assert response["Location"] == reverse("hub")
    user = User.objects.get(username="maya")
    assert user.display_name == "Maya"
    assert client.get(reverse("hub")).status_code == 200


def test_it_shows_errors_next_to_the_fields_and_creates_nothing(client):
    response = client.post(reverse("signup"), {**VALID, "password2": "different", "email": "nope"})
    assert response.status_code == 200
    assert b"field__error" in response.content
    assert not User.objects.exists()


def test_it_refuses_a_second_account_with_the_same_email(client):
    User.objects.create_user("other", "Maya@Example.com", "pw-123-abc-xyz")
    response = client.post(reverse("signup"), VALID)
    assert b"An account with this email already exists" in response.content
    assert User.objects.count() == 1


def test_it_sends_a_logged_in_user_to_the_hub(client):
    user = User.objects.create_user("maya", "m@example.com", "pw-123-abc-xyz")
    client.force_login(user)
    assert client.get(reverse("signup"))["Location"] == reverse("hub")


def test_login_and_logout_work(client):
    User.objects.create_user("maya", "m@example.com", "pw-123-abc-xyz")
    response = client.post(reverse("login"), {"username": "maya", "password": "pw-123-abc-xyz"})
    assert response["Location"] == reverse("hub")
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("hub"))["Location"].startswith(reverse("login"))


def test_a_wrong_password_gets_a_clear_message(client):
    User.objects.create_user("maya", "m@example.com", "pw-123-abc-xyz")
    response = client.post(reverse("login"), {"username": "maya", "password": "wrong"})
    assert response.status_code == 200
    assert b"correct username and password" in response.content


def test_password_reset_sends_a_link(client, mailoutbox):
    User.objects.create_user("maya", "m@example.com", "pw-123-abc-xyz")
    response = client.post(reverse("password_reset"), {"email": "m@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


def test_password_reset_does_not_reveal_unknown_emails(client, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


def test_next_only_leads_somewhere_on_this_site(client):
    response = client.post(f"{reverse('signup')}?next=https://evil.example/", VALID)
    assert response["Location"] == reverse("hub")
    client.post(reverse("logout"))
    other = {**VALID, "username": "maya2", "email": "maya2@example.com"}
    response = client.post(f"{reverse('signup')}?next=/accounts/profile/", other)
    assert response["Location"] == "/accounts/profile/"


def test_it_refuses_a_name_of_invisible_characters(client):
    response = client.post(reverse("signup"), {**VALID, "first_name": "\u200b\u200b\u202e"})
    assert "Enter a name made of visible letters." in response.content.decode()
    assert not User.objects.exists()


def test_it_keeps_names_free_of_bidi_controls(client):
    client.post(reverse("signup"), {**VALID, "first_name": "\u202eMa\u200bya"})
    assert User.objects.get(username="maya").display_name == "Maya"
