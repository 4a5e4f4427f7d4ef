"""Password reset sends email: it is limited per address and per client."""

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _reset(client, email, address="203.0.113.5"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


def test_a_reset_sends_its_email(client, creator):
    response = _reset(client, "maya@example.com")
    assert response.status_code == 302
    assert len(mail.outbox) == 1


def test_one_address_gets_at_most_three_emails_an_hour(client, creator):
    answers = [_reset(client, "Maya@Example.com ", f"203.0.113.{n}").status_code for n in range(6)]
    assert answers == [302, 302, 302, 429, 429, 429]
    assert len(mail.outbox) == 3


def test_one_client_may_ask_for_at_most_ten_addresses_an_hour(client):
    answers = [_reset(client, f"someone{n}@example.com").status_code for n in range(12)]
    assert answers == [302] * 10 + [429, 429]
    assert "Too many attempts" in _reset(client, "another@example.com").content.decode()
