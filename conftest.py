"""Fixtures shared by every app's tests: the people of a session, and a live Daphne."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    # Browsers cannot be downloaded here: always Debian's Chromium.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _test_database_url() -> str:
    from django.db import connection

    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# What the browser tests' server is told beyond `make run`'s defaults: the test database, a
# watchdog that adopts a run handed out by a command within a second, a quick demo.
SERVER_ENV = {"RUN_WATCHDOG_SECONDS": "1", "DEMO_SPEED": "20"}


def server_env() -> dict[str, str]:
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": _test_database_url()}
    # Only this process's browser tests need it (see pytest_runtest_setup): Diadi's own
    # processes must keep refusing the ORM on an event loop, as they do in production.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


FAKE_OPENAI_KEY = "sk-fake-openai"


@pytest.fixture(scope="session")
def fake_openai_server():
    """A local server speaking OpenAI's protocol: the browser tests' Diadi (its server, its
    workers, its commands) writes recaps with it, never with the real one. Tests may make it
    answer, fail or hold its answers."""
    from facilitation.adapters.fake_openai import FakeOpenAI

    fake = FakeOpenAI().start()
    SERVER_ENV.update(OPENAI_API_KEY=FAKE_OPENAI_KEY, OPENAI_BASE_URL=fake.url)
    yield fake
    fake.stop()


def start_daphne(env: dict[str, str], port: int) -> subprocess.Popen:
    """Diadi served as `make run` serves it, in a process of its own; returns once it
    answers its health probe."""
    command = ("daphne", "-b", "127.0.0.1", "-p", str(port), "diadi.asgi:application")
    return start_server(command, env, port)


def start_server(
    module_and_args: tuple[str, ...], env: dict[str, str], port: int
) -> subprocess.Popen:
    """`python -m <module_and_args>` in a process of its own; returns once the server it
    starts answers its health probe on `port`."""
    server = subprocess.Popen([sys.executable, "-m", *module_and_args], env=env)
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError(f"{module_and_args[0]} exited before serving the tests")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError(f"{module_and_args[0]} did not start for the tests")


def play_script(public_id: str, script: str, speed: float) -> subprocess.Popen:
    """Someone plays a script in their ready session from the command line
    (facilitation/simulations/<script>); the running Diadi takes the run. Kill it when done."""
    return subprocess.Popen(
        [
            *(sys.executable, "manage.py", "simulate_session", f"--session={public_id}"),
            *("--script", f"facilitation/simulations/{script}", "--speed", str(speed)),
        ],
        env=server_env(),
        stdout=subprocess.DEVNULL,
    )


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, django_db_blocker, fake_openai_server) -> Iterator[str]:
    """Diadi served as `make run` serves it: Daphne in a process of its own, on the test
    database (which the tests fill and read through committed transactions)."""
    with django_db_blocker.unblock():
        env = server_env()
    port = _free_port()
    server = start_daphne(env, port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=20)


def wait_for(check: Callable[[], object], seconds: float = 60) -> bool:
    """Waits until `check()` holds (True) or `seconds` pass (False): for what a test awaits
    from other processes, never as a measure of speed."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def start_worker(name: str, *extra: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """A Celery worker as the Procfile runs one, on the test database; returns once it
    answers a ping."""
    from diadi.celery import app

    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "diadi", "worker", f"--hostname={name}@%h"),
            *("--pool=threads", "--concurrency=4", "--queues=runs,celery"),
            *("--without-heartbeat", "--without-mingle", "--without-gossip"),
            "--loglevel=WARNING",
            *extra,
        ],
        env=env or server_env(),
    )
    for _ in range(100):
        if worker.poll() is not None:
            break
        replies = app.control.ping(timeout=0.5)
        if any(name in host for reply in replies for host in reply):
            return worker
    worker.kill()
    raise RuntimeError(f"The Celery worker {name} did not start")


@pytest.fixture
def facilitation_worker(live_server_url) -> Iterator[None]:
    """In production mode runs go to Celery: a real worker on the test database, for this
    test alone (a worker left from another test would take its hand-outs)."""
    from django.conf import settings

    if not settings.USE_REDIS:
        yield  # embedded mode: runs live in the Daphne process
        return
    worker = start_worker("runs")
    yield
    worker.terminate()
    worker.wait(timeout=20)


@pytest.fixture
def console_errors(page) -> list[str]:
    """Every console error and uncaught exception the page reports during the test."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


# Tests that start servers, Celery workers or browsers of their own. Under pytest-xdist they
# run on one worker, one after the other (`--dist loadgroup`), while the other worker takes the
# rest: their waits are timed for one such test at a time on a two-core machine.
SERVER_FIXTURES = {
    "live_server_url",
    "facilitation_worker",
    "meeting_server",
    "background_worker",
    "small_pool_server",
}


def pytest_configure(config: pytest.Config) -> None:
    # Browser tests wait for the server's live updates; a loaded CI machine needs some slack.
    from playwright.sync_api import expect

    expect.set_options(timeout=10_000)


def pytest_runtest_setup(item: pytest.Item) -> None:
    # Playwright's sync API keeps an event loop on this thread from its first test on; the ORM
    # calls browser tests make around it are still plain synchronous code. Browser tests run
    # last, so this never hides a real mistake in the other tests.
    if item.get_closest_marker("browser"):
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Playwright's sync API leaves an event loop on the main thread for the rest of the run,
    # which breaks async_to_sync in ordinary tests: browser tests go last.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    # pytest-xdist hands tests out by id: of several with one id, it would run only one.
    ids = Counter(item.nodeid for item in items)
    if twice := [nodeid for nodeid, count in ids.items() if count > 1]:
        raise pytest.UsageError(f"Tests that share an id: {', '.join(twice)}")
    for item in items:
        uses_servers = SERVER_FIXTURES & set(getattr(item, "fixturenames", ()))
        if uses_servers or item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.xdist_group("servers"))


# The people of a session: the creator, the invitee, and an outsider who must never see it.
@pytest.fixture
def persona(db):
    from personas.models import Persona

    return Persona.objects.create(
        slug="neutral_mediator",
        name="Neutral Mediator",
        prompt="You are a calm, balanced facilitator. You help both people feel heard.",
        core_behaviors=["Never favor one participant over the other"],
        intervention_style=["Visual prompts first"],
        prompt_templates={"balance": "I notice {talker} has carried most of this. {quiet}?"},
    )


@pytest.fixture
def creator(db):
    from accounts.models import User

    return User.objects.create_user("maya", "maya@example.com", "pw-maya-123", first_name="Maya")


@pytest.fixture
def invitee_user(db):
    from accounts.models import User

    return User.objects.create_user(
        "david", "david@example.com", "pw-david-123", first_name="David"
    )


@pytest.fixture
def outsider(db):
    from accounts.models import User

    return User.objects.create_user("olga", "olga@example.com", "pw-olga-123", first_name="Olga")


@pytest.fixture
def make_session(creator, persona):
    """make_session(consented=True, **overrides) -> (session, raw invite token or None)."""
    from sessions import services

    def make(*, consented: bool = False, invitee=None, **overrides):
        spec = services.NewSession(
            creator_name="Maya",
            partner_name="David",
            relationship_context="Romantic partners",
            goal="Agree on a monthly budget we both feel good about",
            persona=persona,
            **overrides,
        )
        session, token = services.create_session(creator, spec)
        if consented:
            session, _, _ = services.answer_invitation(
                token, consented=True, invitee_name="David", user=invitee
            )
            token = None
        return session, token

    return make


def _with_django(request) -> bool:
    # The facilitation engine's tests are pure and also run with -p no:django.
    return request.config.pluginmanager.has_plugin("django")


@pytest.fixture(autouse=True)
def _fast_password_hashing(request):
    # Not for browser tests: their server process keeps the real hashers.
    if _with_django(request) and not request.node.get_closest_marker("browser"):
        request.getfixturevalue("settings").PASSWORD_HASHERS = [
            "django.contrib.auth.hashers.MD5PasswordHasher"
        ]


def _clear_rate_limits() -> None:
    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCache

    if isinstance(cache, RedisCache):
        # Redis also holds the channel layer and the broker: delete only rate-limit counters.
        client = cache._cache.get_client(write=True)
        keys = list(client.scan_iter(match="*rl:*"))
        if keys:
            client.delete(*keys)
    else:
        cache.clear()


@pytest.fixture(autouse=True)
def _fresh_cache_and_layers(request):
    """Every test starts with no rate-limit counters, and with channel layers of its own (a
    layer remembers the event loop it first ran on, and each async test has a new loop)."""
    if not _with_django(request):
        yield
        return
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    _clear_rate_limits()
    yield
    _clear_rate_limits()


@pytest.fixture(autouse=True)
def _server_quiet_before_flush(request):
    """A browser test's page has just closed when the test database is emptied, and the
    shared server is still writing who left: on PostgreSQL that write and the TRUNCATE
    deadlocked. Wait until the server's connections are idle first."""
    if not request.node.get_closest_marker("browser"):
        yield
        return
    # Asked for here, so that the database is emptied after this fixture's teardown.
    request.getfixturevalue("_django_db_helper")
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    time.sleep(0.3)  # the sockets' disconnects reach the server
    with request.getfixturevalue("django_db_blocker").unblock():
        for _ in range(100):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND state <> 'idle'"
                )
                if cursor.fetchone()[0] == 0:
                    return
            time.sleep(0.05)


@pytest.fixture(scope="session", autouse=True)
def _release_test_database(request):
    """PostgreSQL refuses to drop a database others still use: async tests leave connections
    in asgiref's worker threads, and the browser tests' server and worker may not have let go.
    Close them before pytest-django drops the test database."""
    if not _with_django(request):
        yield
        return
    request.getfixturevalue("django_db_setup")
    blocker = request.getfixturevalue("django_db_blocker")
    yield
    from django.db import connection

    if connection.vendor == "postgresql":
        with blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
