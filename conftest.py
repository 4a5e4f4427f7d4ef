"""Fixtures shared by every app's tests: the people of a session, and a live Daphne."""

import os
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from channels.testing.live import make_application
from daphne.testing import DaphneProcess
from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
from django.db import connections

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


SIMULATE_PREFIX = "/__test__/simulate/"


def _application_with_test_hooks():
    """Diadi as served, plus one route only the browser tests' server has: start a scripted
    conversation in a session, inside the server process (the embedded runner lives there)."""
    app = make_application(static_wrapper=ASGIStaticFilesHandler)

    async def application(scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(SIMULATE_PREFIX):
            return await app(scope, receive, send)
        from asgiref.sync import sync_to_async

        from facilitation import runners, services
        from facilitation.simulation import load_script
        from facilitation.sources import SIMULATIONS_DIR
        from sessions.models import Session

        public_id, script, speed = scope["path"][len(SIMULATE_PREFIX) :].strip("/").split("/")
        runners.adopt_running_loop()

        def start() -> None:
            session = Session.objects.get(public_id=public_id)
            services.start_simulation(
                session, load_script(SIMULATIONS_DIR / script), speed=float(speed)
            )

        await sync_to_async(start)()
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    return application


FAKE_OPENAI_KEY = "sk-fake-openai"


@pytest.fixture(scope="session")
def fake_openai_server():
    """A local server speaking OpenAI's protocol, which the browser tests' Diadi uses (its
    server and its Celery worker): tests may make it answer, fail or hold its answers."""
    from facilitation.adapters.fake_openai import FakeOpenAI

    fake = FakeOpenAI().start()
    yield fake
    fake.stop()


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, django_db_blocker, fake_openai_server) -> Iterator[str]:
    """A real Daphne (HTTP + websockets) in a child process, on the test database."""
    with django_db_blocker.unblock():
        connections.close_all()

    def child_setup() -> None:
        # The forked server already points at the test database. It also inherits
        # pytest-django's guard against database access, channel
        # layers built on event loops that do not exist here, open Redis sockets, and
        # asgiref's one sync thread, which did not survive the fork (work sent to it would
        # wait forever).
        from asgiref.sync import SyncToAsync
        from channels.layers import channel_layers
        from django.conf import settings
        from django.core.cache import caches

        django_db_blocker.unblock()
        # Recaps are written by the fake OpenAI, never by the real one.
        settings.OPENAI_API_KEY = FAKE_OPENAI_KEY
        settings.OPENAI_BASE_URL = fake_openai_server.url
        channel_layers.backends.clear()
        for alias in settings.CACHES:  # never share the parent's Redis sockets
            del caches[alias]
        SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)

    server = DaphneProcess("127.0.0.1", _application_with_test_hooks, setup=child_setup)
    server.daemon = True
    server.start()
    if not server.ready.wait(timeout=30):
        server.terminate()
        raise RuntimeError("Daphne did not start for the browser tests")
    yield f"http://127.0.0.1:{server.port.value}"
    server.terminate()
    server.join(timeout=10)


@pytest.fixture(scope="session")
def facilitation_worker(live_server_url, fake_openai_server) -> Iterator[None]:
    """In production mode runs go to Celery: start a real worker on the test database."""
    from django.conf import settings
    from django.db import connection

    if not settings.USE_REDIS:
        yield  # embedded mode: runs live in the Daphne process
        return
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/"
        f"{db['NAME']}",
        "OPENAI_API_KEY": FAKE_OPENAI_KEY,
        "OPENAI_BASE_URL": fake_openai_server.url,
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "diadi",
            "worker",
            "--pool=threads",
            "--concurrency=4",
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "--loglevel=WARNING",
        ],
        env=env,
    )
    try:
        from diadi.celery import app

        for _ in range(100):
            if app.control.ping(timeout=0.5):
                break
        else:
            raise RuntimeError("The Celery worker for the browser tests did not start")
        yield
    finally:
        worker.terminate()
        worker.wait(timeout=20)


@pytest.fixture
def console_errors(page) -> list[str]:
    """Every console error and uncaught exception the page reports during the test."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


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
