"""Rate limits key on the client's own address, also behind a trusted proxy, and a client can
never pick its bucket by writing X-Forwarded-For itself."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"  # what Daphne sees behind the proxy: the same peer for every client
LOGIN_LIMIT = 10  # failed log-ins a minute per client (accounts/views.py)


@pytest.fixture(autouse=True)
def _one_window():
    # The limits count per minute: on a slow machine a test's requests could straddle two.
    with time_machine.travel(datetime(2026, 11, 27, 12, 0, 30, tzinfo=UTC), tick=False):
        yield


def _log_in(client, forwarded_for):
    return client.post(
        reverse("login"),
        {"username": "maya", "password": "wrong"},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded_for,
    )


def test_behind_a_trusted_proxy_one_client_never_locks_out_another(client, creator, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    answers = [_log_in(client, "203.0.113.5").status_code for _ in range(LOGIN_LIMIT + 1)]
    assert answers == [200] * LOGIN_LIMIT + [429]
    assert _log_in(client, "198.51.100.7").status_code == 200


def test_behind_a_trusted_proxy_a_forged_entry_does_not_change_the_bucket(
    client, creator, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    for _ in range(LOGIN_LIMIT):
        _log_in(client, "203.0.113.5")
    # The client wrote the first entry; the proxy appended the address it really came from.
    assert _log_in(client, "198.51.100.99, 203.0.113.5").status_code == 429


def test_without_a_trusted_proxy_the_header_is_ignored(client, creator, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    answers = [_log_in(client, f"198.51.100.{n}").status_code for n in range(LOGIN_LIMIT + 1)]
    assert answers[-1] == 429


def test_two_proxies_take_the_entry_the_outer_one_appended(client, creator, settings):
    settings.TRUSTED_PROXY_COUNT = 2
    for _ in range(LOGIN_LIMIT):
        _log_in(client, "198.51.100.99, 203.0.113.5, 10.0.0.1")
    assert _log_in(client, "203.0.113.5, 10.0.0.1").status_code == 429
    assert _log_in(client, "203.0.113.6, 10.0.0.1").status_code == 200
