"""Absolute links for what leaves the site (emails, calendars) and the personal-link token."""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for

from .registrations import tokens

DEFAULT_BASE_URL = "http://127.0.0.1:5000"


def base_url() -> str:
    configured = current_app.config.get("PUBLIC_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return DEFAULT_BASE_URL


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
