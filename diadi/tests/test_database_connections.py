"""One Daphne process holds at most its pool of database connections, however many requests
arrive at once, and every request is answered."""

import json
import threading
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection
from rest_framework.authtoken.models import Token

from conftest import _free_port, server_env, start_daphne

pytestmark = pytest.mark.django_db(transaction=True)

POOL_MAX = 4
APPLICATION_NAME = "diadi-pool-test"
REQUESTS = 30


def _connections_of_server() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = %s",
            [APPLICATION_NAME],
        )
        return cursor.fetchone()[0]


@pytest.fixture
def small_pool_server():
    if connection.vendor != "postgresql":
        pytest.skip("Connection pools are for PostgreSQL; SQLite has no server connections.")
    # libpq names the server's connections (PGAPPNAME), so only they are counted.
    env = {
        **server_env(),
        "DB_POOL_MAX_SIZE": str(POOL_MAX),
        "RUN_DB_THREADS": "2",
        "PGAPPNAME": APPLICATION_NAME,
    }
    port = _free_port()
    server = start_daphne(env, port)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=20)


def test_concurrent_requests_stay_within_the_pool(small_pool_server, make_session, creator):
    session, _ = make_session()
    token = Token.objects.create(user=creator)
    url = f"{small_pool_server}/api/v1/sessions/{session.public_id}"

    def get(_: int) -> int:
        request = urllib.request.Request(url, headers={"Authorization": f"Token {token.key}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status

    most = 0
    done = threading.Event()

    def watch() -> None:
        nonlocal most
        while not done.wait(0.01):
            most = max(most, _connections_of_server())

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(max_workers=REQUESTS) as clients:
            statuses = list(clients.map(get, range(REQUESTS)))
    finally:
        done.set()
        watcher.join()
    most = max(most, _connections_of_server())

    assert statuses == [200] * REQUESTS
    # The request threads and the websockets' database threads share the pool.
    assert 0 < most <= POOL_MAX


def test_only_postgresql_gets_a_pool(settings):
    options = settings.DATABASES["default"].get("OPTIONS", {})
    if connection.vendor == "postgresql":
        assert options["pool"]["max_size"] == settings.DB_POOL_MAX_SIZE
        assert settings.DATABASES["default"]["CONN_MAX_AGE"] == 0
        # One connection stays for the health check.
        assert settings.WEB_THREADS + settings.SOCKET_DB_THREADS < settings.DB_POOL_MAX_SIZE
    else:
        assert "pool" not in options


def _answer_to_a_pool_timeout(request):
    from psycopg_pool import PoolTimeout

    from diadi.views import server_error

    try:
        try:
            raise PoolTimeout("couldn't get a connection after 10.00 sec")
        except PoolTimeout as exc:
            raise OperationalError(str(exc)) from exc  # as Django re-raises it
    except OperationalError:
        return server_error(request)


def test_a_request_that_waited_too_long_for_a_connection_is_asked_to_retry(rf):
    response = _answer_to_a_pool_timeout(rf.get("/api/v1/sessions/abc"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert json.loads(response.content)["code"] == "SERVICE_BUSY"

    page = _answer_to_a_pool_timeout(rf.get("/hub/"))
    assert page.status_code == 503
    assert "busy for a moment" in page.content.decode()


def test_other_database_errors_stay_server_errors(rf):
    from diadi.views import server_error

    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError:
        response = server_error(rf.get("/api/v1/sessions/abc"))
    assert response.status_code == 500


def test_a_pool_of_ten_serves_six_request_threads_and_three_socket_threads(settings):
    if settings.DB_POOL_MAX_SIZE != 10:
        pytest.skip("The defaults follow the pool's size; this deployment sets its own.")
    assert (settings.WEB_THREADS, settings.SOCKET_DB_THREADS) == (6, 3)
