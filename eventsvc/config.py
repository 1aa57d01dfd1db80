"""Configuration defaults.

Order of precedence (last wins): these defaults, ``instance/config.py``, ``EVENTSVC_*`` environment
variables, then the mapping passed to ``create_app`` (tests).
"""

from __future__ import annotations

import secrets
from pathlib import Path

DEFAULTS: dict[str, object] = {
    # None means: SQLite file ``eventsvc.sqlite3`` in the instance folder.
    "SQLALCHEMY_DATABASE_URI": None,
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SECRET_KEY": None,
    "CHECK_EMAIL_DELIVERABILITY": False,
    "BABEL_DEFAULT_LOCALE": "fr",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
    "LANGUAGES": ["fr", "en"],
    "COMMENT_MAX_LENGTH": 2000,
    # Public base URL used in links that leave the site (emails, calendars). None: the request's.
    "PUBLIC_BASE_URL": None,
    "WTF_CSRF_TIME_LIMIT": None,
    "MAX_CONTENT_LENGTH": 5 * 1024 * 1024,
    "SQLITE_BUSY_TIMEOUT_MS": 30_000,
    # Organiser sessions end after this many seconds without a request (8 hours).
    "PERMANENT_SESSION_LIFETIME": 8 * 3600,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_HTTPONLY": True,
    # Set to true in production, behind HTTPS.
    "SESSION_COOKIE_SECURE": False,
    # Login throttling: failures counted per address typed and per client IP within the window.
    "LOGIN_MAX_FAILURES_PER_ACCOUNT": 5,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": 30,
    "LOGIN_FAILURE_WINDOW": 15 * 60,
    "LOGIN_LOCK_SECONDS": 15 * 60,
    # Rows per page of the dashboard's registrations table.
    "DASHBOARD_PAGE_SIZE": 50,
}


def sqlite_uri(instance_path: str) -> str:
    return "sqlite:///" + str(Path(instance_path) / "eventsvc.sqlite3")


def load_or_create_secret_key(instance_path: str) -> str:
    """Generate the key once into the instance folder so that sessions survive restarts.

    Several processes may start together (gunicorn): the file is created exclusively and the loser
    reads the winner's key.
    """
    path = Path(instance_path) / "secret_key"
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(48)
    try:
        with open(path, "x", encoding="ascii") as handle:
            handle.write(key)
        path.chmod(0o600)
        return key
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
