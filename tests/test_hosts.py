"""Links in emails come from configuration only; only the configured (or loopback) host is served.

Issue 13, item 2: a sign-up POST with ``Host: evil.example`` for an address already registered used
to mail that person their real personal link on ``http://evil.example/r/...``.
"""

import logging
import re

import pytest

from eventsvc import create_app
from eventsvc.extensions import db
from eventsvc.hosts import allowed_hosts, host_name
from eventsvc.mail.worker import deliver_once

from .factories import CSRF_PATTERN, valid
from .smtp_server import smtp_settings

PERSON = "claire.martin@ccas.example.org"


@pytest.fixture
def app_config(app_config, smtp_server):
    # The default: no PUBLIC_BASE_URL, and no SERVER_NAME to make up for it.
    return {
        **app_config,
        **smtp_settings(smtp_server),
        "SERVER_NAME": None,
        "PUBLIC_BASE_URL": None,
    }


_apps = []


def other_app(config):
    app = create_app(config)
    _apps.append(app)
    return app


@pytest.fixture(autouse=True)
def close_other_apps():
    yield
    while _apps:
        with _apps.pop().app_context():
            db.engine.dispose()


def sign_up(client, base_url: str, email: str = PERSON, **kwargs):
    page = client.get("/e/atelier", base_url=base_url, **kwargs)
    if page.status_code != 200:
        return page
    token = CSRF_PATTERN.search(page.get_data(as_text=True)).group(1)
    return client.post(
        "/e/atelier",
        data={**valid(email=email), "csrf_token": token},
        base_url=base_url,
        **kwargs,
    )


def links_sent_to(smtp_server, address: str, app=None) -> list[str]:
    """Delivered by a worker of ``app`` (its settings): messages are composed at delivery."""
    if app is None:
        deliver_once()
    else:
        with app.app_context():
            deliver_once()
    return [
        link
        for received in smtp_server.mailbox.to(address)
        for link in re.findall(
            r"https?://[^\s\"<>]+", received.message.get_body(("plain",)).get_content()
        )
    ]


def test_a_forged_host_gets_400_and_no_link_is_sent_on_it(app, make_event, smtp_server):
    make_event()
    assert sign_up(app.test_client(), "http://127.0.0.1:5000").status_code == 303
    first = links_sent_to(smtp_server, PERSON)

    # Signing up again mails the personal link again: never on a host the request picked.
    forged = sign_up(app.test_client(), "http://evil.example")
    sent = links_sent_to(smtp_server, PERSON)
    assert not [link for link in sent if "evil.example" in link]
    assert forged.status_code == 400
    assert sent == first
    assert first and all(link.startswith("http://127.0.0.1:5000/") for link in first)


@pytest.mark.parametrize(
    "base_url",
    ["http://localhost", "http://localhost:8080", "http://127.0.0.1", "http://[::1]:5000"],
)
def test_loopback_hosts_are_served_on_any_port_with_links_from_configuration(
    app, make_event, smtp_server, base_url
):
    make_event()
    assert sign_up(app.test_client(), base_url).status_code == 303
    links = links_sent_to(smtp_server, PERSON)
    assert links and all(link.startswith("http://127.0.0.1:5000/") for link in links)


@pytest.mark.parametrize(
    "host",
    [
        "evil.example",
        "evil.example:5000",
        "localhost.evil.example",
        "127.0.0.1.nip.io",
        "",
        "127.0.0.1:\u00b2",
        "127.0.0.1:\u0663",
    ],
)
def test_other_hosts_get_400_without_a_public_base_url(app, client, host):
    assert client.get("/healthz", headers={"Host": host}).status_code == 400


def test_the_refusal_is_logged_once_and_says_what_to_set(app, client, caplog):
    with caplog.at_level(logging.WARNING, logger="eventsvc.hosts"):
        for host in ("evil.example", "other.example", "evil.example"):
            assert client.get("/healthz", headers={"Host": host}).status_code == 400
    [record] = [r for r in caplog.records if r.name == "eventsvc.hosts"]
    assert "EVENTSVC_PUBLIC_BASE_URL" in record.getMessage()
    assert "'evil.example'" in record.getMessage()


def test_behind_a_proxy_a_forged_forwarded_host_gets_400(app_config, make_event, smtp_server):
    make_event()
    app = other_app({**app_config, "PROXY_COUNT": 1})
    client = app.test_client()
    headers = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    assert client.get("/e/atelier", base_url="http://127.0.0.1", headers=headers).status_code == 400
    assert client.get("/e/atelier", base_url="http://127.0.0.1").status_code == 200


def test_with_a_public_base_url_only_its_host_is_served(app_config, make_event, smtp_server):
    make_event()
    base = "https://inscriptions.example.fr"
    app = other_app({**app_config, "PUBLIC_BASE_URL": base + "/", "PROXY_COUNT": 1})
    client = app.test_client()
    assert client.get("/healthz", base_url="http://127.0.0.1:8000").status_code == 400
    assert client.get("/healthz", base_url="http://evil.example").status_code == 400
    forwarded = {"X-Forwarded-Host": "evil.example"}
    assert client.get("/healthz", base_url=base, headers=forwarded).status_code == 400
    # The proxy passes the public name: served, and links are on the configured address.
    assert (
        sign_up(
            client, "http://127.0.0.1:8000", headers={"X-Forwarded-Host": "inscriptions.example.fr"}
        ).status_code
        == 303
    )
    links = links_sent_to(smtp_server, PERSON, app)
    assert links and all(link.startswith(base + "/") for link in links)


def test_the_dashboard_shows_the_public_page_on_the_configured_address(organiser_client):
    from eventsvc.events.models import EventStatus

    event = organiser_client.event
    event.status = EventStatus.OPEN
    db.session.commit()
    page = organiser_client.get(f"/dashboard/events/{event.id}", base_url="http://localhost:8080")
    assert "http://127.0.0.1:5000/e/atelier" in page.get_data(as_text=True)


def test_a_malformed_public_base_url_stops_the_start_up(app_config):
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL"):
        create_app({**app_config, "PUBLIC_BASE_URL": "inscriptions.example.fr"})


@pytest.mark.parametrize(
    ("value", "name"),
    [
        ("localhost:5000", "localhost"),
        ("LocalHost", "localhost"),
        ("[::1]:8080", "[::1]"),
        ("[::1]", "[::1]"),
        ("[::1]x", None),
        ("[::1", None),
        ("localhost:99999", None),
        ("localhost:x", None),
        ("127.0.0.1:\u00b2", None),  # "²".isdigit() is true, and int("²") fails
        ("", None),
    ],
)
def test_host_name(value, name):
    assert host_name(value) == name


def test_allowed_hosts():
    assert allowed_hosts(None) == {"localhost", "127.0.0.1", "[::1]"}
    assert allowed_hosts("https://Inscriptions.Example.fr/base") == {"inscriptions.example.fr"}
    assert allowed_hosts("http://127.0.0.1:8000") == {"localhost", "127.0.0.1", "[::1]"}
