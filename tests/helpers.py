"""Helpers shared by tests: post forms as a browser does, build local times."""

from __future__ import annotations

import re
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo


def local(day, clock: time, zone="Europe/Paris") -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone))


FIXTURES = Path(__file__).parent / "fixtures"

CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    match = CSRF_PATTERN.search(page.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_form(client, url: str, data: dict, **kwargs):
    """Post like a browser: with the CSRF token the page carries."""
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data}, **kwargs)


def login(client, email: str, password: str):
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response
