"""Webhooks (issue 20): the SSRF refusals at registration and at delivery (only DNS resolution is
replaced), the organiser's pages scoped to their own endpoints, and the commands."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from eventsvc.audit import service as audit
from eventsvc.audit.models import AuditEvent
from eventsvc.extensions import db
from eventsvc.webhooks import addresses, delivery, operations, rules
from eventsvc.webhooks.models import WebhookDelivery, WebhookEndpoint

from .factories import (
    ORGANISER_PASSWORD,
    csrf_token,
    error_for,
    login,
    new_event,
    new_organiser,
    participant,
)
from .webhook_receiver import Receiver

PUBLIC = "93.184.215.14"


@pytest.fixture
def dns(monkeypatch):
    """External DNS, the one thing replaced: host name -> addresses."""
    names: dict[str, list[str]] = {}

    def resolve(host, port):
        if host in names:
            return names[host]
        if re.fullmatch(r"[\d.]+|[0-9a-f:]+", host):
            return [host]
        raise rules.RefusedAddress("dns")

    monkeypatch.setattr(addresses, "resolve", resolve)
    return names


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1", "10.1.2.3", "172.16.0.9", "192.168.1.1", "169.254.169.254", "0.0.0.0",
        "224.0.0.1", "240.0.0.1", "100.64.0.1", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
        "ff02::1", "::",
    ],
)  # fmt: skip
def test_an_address_of_a_private_or_special_network_is_refused(address):
    assert rules.refused_ip(address)


def test_a_public_address_is_accepted():
    assert not rules.refused_ip(PUBLIC)
    assert not rules.refused_ip("2606:4700:4700::1111")


@pytest.mark.parametrize(
    "url, reason",
    [
        ("ftp://hooks.example.org/", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("https://user:pw@hooks.example.org/", "credentials"),
        ("https://hooks.example.org:99999/", "url"),
        ("https:///nohost", "scheme"),
    ],
)
def test_only_http_urls_with_a_host(url, reason):
    with pytest.raises(rules.RefusedAddress, match=reason):
        rules.check_url(url)


@pytest.mark.parametrize(
    "resolved",
    [["127.0.0.1"], ["10.0.0.5"], ["169.254.169.254"], [PUBLIC, "192.168.0.2"], ["::1"]],
)
def test_registering_a_name_that_resolves_to_a_private_address_is_refused(app, dns, resolved):
    dns["hooks.example.org"] = resolved
    owner = new_organiser("alice@example.org")
    with pytest.raises(operations.WebhookError) as refused:
        operations.add_endpoint(owner, "https://hooks.example.org/in", ["registration.created"])
    assert refused.value.field == "url"
    assert "réseau privé" in str(refused.value)


def test_a_name_that_does_not_resolve_is_refused(app, dns):
    owner = new_organiser("alice@example.org")
    with pytest.raises(operations.WebhookError, match="introuvable"):
        operations.add_endpoint(owner, "https://nowhere.example.org/", ["registration.created"])


def test_delivery_resolves_again_and_refuses_a_name_now_private(app, dns, receiver):
    """Registered while public, the name now resolves to loopback (DNS rebinding): nothing is
    sent, the attempt says why and is retried later."""
    dns["hooks.example.org"] = [PUBLIC]
    event = new_event()
    owner = new_organiser("alice@example.org", events=[event])
    url = f"http://hooks.example.org:{receiver.port}/hooks"
    operations.add_endpoint(owner, url, ["registration.created"])
    db.session.commit()
    participant(event, 1)
    dns["hooks.example.org"] = ["127.0.0.1"]
    assert delivery.deliver_all_due()["retry"] == 1
    assert receiver.received == []
    [refused] = db.session.scalars(select(WebhookDelivery)).all()
    assert refused.last_error == "adresse refusée (private)"


def test_delivery_connects_to_the_address_it_checked(app, dns, receiver):
    """With private addresses allowed (an intranet), the name's checked address is the one
    connected to; the Host header keeps the name."""
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    dns["hooks.intranet.example"] = ["127.0.0.1"]
    event = new_event()
    owner = new_organiser("alice@example.org", events=[event])
    url = f"http://hooks.intranet.example:{receiver.port}/hooks"
    operations.add_endpoint(owner, url, ["registration.created"])
    db.session.commit()
    participant(event, 1)
    assert delivery.deliver_all_due()["delivered"] == 1
    [got] = receiver.received
    assert got.headers["host"] == f"hooks.intranet.example:{receiver.port}"


# --- the dashboard ---------------------------------------------------------------------------


def logged_in(app, email):
    user = new_organiser(email)
    client = app.test_client()
    login(client, email, ORGANISER_PASSWORD)
    return user, client


def test_an_organiser_adds_an_endpoint_and_sees_its_secret_once(app, dns):
    alice, client = logged_in(app, "alice@example.org")
    token = csrf_token(client, "/dashboard/webhooks/new")
    response = client.post(
        "/dashboard/webhooks/new",
        data={
            "csrf_token": token,
            "url": f"https://{PUBLIC}/hooks",
            "event_types": ["registration.created", "checkin.recorded"],
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    [endpoint] = db.session.scalars(select(WebhookEndpoint)).all()
    assert endpoint.secret in html
    assert endpoint.event_types == ["registration.created", "checkin.recorded"]
    listing = client.get("/dashboard/webhooks").get_data(as_text=True)
    assert f"https://{PUBLIC}/hooks" in listing and endpoint.secret not in listing
    assert endpoint.secret not in client.get(f"/dashboard/webhooks/{endpoint.id}").get_data(
        as_text=True
    )
    [line] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "webhook.added"))
    assert line.actor_id == alice.id


def test_a_refused_url_is_said_next_to_the_field(app, dns):
    dns["intranet.example.org"] = ["10.0.0.8"]
    _alice, client = logged_in(app, "alice@example.org")
    for url, says in [
        ("https://intranet.example.org/", "réseau privé"),
        ("ftp://example.org/", "https://"),
    ]:
        token = csrf_token(client, "/dashboard/webhooks/new")
        response = client.post(
            "/dashboard/webhooks/new",
            data={"csrf_token": token, "url": url, "event_types": ["claim.validated"]},
        )
        assert response.status_code == 200
        assert says in error_for(response.get_data(as_text=True), "url")
    token = csrf_token(client, "/dashboard/webhooks/new")
    response = client.post(
        "/dashboard/webhooks/new",
        data={"csrf_token": token, "url": f"https://{PUBLIC}/", "event_types": ["nope"]},
    )
    assert error_for(response.get_data(as_text=True), "event_types")
    assert db.session.scalars(select(WebhookEndpoint)).all() == []


def test_deliveries_are_listed_replayed_disabled_and_deleted(app, dns, receiver):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    event = new_event()
    alice, client = logged_in(app, "alice@example.org")
    event.organisers.append(alice)
    endpoint, _secret = operations.add_endpoint(alice, receiver.url, ["registration.created"])
    db.session.commit()
    participant(event, 1)
    receiver.statuses = [500]
    delivery.deliver_all_due()
    page = client.get(f"/dashboard/webhooks/{endpoint.id}").get_data(as_text=True)
    assert "HTTP 500" in page and "en attente" in page
    [first] = db.session.scalars(select(WebhookDelivery)).all()
    token = csrf_token(client, f"/dashboard/webhooks/{endpoint.id}")
    replay = f"/dashboard/webhooks/{endpoint.id}/deliveries/{first.id}/replay"
    assert client.post(replay, data={"csrf_token": token}).status_code == 303
    assert delivery.deliver_all_due()["delivered"] == 1
    assert len(db.session.scalars(select(WebhookDelivery)).all()) == 2

    token = csrf_token(client, "/dashboard/webhooks")
    client.post(f"/dashboard/webhooks/{endpoint.id}/active", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).active is False
    client.post(f"/dashboard/webhooks/{endpoint.id}/delete", data={"csrf_token": token})
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id) is None
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"webhook.replayed", "webhook.disabled", "webhook.deleted"} <= actions


def test_another_organisers_endpoint_is_a_404(app, dns):
    bob = new_organiser("bob@example.org")
    endpoint, _ = operations.add_endpoint(bob, f"https://{PUBLIC}/", ["registration.created"])
    db.session.add(
        WebhookDelivery(
            endpoint_id=endpoint.id, event_type="registration.created", payload={}, msg_id="msg_x"
        )
    )
    db.session.commit()
    [bobs_delivery] = db.session.scalars(select(WebhookDelivery)).all()
    _alice, client = logged_in(app, "alice@example.org")
    assert client.get(f"/dashboard/webhooks/{endpoint.id}").status_code == 404
    token = csrf_token(client, "/dashboard/webhooks")
    for url in (
        f"/dashboard/webhooks/{endpoint.id}/active",
        f"/dashboard/webhooks/{endpoint.id}/delete",
        f"/dashboard/webhooks/{endpoint.id}/deliveries/{bobs_delivery.id}/replay",
    ):
        assert client.post(url, data={"csrf_token": token}).status_code == 404
    assert f"https://{PUBLIC}/" not in client.get("/dashboard/webhooks").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(WebhookEndpoint, endpoint.id).active is True


# --- the command line ------------------------------------------------------------------------


def test_the_commands_add_list_and_deliver(app, dns, receiver):
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = True
    event = new_event()
    new_organiser("alice@example.org", events=[event])
    runner = app.test_cli_runner()
    added = runner.invoke(
        args=[
            "webhooks",
            "add",
            "alice@example.org",
            receiver.url,
            "--event",
            "registration.created",
        ]
    )
    assert added.exit_code == 0, added.output
    secret = added.output.strip().splitlines()[-1]
    assert re.fullmatch(r"whsec_[A-Za-z0-9+/=]{32}", secret)
    listed = runner.invoke(args=["webhooks", "list", "alice@example.org"])
    assert receiver.url in listed.output and "registration.created" in listed.output
    [line] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "webhook.added"))
    assert line.actor_label == audit.COMMAND_LINE

    participant(event, 1)
    sent = runner.invoke(args=["mail", "send"])
    assert sent.exit_code == 0, sent.output
    assert sent.output.splitlines()[0].startswith("sent ")
    assert "webhooks: delivered 1, retry 0, failed 0" in sent.output
    participant(event, 2)
    assert "delivered 1" in runner.invoke(args=["webhooks", "deliver"]).output
    assert len(receiver.received) == 2

    refused = runner.invoke(args=["webhooks", "add", "nobody@example.org", receiver.url])
    assert refused.exit_code != 0
    app.config["WEBHOOKS_ALLOW_PRIVATE"] = False
    refused = runner.invoke(args=["webhooks", "add", "alice@example.org", receiver.url])
    assert refused.exit_code != 0 and "réseau privé" in refused.output
