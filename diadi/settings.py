"""Diadi settings.

Two run modes share this file (see DESIGN.md): with no environment variables Diadi runs
embedded (SQLite, in-memory channel layer, facilitation inside the ASGI process); with
DATABASE_URL and REDIS_URL it runs in production mode (PostgreSQL, channels-redis, Celery).
"""

import os
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is optional and never required; real deployments set real env vars.
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# DEBUG=1 (the default) is development: a built-in key, local hosts, static files straight from
# the source folders, plain HTTP. Django's own technical error pages are a separate choice
# (DEBUG_PAGES=1): without it a mistyped link shows Diadi's 404 page, even under `make run`.
DEVELOPMENT = env.bool("DEBUG", default=True)
DEBUG = DEVELOPMENT and env.bool("DEBUG_PAGES", default=False)

_DEV_SECRET_KEY = "insecure-diadi-development-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEVELOPMENT else None)
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEVELOPMENT else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Absolute links (invite links, bot callbacks) are built from this when set, else from the request.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="").rstrip("/")

REDIS_URL = env.str("REDIS_URL", default="")
# Production mode: a shared broker and channel layer make several processes one Diadi.
USE_REDIS = bool(REDIS_URL)

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "csp",
    "health_check",
    "accounts",
    "personas",
    "sessions.apps.SessionsConfig",
    "facilitation",
    "summaries",
]
if USE_REDIS:
    INSTALLED_APPS.append("django_celery_beat")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Compresses what the views below return (see README, "Choices worth knowing": BREACH).
    "diadi.middleware.CompressionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "diadi.middleware.RefuseNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "diadi.middleware.BrowserTimezoneMiddleware",
    "django_ratelimit.middleware.RatelimitMiddleware",
]

ROOT_URLCONF = "diadi.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "diadi.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

# Each production process keeps a pool of database connections: DB_POOL_MIN_SIZE open at
# all times, never more than DB_POOL_MAX_SIZE, a thread waiting at most DB_POOL_TIMEOUT
# seconds for one (README, "Database connections").
DB_POOL_MIN_SIZE = env.int("DB_POOL_MIN_SIZE", default=2)
DB_POOL_MAX_SIZE = env.int("DB_POOL_MAX_SIZE", default=10)
DB_POOL_TIMEOUT = env.float("DB_POOL_TIMEOUT", default=10.0)
# Threads of a Daphne process: WEB_THREADS run requests' synchronous code (views, the ORM),
# SOCKET_DB_THREADS its websockets' database work; work beyond them waits for one. One more
# connection of the pool stays for the health check.
SOCKET_DB_THREADS = env.int("SOCKET_DB_THREADS", default=max(1, DB_POOL_MAX_SIZE // 3))
WEB_THREADS = env.int("WEB_THREADS", default=max(1, DB_POOL_MAX_SIZE - SOCKET_DB_THREADS - 1))
if not 1 <= DB_POOL_MIN_SIZE <= DB_POOL_MAX_SIZE:
    raise ImproperlyConfigured("DB_POOL_MIN_SIZE must be at least 1 and at most DB_POOL_MAX_SIZE.")
if WEB_THREADS < 1 or SOCKET_DB_THREADS < 1 or WEB_THREADS + SOCKET_DB_THREADS >= DB_POOL_MAX_SIZE:
    raise ImproperlyConfigured(
        "WEB_THREADS and SOCKET_DB_THREADS must each be at least 1, and together less than "
        "DB_POOL_MAX_SIZE."
    )

# SQLite by default; IMMEDIATE transactions stop two writers from racing on an event's seq.
DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'var' / 'diadi.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
    # A file, not memory: browser tests share the test database with a Daphne process.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test.sqlite3")}
else:
    # A request thread hands its connection back to the pool when the request ends, so a
    # process never holds more than DB_POOL_MAX_SIZE; its threads (WEB_THREADS, the run
    # host's RUN_DB_THREADS) are fewer than that, so work waits for a thread, never for a
    # connection.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # the pool keeps connections open instead
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True  # checked as they leave the pool
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": DB_POOL_MIN_SIZE,
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": DB_POOL_TIMEOUT,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "hub"
LOGOUT_REDIRECT_URL = "login"

if USE_REDIS:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
    # Redis pub/sub: a broadcast is published once and each Daphne process fans it out to its
    # own sockets (the list-based layer pops one message per socket, which tops out near a
    # few thousand deliveries a second; see bench/event_latency.py). Delivery is at most
    # once, which the event log's seq replay already makes up for.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {
                # redis-py's default 5 s read timeout must not cut idle subscriptions.
                "hosts": [
                    {"address": REDIS_URL, "socket_timeout": None, "socket_connect_timeout": 5}
                ],
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # One process: the run host shares this layer with the sockets. Its one channel takes
    # every run's inbox, so channels get more room than the default 100 messages.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels.layers.InMemoryChannelLayer",
            "CONFIG": {"capacity": 5000},
        }
    }

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Diadi <no-reply@diadi.local>")

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEVELOPMENT
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# In the embedded default nobody runs collectstatic: serve straight from the source folders.
WHITENOISE_USE_FINDERS = DEVELOPMENT
WHITENOISE_AUTOREFRESH = DEVELOPMENT

SESSION_COOKIE_AGE = 60 * 60 * 24 * 30
SESSION_ENGINE = "diadi.session_store"

# Behind a TLS-terminating proxy in production; every default here is overridable.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEVELOPMENT)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEVELOPMENT)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEVELOPMENT)
SECURE_HSTS_SECONDS = env.int(
    "SECURE_HSTS_SECONDS", default=0 if DEVELOPMENT else 60 * 60 * 24 * 365
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEVELOPMENT)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEVELOPMENT)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Scripts and styles come only from our own static files (htmx included): no inline code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF, "ws:", "wss:"] if DEVELOPMENT else [SELF, "wss:"],
        "media-src": [SELF, "blob:"],
        "worker-src": [SELF, "blob:"],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header lets DRF answer 401, not 403.
        "sessions.api.authentication.TokenAuthentication",
        "sessions.api.authentication.SessionAuthentication",
    ],
    # JSON only: no cross-site form can post to the API, and one decoder refuses what
    # PostgreSQL or Python cannot take (sessions/api/parsers.py).
    "DEFAULT_PARSER_CLASSES": ["sessions.api.parsers.JSONBodyParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "EXCEPTION_HANDLER": "sessions.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Diadi API",
    "DESCRIPTION": "Create, consent to, run and review facilitated two-person sessions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Celery only runs in production mode; the embedded default never starts a worker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
# Every task may be delivered twice and must be harmless then: a run hand-out is claimed by
# token (a second delivery finds it taken), the watchdog and sweeps claim rows the same way.
# So acknowledge late (a worker killed mid-task gets its task redelivered) and keep the
# Redis visibility timeout long: no task runs anywhere near it, as a hand-out returns as
# soon as the run lives in a host.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Run hand-outs have a queue of their own, served by the run hosts; the watchdog and other
# periodic work stay on the default queue, so they never wait behind runs.
CELERY_TASK_ROUTES = {"facilitation.tasks.host_run": {"queue": "runs"}}

# Facilitation runs (facilitation/host.py, store.py): a host renews its leases every
# RUN_HEARTBEAT_SECONDS; a lease not renewed for RUN_LEASE_SECONDS is taken over by the
# watchdog, which runs every RUN_WATCHDOG_SECONDS. A run that failed RUN_MAX_ATTEMPTS times
# stays failed. Each host does its database work on RUN_DB_THREADS threads.
RUN_HEARTBEAT_SECONDS = env.float("RUN_HEARTBEAT_SECONDS", default=5.0)
RUN_LEASE_SECONDS = env.float("RUN_LEASE_SECONDS", default=20.0)
RUN_WATCHDOG_SECONDS = env.float("RUN_WATCHDOG_SECONDS", default=5.0)
RUN_MAX_ATTEMPTS = env.int("RUN_MAX_ATTEMPTS", default=5)
RUN_DB_THREADS = env.int("RUN_DB_THREADS", default=4)
if not 1 <= RUN_DB_THREADS < DB_POOL_MAX_SIZE:
    # The hand-out threads of a `runs` worker share the pool with the host's threads.
    raise ImproperlyConfigured("RUN_DB_THREADS must be at least 1 and less than DB_POOL_MAX_SIZE.")

# Provider keys: a missing key switches the feature off with a visible reason, never a crash.
MEETING_BAAS_API_KEY = env.str("MEETING_BAAS_API_KEY", default="")
# Where MeetingBaas' API is (a local fake in tests); bots on their way into a call are
# asked for their status this often.
MEETING_BAAS_API_URL = env.str("MEETING_BAAS_API_URL", default="https://api.meetingbaas.com")
MEETING_BOT_POLL_SECONDS = env.float("MEETING_BOT_POLL_SECONDS", default=10.0)
# How long Diadi waits for an answer from MeetingBaas before telling the person so.
MEETING_BAAS_TIMEOUT_SECONDS = env.float("MEETING_BAAS_TIMEOUT_SECONDS", default=15.0)
DEEPGRAM_API_KEY = env.str("DEEPGRAM_API_KEY", default="")
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
# Any server speaking OpenAI's Chat Completions protocol (tests point this at a local fake).
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="https://api.openai.com/v1").rstrip("/")
OPENAI_MODEL = env.str("OPENAI_MODEL", default="gpt-4o-mini")
# Seconds one request may take; tries after the first on a timeout, a 429 or a 5xx, and the
# first wait between tries (doubled each time, or the server's Retry-After when it says).
OPENAI_TIMEOUT = env.float("OPENAI_TIMEOUT", default=60.0)
OPENAI_MAX_RETRIES = env.int("OPENAI_MAX_RETRIES", default=3)
OPENAI_RETRY_BACKOFF = env.float("OPENAI_RETRY_BACKOFF", default=1.0)
CARTESIA_API_KEY = env.str("CARTESIA_API_KEY", default="")

RATELIMIT_ENABLE = env.bool("RATELIMIT_ENABLE", default=True)
RATELIMIT_VIEW = "diadi.views.ratelimited"
# How many reverse proxies in front of Daphne append to X-Forwarded-For (0: none, limits key on
# the peer address). Set it only when every request really passes through them.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# Daphne processes of `python -m diadi.web` (the Procfile's `web`): one process runs Python on
# one core at a time. The embedded default keeps its channel layer and run host in one process.
WEB_PROCESSES = env.int("WEB_PROCESSES", default=(os.cpu_count() or 1) if USE_REDIS else 1)
if WEB_PROCESSES < 1 or (WEB_PROCESSES > 1 and not USE_REDIS):
    raise ImproperlyConfigured(
        "WEB_PROCESSES must be at least 1, and 1 without REDIS_URL: the embedded default "
        "keeps live sessions in one process."
    )
RATELIMIT_IP_META_KEY = "diadi.client_ip.client_ip"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.channels.server": {"level": "WARNING"}},
}
CSRF_FAILURE_VIEW = "diadi.views.csrf_failure"

# How long an invitation link stays valid (single use either way).
INVITATION_TTL_DAYS = env.int("INVITATION_TTL_DAYS", default=7)

# The hub's "Try a demo" plays this example conversation this many times faster than life.
DEMO_SCRIPT = env.str("DEMO_SCRIPT", default="one_sided.yaml")
DEMO_SPEED = env.float("DEMO_SPEED", default=4.0)

# When the planned time of a session runs out, both see "time's up" and the session ends by
# itself this many minutes later, unless one of them asks for a few more minutes.
SESSION_GRACE_MINUTES = env.int("SESSION_GRACE_MINUTES", default=5)

# Overrides of the facilitation engine's thresholds (facilitation/engine/thresholds.py), as
# JSON, e.g. FACILITATION_THRESHOLDS='{"silence_ms": 20000}'. Unknown names fail at start-up.
FACILITATION_THRESHOLDS = env.json("FACILITATION_THRESHOLDS", default={})

# The browser room's call (facilitation/call.py). STUN/TURN servers the two browsers use to
# reach each other: comma-separated URLs (stun:…, turn:…, turns:…) or a JSON list of URLs or
# RTCIceServer objects. None are needed when both browsers are on one machine or network.
# The TURN username and credential apply to every turn: URL given as a plain URL.
# CALL_ICE_TRANSPORT_POLICY=relay sends every call through TURN (no direct connection).
CALL_ICE_SERVERS = env.str("CALL_ICE_SERVERS", default="")
CALL_TURN_USERNAME = env.str("CALL_TURN_USERNAME", default="")
CALL_TURN_CREDENTIAL = env.str("CALL_TURN_CREDENTIAL", default="")
CALL_ICE_TRANSPORT_POLICY = env.str("CALL_ICE_TRANSPORT_POLICY", default="all")
# A call not connected after this long is shown as failed (it may still connect later).
CALL_CONNECT_TIMEOUT_SECONDS = env.float("CALL_CONNECT_TIMEOUT_SECONDS", default=20.0)

# Recaps (summaries app). A transcript longer than SUMMARY_CHUNK_CHARS is summarised in parts
# that are then merged. A recap whose maker has not been heard of for SUMMARY_STALE_SECONDS
# (a worker or process gone) is handed to a new maker, at most SUMMARY_MAX_ATTEMPTS times.
SUMMARY_CHUNK_CHARS = env.int("SUMMARY_CHUNK_CHARS", default=60_000)
SUMMARY_STALE_SECONDS = env.int("SUMMARY_STALE_SECONDS", default=180)
SUMMARY_MAX_ATTEMPTS = env.int("SUMMARY_MAX_ATTEMPTS", default=3)
# Transcripts and recaps are deleted this many days after their session ended.
RETENTION_DAYS = env.int("RETENTION_DAYS", default=30)
