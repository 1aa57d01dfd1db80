"""Every page opened by a secret link (/r/<token>, /i/<token>) has the secret-link rate limit:
a guesser gets 429 there as on the personal page, whatever the method or the sub-page."""

import pytest

from eventsvc import create_app
from eventsvc.extensions import db

BOGUS = "A" * 43  # the shape of a token, matching nothing


@pytest.fixture
def limited(app_config):
    app = create_app(
        {
            **app_config,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STRATEGY": "moving-window",
            "PERSONAL_LINK_RATE_LIMIT": "2 per hour",
            # A guesser posts with the CSRF token of any public page; without one, the CSRF
            # check answers 400 before the limit is counted.
            "WTF_CSRF_ENABLED": False,
        }
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def secret_link_routes(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(("/r/<token>", "/i/<token>")):
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                yield method, rule.rule.replace("<token>", BOGUS)


def test_every_secret_link_page_is_rate_limited(app, limited):
    routes = list(secret_link_routes(limited))
    assert ("POST", f"/r/{BOGUS}/declaration") in routes
    assert len(routes) >= 15
    unlimited = []
    for method, path in routes:
        client = limited.test_client()
        statuses = [client.open(path, method=method).status_code for _ in range(3)]
        if statuses[-1] != 429:
            unlimited.append((method, path, statuses))
    assert unlimited == []
