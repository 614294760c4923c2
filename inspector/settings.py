"""Django settings. Embedded defaults (SQLite, in-memory channel layer) need nothing else;
hosted mode refuses to start without the variables it cannot run without (HOSTED_MODE_NEEDS)."""

from __future__ import annotations

import json
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
import platformdirs
from django.core.exceptions import ImproperlyConfigured

PACKAGE_DIR = Path(__file__).resolve().parent
MODE = os.environ.get("INSPECTOR_MODE", "local")
if MODE not in {"local", "hosted"}:
    raise ValueError(f"INSPECTOR_MODE must be 'local' or 'hosted', not {MODE!r}")
LOCAL_MODE = MODE == "local"

# Without any of these, hosted mode would start and then fail in ways that do not name the
# cause (a 400 on every request, users signed out between processes, secrets that cannot
# be saved, accounts kept on one machine's disk, pages that miss other processes' events).
HOSTED_MODE_NEEDS = {
    "INSPECTOR_ALLOWED_HOSTS": "the host names the inspector is reached by, comma-separated",
    "INSPECTOR_SECRET_KEY": "Django's secret key, the same in every process",
    "INSPECTOR_ENCRYPTION_KEY": "the Fernet key that encrypts stored secrets",
    "DATABASE_URL": "the PostgreSQL database every process shares",
    "REDIS_URL": "the Redis server that carries notices between processes",
}


def _missing_for_hosted_mode() -> list[str]:
    return [
        f"{name} ({meaning})"
        for name, meaning in HOSTED_MODE_NEEDS.items()
        if not os.environ.get(name, "").strip()
    ]


if not LOCAL_MODE and (missing := _missing_for_hosted_mode()):
    raise ImproperlyConfigured(
        "Hosted mode (INSPECTOR_MODE=hosted) cannot start without: "
        + "; ".join(missing)
        + ". The README's Hosting section describes each."
    )

DATA_DIR = Path(os.environ.get("INSPECTOR_DATA_DIR") or platformdirs.user_data_dir("mcp-inspector"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    if key := os.environ.get("INSPECTOR_SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def _listed(variable: str) -> list[str]:
    """A comma-separated environment variable as a list, empty items dropped."""
    return [item.strip() for item in os.environ.get(variable, "").split(",") if item.strip()]


def _source_tree_dirs(name: str) -> list[Path]:
    """`templates` or `static` at the source tree's top level, or nothing in an installed
    package: the build puts them inside the package (pyproject.toml), where the app
    template loader and static finder look already. The package's copy wins, so that a
    stray top-level folder in site-packages is never taken for ours."""
    if (PACKAGE_DIR / name).is_dir():
        return []
    return [PACKAGE_DIR.parent / name]


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("INSPECTOR_DEBUG") == "1"

# The local-mode access token: the CLI sets it and prints it in the start-up URL.
INSPECTOR_TOKEN = os.environ.get("INSPECTOR_TOKEN") or secrets.token_urlsafe(24)
INSPECTOR_TOKEN_COOKIE = "inspector_token"
# Hosted mode runs stdio servers only from this operator-approved list of commands.
INSPECTOR_STDIO_ALLOWLIST = _listed("INSPECTOR_STDIO_ALLOWLIST")
# Hosted mode refuses outbound requests to non-public addresses (loopback, private,
# link-local, cloud metadata...) except to these host names and networks; see
# inspector/mcp/network.py. Local mode reaches everything.
INSPECTOR_OUTBOUND_ALLOW = _listed("INSPECTOR_OUTBOUND_ALLOW")
# The client_id this inspector presents to authorization servers that support Client ID
# Metadata Documents: the URL of its document (served at /oauth/client-metadata.json). An
# authorization server must be able to fetch it, so a real one needs a public HTTPS URL;
# unset, the inspector's own URL as the browser reaches it is used.
INSPECTOR_OAUTH_CLIENT_ID_URL = os.environ.get("INSPECTOR_OAUTH_CLIENT_ID_URL", "").strip()
# Behind a proxy that terminates TLS, requests arrive as plain HTTP: trust its
# X-Forwarded-Proto so that the OAuth redirect URI and client_id URL built from a request
# are the https ones the browser and authorization servers use. Only set this when such a
# proxy sets (and overwrites) that header on every request.
if os.environ.get("INSPECTOR_BEHIND_TLS_PROXY", "").strip().lower() in {"1", "true", "yes"}:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")


def _whole_number(name: str, default: int) -> int:
    """A count from the environment; anything but a whole number of 0 or more stops the
    start-up with the variable's name, instead of a rule silently not applied."""
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise ImproperlyConfigured(f"{name} must be a whole number, 0 or more, not {text!r}")
    return value


# Keeping the database small (`inspector.services.retention`; 0 turns each rule off): a
# session that ended more than this many days ago is deleted with its events...
INSPECTOR_RETENTION_DAYS = _whole_number("INSPECTOR_RETENTION_DAYS", 0)
# ...and an ended session keeps only its newest this many events.
INSPECTOR_MAX_EVENTS_PER_SESSION = _whole_number("INSPECTOR_MAX_EVENTS_PER_SESSION", 0)
# Seconds between two applications of those rules by the web process; 0: only by
# `python manage.py prune` (from cron or a scheduler).
INSPECTOR_RETENTION_INTERVAL = _whole_number("INSPECTOR_RETENTION_INTERVAL", 3600)
# What the connect form starts with (from `inspector URL` or `inspector -- COMMAND ...`).
INSPECTOR_PREFILL: dict[str, object] = json.loads(os.environ.get("INSPECTOR_PREFILL") or "{}")
# The origin of the MCP Apps sandbox the `inspector` command serves on its second
# listener (http://127.0.0.1:PORT); empty when nothing serves it (Views are not shown).
INSPECTOR_APPS_ORIGIN = os.environ.get("INSPECTOR_APPS_ORIGIN", "")

if LOCAL_MODE:
    ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]", *_listed("INSPECTOR_ALLOWED_HOSTS")]
else:
    ALLOWED_HOSTS = _listed("INSPECTOR_ALLOWED_HOSTS")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.staticfiles",
    "channels",
    "django_htmx",
    "template_partials",
    "inspector",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "inspector.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "inspector.middleware.LocalAccessMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
if not LOCAL_MODE:
    MIDDLEWARE.append("django.contrib.auth.middleware.LoginRequiredMiddleware")
# After the login check: someone signed out is asked to log in, not told "no such session".
MIDDLEWARE.append("inspector.middleware.SessionOwnerMiddleware")

ROOT_URLCONF = "inspector.urls"
ASGI_APPLICATION = "inspector.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": _source_tree_dirs("templates"),
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'inspector.sqlite3'}", conn_max_age=0
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Connections from a pool (psycopg_pool): a new one for every query costs PostgreSQL a
    # process, and a busy session host makes hundreds a second. Not persistent connections
    # (CONN_MAX_AGE): under ASGI each request's thread would keep one and end with it.
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 2, "max_size": 20, "timeout": 30}}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writes come in batches from one process; waiting for the lock beats failing.
    # WAL: a commit appends to the log instead of rewriting pages through a rollback
    # journal, and with synchronous=NORMAL it waits for no fsync (the log is synced at
    # checkpoints; a power cut may lose the last commits, never corrupt the file).
    # Readers (pages) no longer wait for a writer (a flood being stored), nor it for them.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests get a file of their own, not Django's shared-cache in-memory database: there a
    # second writer (a session persisting its events while a view saves the browser's
    # session) fails at once with "table is locked" instead of waiting out the timeout.
    DATABASES["default"]["TEST"] = {
        "NAME": str(Path(tempfile.gettempdir()) / f"inspector-test-{os.getpid()}.sqlite3")
    }

# A websocket consumer waits for notices with a blocking pop that Redis answers after 5 s
# when nothing came (channels_redis' `brpop_timeout`). redis-py 8 gives up reading after 5 s
# by default, so every idle consumer died with a TimeoutError: reads must wait longer.
REDIS_SOCKET_TIMEOUT_SECONDS = 15
if redis_url := os.environ.get("REDIS_URL"):
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": redis_url, "socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS}]
            },
        },
        # Commands to session hosts and their answers (services.hosting): publish and
        # subscribe, each message pushed to a reader subscribed before it was sent.
        "hosts": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [{"address": redis_url}]},
        },
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Where live sessions are held. "here" (the default, and local mode's only choice): in the
# process serving the pages. "remote" (hosted mode): in `sessionhost` processes; the web
# processes hold none and forward every command over the channel layer.
SESSION_HOSTS = os.environ.get("INSPECTOR_SESSION_HOSTS", "here")
if SESSION_HOSTS not in ("here", "remote") or (SESSION_HOSTS == "remote" and MODE != "hosted"):
    raise ValueError(
        f"INSPECTOR_SESSION_HOSTS must be 'here', or 'remote' in hosted mode, not {SESSION_HOSTS!r}"
    )
# How long a web process waits for a host's answer to a command that does not wait on the
# server (a call to the server waits for the session's own request timeout on top).
SESSION_HOST_TIMEOUT_SECONDS = float(os.environ.get("INSPECTOR_SESSION_HOST_TIMEOUT", "10"))
# A host renews its lease this often; one not renewed for the lease is taken as dead.
SESSION_HOST_HEARTBEAT_SECONDS = 3.0
SESSION_HOST_LEASE_SECONDS = 10.0

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"

STATIC_URL = "/static/"
STATICFILES_DIRS = _source_tree_dirs("static")
if not LOCAL_MODE:
    # Filled by `collectstatic` (the Procfile's release step) and served by WhiteNoise.
    STATIC_ROOT = Path(os.environ.get("INSPECTOR_STATIC_ROOT") or DATA_DIR / "static")
    # Asset names carry a hash of their content, so a deploy's new CSS and JS are never
    # hidden by a browser's or proxy's cached copy, and old ones can be cached for ever.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
# Local mode serves static files straight from their finders: no collectstatic step.
WHITENOISE_USE_FINDERS = LOCAL_MODE or DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"
SESSION_COOKIE_SECURE = not LOCAL_MODE
CSRF_COOKIE_SECURE = not LOCAL_MODE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
LOGIN_URL = "/accounts/login/"
# Signed in from the sign-in page itself (no `next`): the home page, not Django's
# /accounts/profile/, which the inspector has not.
LOGIN_REDIRECT_URL = "/"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("INSPECTOR_LOG_LEVEL", "WARNING")},
}

# Sign-in with the team's identity provider over OpenID Connect (hosted mode only; the
# README's "Signing in with your identity provider"). Unset, the login page offers only the
# password form. The issuer's discovery document names every endpoint and key.
INSPECTOR_OIDC_ISSUER = "" if LOCAL_MODE else os.environ.get("INSPECTOR_OIDC_ISSUER", "").strip()
INSPECTOR_OIDC_CLIENT_ID = os.environ.get("INSPECTOR_OIDC_CLIENT_ID", "").strip()
INSPECTOR_OIDC_CLIENT_SECRET = os.environ.get("INSPECTOR_OIDC_CLIENT_SECRET", "").strip()
# The button says "Sign in with <this>".
INSPECTOR_OIDC_NAME = os.environ.get("INSPECTOR_OIDC_NAME", "").strip() or "single sign-on"
INSPECTOR_OIDC_SCOPES = (
    os.environ.get("INSPECTOR_OIDC_SCOPES", "").strip() or "openid email profile"
)
# Empty: any account the provider vouches for may sign in (and gets one here).
INSPECTOR_OIDC_ALLOWED_DOMAINS = [
    domain.lower() for domain in _listed("INSPECTOR_OIDC_ALLOWED_DOMAINS")
]
if INSPECTOR_OIDC_ISSUER and not INSPECTOR_OIDC_CLIENT_ID:
    raise ImproperlyConfigured(
        "INSPECTOR_OIDC_ISSUER is set but INSPECTOR_OIDC_CLIENT_ID is not: the identity "
        "provider needs to know which client signs in."
    )
# Signing out lands on the login page.
LOGOUT_REDIRECT_URL = LOGIN_URL
# Invitations by email (hosted mode) go through Django's mail backends. The console
# backend, the default, writes each mail to the process's standard output, where an
# operator without a mail server can read the link; `smtp` sends them.
_EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
}
_email_backend = os.environ.get("INSPECTOR_EMAIL_BACKEND", "").strip() or "console"
# A shorthand above, or the dotted path of any Django mail backend.
EMAIL_BACKEND = _EMAIL_BACKENDS.get(_email_backend, _email_backend)
EMAIL_HOST = os.environ.get("INSPECTOR_EMAIL_HOST", "localhost")
EMAIL_PORT = _whole_number("INSPECTOR_EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("INSPECTOR_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("INSPECTOR_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("INSPECTOR_EMAIL_STARTTLS", "").strip().lower() in {
    "1",
    "true",
    "yes",
}
EMAIL_USE_SSL = os.environ.get("INSPECTOR_EMAIL_SSL", "").strip().lower() in {"1", "true", "yes"}
DEFAULT_FROM_EMAIL = os.environ.get("INSPECTOR_EMAIL_FROM", "inspector@localhost")
# Hosted mode's limits (`inspector.services.limits`), each refused with a 429 naming it;
# 0 turns one off. A workspace may set its own (Workspace.max_live_sessions,
# max_requests_per_minute), which win over these two *_PER_WORKSPACE defaults. Requests
# are counted in the cache, which every process shares through Redis.
INSPECTOR_LIMIT_LIVE_SESSIONS_PER_USER = _whole_number("INSPECTOR_LIMIT_LIVE_SESSIONS_PER_USER", 20)
INSPECTOR_LIMIT_LIVE_SESSIONS_PER_WORKSPACE = _whole_number(
    "INSPECTOR_LIMIT_LIVE_SESSIONS_PER_WORKSPACE", 100
)
INSPECTOR_LIMIT_REQUESTS_PER_MINUTE_PER_USER = _whole_number(
    "INSPECTOR_LIMIT_REQUESTS_PER_MINUTE_PER_USER", 600
)
INSPECTOR_LIMIT_REQUESTS_PER_MINUTE_PER_WORKSPACE = _whole_number(
    "INSPECTOR_LIMIT_REQUESTS_PER_MINUTE_PER_WORKSPACE", 3000
)
if redis_url:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "KEY_PREFIX": "inspector",
            "OPTIONS": {"socket_timeout": REDIS_SOCKET_TIMEOUT_SECONDS},
        }
    }
# After the owner check, which settles what a request acts as: refused requests never
# reach a view, and what a view did is recorded once it answered.
MIDDLEWARE += [
    "inspector.limit_middleware.LimitMiddleware",
    "inspector.audit_middleware.AuditMiddleware",
]
