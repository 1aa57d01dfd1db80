"""The API's rate limit: per token (not per address), 429 as a problem with Retry-After."""

from __future__ import annotations

import pytest
from flask import g

from eventsvc.extensions import limiter

from .factories import api_token, bearer, config_for_tests, new_event, new_organiser


@pytest.fixture
def app_config(database_uri, tmp_path):
    return {
        **config_for_tests(database_uri, tmp_path / "instance"),
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STRATEGY": "moving-window",  # exact counting whatever the minute
        "API_RATE_LIMIT": "3 per hour",
    }


def test_rate_limit_per_token_429_with_retry_after(app, client):
    limiter.reset()
    user = new_organiser("alice@example.org", events=[new_event()])
    secret, other = api_token(user), api_token(user, name="Grist")
    statuses = [client.get("/api/v1/events", headers=bearer(secret)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    # The limit answers before conftest's hook that forgets the language cached on the test's
    # shared ``g`` (in production every request has its own): forget it here.
    g.pop("_flask_babel", None)
    limited = client.get("/api/v1/events", headers=bearer(secret, "en"))
    assert limited.status_code == 429
    assert limited.mimetype == "application/problem+json"
    assert int(limited.headers["Retry-After"]) >= 1
    assert limited.get_json()["title"].startswith("Too many")
    # Another token of the same organiser, from the same address, has its own count.
    assert client.get("/api/v1/events", headers=bearer(other)).status_code == 200
    # The OpenAPI document is not counted.
    assert client.get("/api/v1/openapi.json").status_code == 200
