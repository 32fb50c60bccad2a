"""Django settings for stayhere. Every value comes from the environment (see README: Configuration)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import django_stubs_ext
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from stayhere import datadir
from stayhere.audio.servers import parse_servers as janus_servers
from stayhere.audio.turn import turn_from_env
from stayhere.env import database_from_url, envbool, envint, envlist, envpath, envsecret, envstr, redis_url

django_stubs_ext.monkeypatch()  # lets admin.ModelAdmin[Meeting] and friends be written typed

BASE_DIR = Path(__file__).resolve().parent

DATA_DIR = envpath("STAYHERE_DATA_DIR", datadir.DEFAULT)
# Made at start-up, except by a command that only reads a stayhere directory: that one makes nothing until it has
# found the database (stayhere.datadir, stayhere.core.database.require_database).
MAKE_DATA_DIR = datadir.makes()
if MAKE_DATA_DIR:
    datadir.prepare(DATA_DIR)


def _secret_key() -> tuple[str, bool]:
    """STAYHERE_SECRET_KEY, or the file STAYHERE_SECRET_KEY_FILE names; else the key generated once and kept in
    the data directory. True beside it when it is that generated key."""
    configured, source = envsecret("STAYHERE_SECRET_KEY")
    if not configured:
        return datadir.kept_key(DATA_DIR, make=MAKE_DATA_DIR), True
    if len(configured) < 32:
        raise ImproperlyConfigured(
            f"The secret key in {source} is shorter than 32 characters: use a long random value."
        )
    return configured, False


SECRET_KEY, SECRET_KEY_GENERATED = _secret_key()
DEBUG = envbool("STAYHERE_DEBUG", False)
HTTPS = envbool("STAYHERE_HTTPS", False)
ALLOWED_HOSTS = envlist("STAYHERE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = envlist("STAYHERE_CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = envstr("STAYHERE_SITE_NAME", "stayhere")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "channels",
    "stayhere.core",
    "stayhere.directory",
    "stayhere.demo",
    "stayhere.rooms.web",  # the rooms app (label "rooms"): its Django side lives in rooms/web
    "stayhere.slips",
    "stayhere.journal",
    "stayhere.phone",  # phone dial-in: meeting codes (the SIP edge is stayhere/rooms/adapters/phone_line.py)
    "stayhere.service",  # trusted servants: roles, invitations, change requests, the listings' history
    "django_otp",
    "django_otp.plugins.otp_totp",  # servants' two-step sign-in with an authenticator app (stayhere.service.twofactor)
]

MIDDLEWARE = [
    "stayhere.core.middleware.AccessLogMiddleware",
    "stayhere.core.middleware.SecurityHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "stayhere.core.static_compression.StaticCompressionMiddleware",  # gzip for /static/ only
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",  # the language: its cookie, else Accept-Language, else English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "stayhere.urls"
ASGI_APPLICATION = "stayhere.asgi.application"

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
                "stayhere.core.context.site",
            ],
        },
    },
]

DATABASE_URL = envstr("STAYHERE_DATABASE_URL", "")
DATABASES: dict[str, dict[str, Any]]
if DATABASE_URL:
    DATABASES = {"default": database_from_url("STAYHERE_DATABASE_URL", DATABASE_URL)}
    # The database a test run makes on that server (stayhere.testing names it per checkout, so that two
    # checkouts' runs on one server do not drop each other's); Django's test_NAME otherwise.
    if envstr("STAYHERE_TEST_DATABASE_NAME", ""):
        DATABASES["default"]["TEST"] = {"NAME": envstr("STAYHERE_TEST_DATABASE_NAME", "")}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / datadir.SQLITE_NAME,
            # Kept open between requests: opening and tuning a connection cost more than a search.
            "CONN_MAX_AGE": 600,
            # WAL lets the finder read while an import writes; see stayhere.core.apps.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Scale-out: with Redis, live meetings are kept there (memory only; see stayhere.rooms.live.redis_store and
# stayhere.core.redis), so several worker processes serve the same meetings.
REDIS_URL = redis_url("STAYHERE_REDIS_URL")
# Start even when Redis would write snapshots or an append-only file to disk (and so, meetings' state).
REDIS_ALLOW_PERSISTENCE = envbool("STAYHERE_REDIS_ALLOW_PERSISTENCE", False)
if REDIS_URL:
    # The pub/sub layer: one PUBLISH per group message, fanned out by Redis (docs/BENCHMARKS.md, Channels layer).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": "stayhere:layer"},
        }
    }
    # Shared by the workers: sign-in limits (counts per account name, never addresses) and the like.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "stayhere:cache",
            # A Redis that stops answering costs a page two seconds at most, once: stayhere.core.cache then
            # leaves it alone for a while (the finder works it out from the database, sign-in answers 503).
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Janus servers shared by every worker (scale-out audio; stayhere.audio.servers). Empty: the embedded Janus.
JANUS_SERVERS = janus_servers(envstr("STAYHERE_JANUS_SERVERS", ""))

# Operators' passwords: Argon2 first (argon2-cffi); the others only read hashes made before it.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Sign-in attempts that fail, per account name and overall, per window (stayhere.core.signin).
SIGNIN_FAILURES_PER_NAME = 5
SIGNIN_FAILURES_OVERALL = 100
SIGNIN_WINDOW_SECONDS = 900
# The journal (stayhere.journal): new journals per sign-in window on the whole server, and what one journal holds.
JOURNAL_SIGNUPS_PER_WINDOW = envint("STAYHERE_JOURNAL_SIGNUPS_PER_WINDOW", 30, minimum=0, maximum=100_000)
JOURNAL_ENTRIES_MAX = envint("STAYHERE_JOURNAL_ENTRIES_MAX", 5000, minimum=1, maximum=1_000_000)
JOURNAL_BYTES_MAX = envint("STAYHERE_JOURNAL_MIB_MAX", 64, minimum=1, maximum=100_000) * 1024 * 1024
# Printed schedules (stayhere/printing): how many PDFs one process lays out at once (each costs a core for
# seconds; more requests than this are answered 503 with Retry-After), and the most meetings one PDF lists.
PRINT_RENDERS = envint("STAYHERE_PRINT_RENDERS", 1, minimum=1, maximum=16)
PRINT_MAX_MEETINGS = envint("STAYHERE_PRINT_MAX_MEETINGS", 5000, minimum=1, maximum=50_000)
# Trusted servants (stayhere.service): how long an invitation link works, and how many changes visitors may
# suggest per window, per meeting and on the whole server (counted in the cache, never by address).
SERVICE_INVITATION_DAYS = envint("STAYHERE_INVITATION_DAYS", 7, minimum=1, maximum=90)
SUGGESTIONS_PER_MEETING = envint("STAYHERE_SUGGESTIONS_PER_MEETING", 5, minimum=1, maximum=10_000)
SUGGESTIONS_OVERALL = envint("STAYHERE_SUGGESTIONS_OVERALL", 200, minimum=1, maximum=1_000_000)
SUGGESTION_WINDOW_SECONDS = 3600
# A listing no servant has confirmed for this many months shows on its service body admin's list to check.
VERIFY_MONTHS = envint("STAYHERE_VERIFY_MONTHS", 6, minimum=1, maximum=120)
# An open problem report's words and contact address are forgotten after this many days, as closing forgets them
# (`stayhere forget-old-reports`, which the sync timer's service runs; the servants' report list runs it too).
REPORT_KEEP_DAYS = envint("STAYHERE_REPORT_KEEP_DAYS", 90, minimum=1, maximum=3650)
OTP_TOTP_ISSUER = SITE_NAME  # the name an authenticator app shows beside a servant's handle
# Email notices to servants who gave an address (a suggestion waiting for review). Without STAYHERE_EMAIL_HOST
# none are sent: no console backend, which would print servants' addresses to the log.
EMAIL_HOST = envstr("STAYHERE_EMAIL_HOST", "")
EMAIL_PORT = envint("STAYHERE_EMAIL_PORT", 587, minimum=1, maximum=65535)
EMAIL_HOST_USER = envstr("STAYHERE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envsecret("STAYHERE_EMAIL_PASSWORD")[0]
EMAIL_USE_TLS = envbool("STAYHERE_EMAIL_TLS", True)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = envstr("STAYHERE_EMAIL_FROM", "stayhere@localhost")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST else "django.core.mail.backends.dummy.EmailBackend"
)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]  # django.po and djangojs.po per language; the .mo beside them are committed
# The language switch (stayhere.core.language) remembers the choice for a year in Django's language cookie.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = HTTPS
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"  # only `stayhere collectstatic` writes here; WhiteNoise serves from the apps
STATICFILES_DIRS = [BASE_DIR / "static"]  # the site's own CSS and scripts (stayhere/static/stayhere/)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
WHITENOISE_MAX_AGE = 3600

# Cookies: only the session and CSRF cookies of signed-in trusted servants exist, and the language cookie of a
# visitor who chose a language (above).
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SECURE = HTTPS
SECURE_REFERRER_POLICY = "no-referrer"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_SSL_REDIRECT = envbool("STAYHERE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = envint("STAYHERE_HSTS_SECONDS", 0, minimum=0)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
X_FRAME_OPTIONS = "DENY"

# TURN relays for browsers behind strict NATs: coturn's use-auth-secret, a short-lived credential per admitted
# seat (stayhere.audio.turn, docs/audio.md). None unless STAYHERE_TURN_URLS and STAYHERE_TURN_SECRET are set.
TURN = turn_from_env()

# The door of the meetings (stayhere.rooms.live.gate): joins a minute from one connection source, room
# connections open at once from one source (0 turns either off: behind nginx, which keeps them per address), and
# joins a second into one meeting in this process.
ROOM_JOINS_PER_SOURCE = envint("STAYHERE_ROOM_JOINS_PER_SOURCE", 20, minimum=0, maximum=10_000)
ROOM_SOCKETS_PER_SOURCE = envint("STAYHERE_ROOM_SOCKETS_PER_SOURCE", 100, minimum=0, maximum=100_000)
ROOM_JOINS_PER_ROOM = envint("STAYHERE_ROOM_JOINS_PER_ROOM", 20, minimum=0, maximum=10_000)
# Connections open in this process that hold no seat yet (a flood from many addresses costs memory until then).
ROOM_UNSEATED_MAX = envint("STAYHERE_ROOM_UNSEATED_MAX", 1000, minimum=0, maximum=1_000_000)

# The finder: how far "near" reaches by default and the page size of results.
FINDER_RADIUS_KM = envint("STAYHERE_FINDER_RADIUS_KM", 25, minimum=1, maximum=500)
FINDER_PAGE_SIZE = envint("STAYHERE_FINDER_PAGE_SIZE", 25, minimum=5, maximum=200)
# Import of feeds: the time a download may take in all, the most a feed may hold, and the share (per cent) of a
# source's meetings a re-import may remove without --allow-shrink (stayhere.directory.feeds.removals).
FEED_FETCH_TIMEOUT = envint("STAYHERE_FEED_TIMEOUT", 30, minimum=1, maximum=600)
FEED_MAX_BYTES = envint("STAYHERE_FEED_MAX_BYTES", 50_000_000, minimum=1000)
FEED_SHRINK_LIMIT = envint("STAYHERE_FEED_SHRINK_LIMIT", 20, minimum=0, maximum=100)
# Imports write one at a time: how long (seconds) one waits for another to finish before it gives up.
FEED_IMPORT_WAIT = envint("STAYHERE_FEED_IMPORT_WAIT", 120, minimum=1, maximum=3600)
# Kept-fresh sources (stayhere sync-feeds): days of failing after which a source is flagged, and the seconds a
# whole sync run may take (each download is bounded by STAYHERE_FEED_TIMEOUT; a source not reached waits for the
# next run).
SOURCE_FAILING_DAYS = envint("STAYHERE_SOURCE_FAILING_DAYS", 3, minimum=1, maximum=365)
SYNC_DEADLINE = envint("STAYHERE_SYNC_DEADLINE", 900, minimum=10, maximum=86_400)

LOG_LEVEL = envstr("STAYHERE_LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(f"STAYHERE_LOG_LEVEL={LOG_LEVEL!r}: use DEBUG, INFO, WARNING, ERROR or CRITICAL.")

# Logs never carry client addresses, query strings or request bodies: the access log is our
# own middleware (stayhere.core.middleware), uvicorn's is turned off, and Django's request
# logger is kept to WARNING without the request object being formatted.
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "scrub": {"()": "stayhere.core.logging.ScrubFilter"},
        "forget_connections": {"()": "stayhere.core.logging.ForgetConnections"},
        "forget_host": {"()": "stayhere.core.logging.ForgetHost"},
    },
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["scrub"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.request": {"level": "ERROR", "propagate": True},
        "django.server": {"level": "ERROR", "propagate": True},
        "uvicorn.access": {"handlers": [], "propagate": False},
        # At DEBUG the websockets protocol (which logs through uvicorn.error) prints every frame: names, chat,
        # reports. Those loggers never go below INFO, whatever STAYHERE_LOG_LEVEL says.
        # No line per connection either (ForgetConnections): only the server's own start and stop, and warnings.
        "uvicorn.error": {
            "level": "INFO" if LOG_LEVEL == "DEBUG" else LOG_LEVEL,
            "propagate": True,
            "filters": ["forget_connections"],
        },
        "django.security.DisallowedHost": {"propagate": True, "filters": ["forget_host"]},
        "websockets": {"level": "WARNING", "propagate": True},
    },
}
