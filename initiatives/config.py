"""Configuration: safe defaults here, secrets and the database from instance/ or the environment.

Order of precedence (later wins): the defaults below, ``instance/config.py``, environment
variables, and finally the mapping passed to ``create_app`` (tests use that). Production mode
(``INITIATIVES_ENV=production``) refuses to start without a real secret key, because a default
key would let anyone forge sessions. Development without a configured key makes a random one
in ``instance/secret_key`` on first start: a key written in this file would be every
``make run``'s key, and a session forged with it would open any instance started that way.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Callable
from pathlib import Path

# The fixed key development used to sign with: refused everywhere, it is public.
DEV_SECRET_KEY = "dev-only-not-secret"
KEY_FILE = "secret_key"


# Environment variables read on top of instance/config.py, with their parsers.
def _flag(value: str) -> bool:
    return value.strip().lower() in ("1", "true", "yes", "on")


ENV_SETTINGS: dict[str, Callable[[str], object]] = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "INITIATIVES_ENV": str,
    "DOCUMENTS_DIR": str,
    "UPLOADS_DIR": str,
    "MAX_CONTENT_LENGTH": int,
    "DEFAULT_LOCALE": str,
    "PUBLIC_BASE_URL": str,
    "MAX_ATTACHMENT_BYTES": int,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_USE_TLS": _flag,
    "MAIL_SENDER": str,
    "RATELIMIT_STORAGE_URI": str,
    "RATELIMIT_ENABLED": _flag,
    "TRUSTED_PROXIES": int,
    "PUBLIC_PAGE_CACHE": _flag,
    "PUBLIC_PAGE_CACHE_SIZE": int,
    "PUBLIC_PAGE_CACHE_MAX_AGE": float,
    "PUBLIC_NATIONAL_STAMP_SECONDS": float,
    "PUBLIC_URL": str,
    "SMS_BACKEND": str,
    "SMS_GATEWAY_URL": str,
    "SMS_GATEWAY_LOGIN": str,
    "SMS_GATEWAY_PASSWORD": str,
    "SMS_SENDER": str,
    "SMS_DELIVERY_TOKEN": str,
    "SMS_DAILY_CAP": int,
}


class ConfigError(RuntimeError):
    """Raised at start-up when the configuration is unsafe or incomplete."""


def defaults(instance_path: str) -> dict:
    """The embedded defaults: SQLite in the instance folder, Kyrgyz first, safe cookies."""
    instance = Path(instance_path)
    return {
        "INITIATIVES_ENV": "development",
        "SECRET_KEY": None,  # production: required; development: instance/secret_key
        "DATABASE_URL": f"sqlite:///{instance / 'initiatives.sqlite3'}",
        "DOCUMENTS_DIR": str(instance / "documents"),
        "UPLOADS_DIR": str(instance / "uploads"),
        # One request may carry a few scans; each file is checked against the smaller limit.
        "MAX_CONTENT_LENGTH": 40 * 1024 * 1024,
        "MAX_ATTACHMENT_BYTES": 10 * 1024 * 1024,
        # E-mail is sent only when MAIL_SERVER is set; in-app notifications always work.
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_USE_TLS": False,
        "MAIL_SENDER": "no-reply@initiatives.invalid",
        # SMS (initiatives/sms): "outbox" keeps the messages in the database, shown to the
        # operator at /admin/sms; "http" sends them through an aggregator's XML gateway.
        "SMS_BACKEND": "outbox",
        "SMS_GATEWAY_URL": "",
        "SMS_GATEWAY_LOGIN": "",
        "SMS_GATEWAY_PASSWORD": "",
        "SMS_SENDER": "",  # the sender name registered with the aggregator
        "SMS_DELIVERY_TOKEN": "",  # the secret of /sms/delivery; empty: no delivery reports
        "SMS_DAILY_CAP": 2000,  # messages handed to the gateway per UTC day, at most
        # The short address put in SMS links (a short domain); PUBLIC_BASE_URL without it.
        "PUBLIC_URL": "",
        "LANGUAGES": ("ky", "ru", "en"),
        "DEFAULT_LOCALE": "ky",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Bishkek",
        "PUBLIC_BASE_URL": "http://127.0.0.1:5000",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        # Login throttling (Flask-Limiter). Memory counts per process: enough for one
        # worker; production defaults to the local Redis so all workers share the counts,
        # and falls back to memory rather than refuse logins if Redis is away.
        "RATELIMIT_STORAGE_URI": None,  # memory://, or redis://127.0.0.1:6379/0 in production
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        "RATELIMIT_HEADERS_ENABLED": True,
        "LOGIN_LIMITS": "10 per minute; 30 per hour",  # failed attempts, per login typed
        "LOGIN_LIMITS_PER_ADDRESS": "30 per minute; 300 per hour",  # one office, one NAT
        "REGISTER_LIMITS": "20 per hour",
        # Refused registrations, per address: each one says whether a phone or e-mail has
        # an account, so trying a list of them must meet a limit too.
        "REGISTER_REFUSAL_LIMITS": "10 per minute; 60 per hour",
        # Behind a reverse proxy, how many proxies set X-Forwarded-For/-Proto: without it
        # every visitor would share the proxy's address and its login limit.
        "TRUSTED_PROXIES": 0,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # Text sent compressed to browsers that accept it (Flask-Compress): a public page's
        # HTML shrinks by six or more on a slow line. PDFs, JPEG and PNG are compressed
        # inside already and go as they are. Brotli where the browser offers it, else gzip.
        "COMPRESS_MIMETYPES": [
            "text/html",
            "text/css",
            "text/javascript",
            "text/csv",
            "application/json",
            "image/svg+xml",
        ],
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        # A stream compressed on the fly is never closed by Flask-Compress (a file handle
        # left to the garbage collector); the static files are small and read at once
        # instead (initiatives/web.py), and no other text is streamed.
        "COMPRESS_STREAMS": False,
    }


def from_environment(environ: os._Environ | dict) -> dict:
    values = {}
    for name, parse in ENV_SETTINGS.items():
        if environ.get(name):
            values[name] = parse(environ[name])
    return values


def instance_key(instance_path: str) -> str:
    """The instance's own development key, made on first start and kept across restarts
    (sessions survive a restart of ``make run``).

    Written to a temporary file and linked into place, so that workers starting together
    agree: the first link wins, the others read its key; nobody reads a half-written one.
    Readable by its owner only."""
    path = Path(instance_path) / KEY_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_urlsafe(48) + "\n")
                out.flush()
                os.fsync(out.fileno())
            with contextlib.suppress(FileExistsError):  # another worker's came first
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    key = path.read_text().strip()
    if len(key) < 32:
        raise ConfigError(f"{path} holds no usable key; delete it and start again.")
    return key


def finalize(config, instance_path: str) -> None:
    """Derive dependent settings and refuse unsafe production set-ups."""
    url = config["DATABASE_URL"]
    if url.startswith("postgres://"):  # Heroku-style URLs
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    config["SQLALCHEMY_DATABASE_URI"] = url
    production = config["INITIATIVES_ENV"] == "production"
    config["PRODUCTION"] = production
    if not config.get("RATELIMIT_STORAGE_URI"):
        local_redis = "redis://127.0.0.1:6379/0"
        config["RATELIMIT_STORAGE_URI"] = local_redis if production else "memory://"
    if production:
        key = config.get("SECRET_KEY")
        if not key or key == DEV_SECRET_KEY or len(key) < 32:
            raise ConfigError(
                "Production mode needs SECRET_KEY (at least 32 random characters) in the "
                "environment or instance/config.py; refusing to start."
            )
        config["SESSION_COOKIE_SECURE"] = True
        config["REMEMBER_COOKIE_SECURE"] = True
        config["PREFERRED_URL_SCHEME"] = "https"
    elif not config.get("SECRET_KEY") or config["SECRET_KEY"] == DEV_SECRET_KEY:
        config["SECRET_KEY"] = instance_key(instance_path)
