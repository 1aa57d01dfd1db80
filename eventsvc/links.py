"""Absolute links for what leaves the site (emails, calendars) and the personal-link token.

They are built from ``PUBLIC_BASE_URL`` only, never from the request: a forged ``Host`` must not
put someone's personal link on another site (the host check of ``hosts.py`` refuses it anyway).
"""

from __future__ import annotations

from flask import current_app, has_request_context, url_for

from .common import tokens
from .hosts import DEFAULT_BASE_URL


def base_url() -> str:
    return (current_app.config.get("PUBLIC_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")


def external_url(endpoint: str, **values) -> str:
    if has_request_context():
        path = url_for(endpoint, **values)
    else:
        with current_app.test_request_context(base_url=base_url() + "/"):
            path = url_for(endpoint, **values)
    return base_url() + path


def personal_token(registration) -> str:
    return tokens.personal_token(registration.public_id, current_app.config["SECRET_KEY"])


def personal_url(registration) -> str:
    return external_url("public.personal", token=personal_token(registration))


def checkin_code(registration) -> str:
    """The registration's check-in code (badge, confirmation, personal page): opens nothing."""
    # A preview's sample person is never saved: its code reads 0 rather than « None ».
    return tokens.checkin_code(
        registration.event.id or 0, registration.id or 0, current_app.config["SECRET_KEY"]
    )
