"""Webhooks (issue 20): queued in the change's transaction for the organiser's subscribed
endpoints, received by a local HTTP server, signatures verified with the Standard Webhooks
library, retried after a failure, given up after the last attempt."""

from __future__ import annotations

import json
import threading
import time
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from standardwebhooks.webhooks import Webhook

from eventsvc.attendance import operations as attendance
from eventsvc.audit import service as audit
from eventsvc.database import utcnow
from eventsvc.extensions import db
from eventsvc.mail import worker
from eventsvc.registrations import operations as registrations
from eventsvc.retention import service as retention
from eventsvc.webhooks import delivery, operations, rules
from eventsvc.webhooks.models import DeliveryStatus, WebhookDelivery

from .factories import (
    checked_person,
    command,
    config_for_tests,
    driver,
    happening_today,
    new_event,
    new_organiser,
    participant,
    study_day,
    validated_claims,
)
from .webhook_receiver import Receiver


@pytest.fixture
def app_config(database_uri, tmp_path):
    config = config_for_tests(database_uri, tmp_path / "instance")
    config["WEBHOOKS_ALLOW_PRIVATE"] = True
    config["WEBHOOKS_TIMEOUT"] = 5
    return config


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.stop()


def endpoint_for(event, url, types=rules.EVENT_TYPES, email="alice@example.org"):
    owner = new_organiser(email, events=[event] if event is not None else [])
    endpoint, secret = operations.add_endpoint(
        owner, url, list(types), actor_label=audit.COMMAND_LINE
    )
    db.session.commit()
    return endpoint, secret


def deliveries():
    db.session.rollback()
    return db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id)).all()


def verified(secret, received) -> dict:
    """The payload, once the Standard Webhooks library accepted its signature."""
    return Webhook(secret).verify(received.body, received.headers)


def test_a_sign_up_is_delivered_signed_as_standard_webhooks_says(app, receiver):
    event = new_event()
    endpoint, secret = endpoint_for(event, receiver.url)
    assert secret.startswith("whsec_") and len(rules.SECRET_PREFIX) + 32 == len(secret)
    registration = participant(event, 1, last="Bernard", first="Léa")
    [queued] = deliveries()
    assert (queued.event_type, queued.status) == ("registration.created", DeliveryStatus.PENDING)

    assert delivery.deliver_all_due() == {"delivered": 1, "retry": 0, "failed": 0}

    [got] = receiver.received
    assert got.path == "/hooks"
    assert got.headers["webhook-id"] == queued.msg_id
    assert got.headers["webhook-signature"].startswith("v1,")
    payload = verified(secret, got)
    assert payload["type"] == "registration.created"
    assert payload["timestamp"].endswith("Z")
    data = payload["data"]
    assert data["event"] == {"id": event.id, "slug": "atelier", "title": event.title}
    assert data["registration"]["id"] == registration.id
    assert data["registration"]["status"] == "confirmed"
    assert (data["registration"]["first_name"], data["registration"]["last_name"]) == (
        "Léa",
        "Bernard",
    )
    assert data["registration"]["email"] == "personne1@example.org"
    assert [p["label"] for p in data["registration"]["parts"]] == ["Matin", "Après-midi"]
    [done] = deliveries()
    assert (done.status, done.attempts, done.last_status_code) == ("delivered", 1, 200)
    assert done.delivered_at is not None


def test_a_wrong_secret_or_an_altered_body_fails_verification(app, receiver):
    event = new_event()
    _endpoint, secret = endpoint_for(event, receiver.url)
    participant(event, 1)
    delivery.deliver_all_due()
    [got] = receiver.received
    other = rules.new_secret(b"x" * 24)
    with pytest.raises(Exception):  # noqa: B017 - the library's own verification error
        Webhook(other).verify(got.body, got.headers)
    with pytest.raises(Exception):  # noqa: B017
        Webhook(secret).verify(got.body.replace(b"confirmed", b"cancelled"), got.headers)


def test_a_failed_delivery_is_retried_later_with_the_same_id_then_succeeds(app, receiver):
    event = new_event()
    _endpoint, secret = endpoint_for(event, receiver.url)
    participant(event, 1)
    receiver.statuses = [500]
    now = utcnow()

    assert delivery.deliver_all_due(now) == {"delivered": 0, "retry": 1, "failed": 0}
    [waiting] = deliveries()
    assert (waiting.status, waiting.attempts, waiting.last_status_code) == ("pending", 1, 500)
    assert waiting.next_attempt_at - now == timedelta(seconds=30)
    # Not due yet: nothing goes.
    assert delivery.deliver_all_due(now + timedelta(seconds=10))["retry"] == 0
    assert len(receiver.received) == 1

    later = now + timedelta(seconds=31)
    assert delivery.deliver_all_due(later) == {"delivered": 1, "retry": 0, "failed": 0}
    first, second = receiver.received
    assert first.headers["webhook-id"] == second.headers["webhook-id"]
    assert verified(secret, second)["type"] == "registration.created"
    [done] = deliveries()
    assert (done.status, done.attempts, done.last_status_code) == ("delivered", 2, 200)


def test_the_backoff_grows_and_gives_up_after_the_last_attempt(app, receiver):
    assert [rules.retry_delay(n).total_seconds() for n in range(1, 8)] == [
        30, 120, 600, 3600, 6 * 3600, 12 * 3600, 12 * 3600,
    ]  # fmt: skip
    app.config["WEBHOOKS_MAX_ATTEMPTS"] = 3
    event = new_event()
    endpoint_for(event, receiver.url)
    participant(event, 1)
    receiver.statuses = [503, 503, 503]
    now = utcnow()
    for step in range(3):
        delivery.deliver_all_due(now + timedelta(days=step))
    [given_up] = deliveries()
    assert (given_up.status, given_up.attempts) == (DeliveryStatus.FAILED, 3)
    assert given_up.last_error == "HTTP 503"
    assert delivery.deliver_all_due(now + timedelta(days=9))["delivered"] == 0
    # Kept, and replayable: a new message with the same payload.
    again = operations.replay(given_up, actor_label=audit.COMMAND_LINE)
    db.session.commit()
    assert again.msg_id != given_up.msg_id and again.payload == given_up.payload
    assert delivery.deliver_all_due(now + timedelta(days=9))["delivered"] == 1


def test_an_unreachable_receiver_is_retried(app):
    event = new_event()
    endpoint_for(event, "http://127.0.0.1:9/nothing-listens")
    participant(event, 1)
    assert delivery.deliver_all_due()["retry"] == 1
    [waiting] = deliveries()
    assert waiting.last_status_code is None and "ConnectError" in waiting.last_error


def test_a_claim_whose_worker_died_is_taken_over_after_its_lease(app, receiver):
    event = new_event()
    endpoint_for(event, receiver.url)
    participant(event, 1)
    now = utcnow()
    [job] = delivery.claim_due("dead-worker", now, 10)
    assert delivery.claim_due("other", now + timedelta(minutes=1), 10) == []
    assert delivery.deliver_all_due(now + delivery.LEASE + timedelta(seconds=1))["delivered"] == 1
    # The dead worker's late outcome is ignored.
    assert delivery.record({job.id: delivery.Outcome(500, "HTTP 500")}, "dead-worker", now, 8) == {
        "delivered": 0, "retry": 0, "failed": 0,
    }  # fmt: skip


def test_a_rolled_back_sign_up_queues_nothing(app, receiver):
    event = new_event()
    endpoint_for(event, receiver.url)
    registrations.register(event, command(1), locale="fr", send_email=False)
    assert db.session.scalars(select(WebhookDelivery)).all() != []  # queued in the transaction
    db.session.rollback()
    assert deliveries() == []
    assert delivery.deliver_all_due()["delivered"] == 0
    assert receiver.received == []


def test_only_the_event_organisers_subscribed_endpoints_are_sent_to(app, receiver):
    event = new_event()
    other_event = new_event(slug="autre")
    mine, _ = endpoint_for(event, receiver.url)
    checkins_only, _ = endpoint_for(
        event, receiver.url + "/presences", types=["checkin.recorded"], email="bob@example.org"
    )
    elsewhere, _ = endpoint_for(other_event, receiver.url + "/autre", email="carol@example.org")
    disabled, _ = endpoint_for(event, receiver.url + "/off", email="dan@example.org")
    operations.set_active(disabled, False, actor_label=audit.COMMAND_LINE)
    db.session.commit()
    participant(event, 1)
    assert [d.endpoint_id for d in deliveries()] == [mine.id]


def test_change_cancellation_and_promotion_each_send_their_event(app, receiver):
    event = new_event(capacity=1)
    endpoint_for(event, receiver.url)
    first = participant(event, 1)
    second = participant(event, 2)
    registrations.change(first, registrations.ChangeCommand(full_day=True, comment="Végétarien"))
    registrations.cancel(first)
    db.session.commit()
    assert [(d.event_type, d.payload["data"]["registration"]["id"]) for d in deliveries()] == [
        ("registration.created", first.id),
        ("registration.created", second.id),
        ("registration.changed", first.id),
        ("registration.cancelled", first.id),
        ("registration.promoted", second.id),
    ]
    statuses = [d.payload["data"]["registration"]["status"] for d in deliveries()]
    assert statuses == ["confirmed", "waitlisted", "confirmed", "cancelled", "confirmed"]
    assert delivery.deliver_all_due()["delivered"] == 5
    assert [json.loads(r.body)["type"] for r in receiver.received][-1] == "registration.promoted"


def test_a_check_in_sends_its_part(app, receiver):
    event = happening_today(new_event())
    endpoint_for(event, receiver.url, types=["checkin.recorded"])
    registration = participant(event, 1)
    organiser = new_organiser("claire@example.org", events=[event])
    morning = event.parts[0]
    assert attendance.mark_present(registration, morning, actor=organiser)
    attendance.mark_present(registration, morning, actor=organiser)  # already: nothing new
    db.session.commit()
    [sent] = deliveries()
    assert sent.event_type == "checkin.recorded"
    assert sent.payload["data"]["part"] == {"id": morning.id, "label": "Matin"}
    assert sent.payload["data"]["registration"]["id"] == registration.id


def test_a_validated_claim_is_sent(app, receiver):
    event = study_day(date(2024, 5, 2))
    endpoint_for(event, receiver.url, types=["claim.validated"])
    checked_person(event, "anne@example.org", declared=driver(km="120"))
    [claim] = validated_claims(event)
    [sent] = deliveries()
    assert sent.event_type == "claim.validated"
    data = sent.payload["data"]
    assert data["claim"]["id"] == claim.id and data["claim"]["status"] == "validated"
    assert data["claim"]["total"] == str(claim.total)
    assert data["registration"]["email"] == "anne@example.org"
    assert delivery.deliver_all_due()["delivered"] == 1


def test_the_retention_purge_deletes_old_deliveries_not_pending_ones(app, receiver):
    event = new_event()
    endpoint_for(event, receiver.url)
    participant(event, 1)
    delivery.deliver_all_due()
    participant(event, 2)
    receiver.statuses = [500]
    delivery.deliver_all_due()
    later = utcnow() + timedelta(days=800)
    report = retention.purge(retention.Cutoffs.from_config(app.config, later), later)
    db.session.commit()
    assert report.webhook_deliveries == 1
    [kept] = deliveries()
    assert kept.status == DeliveryStatus.PENDING


def test_the_mail_workers_loop_delivers_webhooks_too(app, receiver):
    event = new_event()
    endpoint_for(event, receiver.url)
    participant(event, 1)
    db.session.remove()
    stop = threading.Event()
    loop = threading.Thread(target=worker.run, args=(app, stop, 0.05))
    loop.start()
    try:
        for _ in range(200):
            if receiver.received:
                break
            time.sleep(0.05)
    finally:
        stop.set()
        loop.join(10)
    assert len(receiver.received) == 1
    assert [d.status for d in deliveries()] == [DeliveryStatus.DELIVERED]


def test_a_redirect_is_not_followed(app, receiver):
    event = new_event()
    endpoint_for(event, receiver.url)
    participant(event, 1)
    receiver.statuses = [302]
    assert delivery.deliver_all_due()["retry"] == 1
    assert len(receiver.received) == 1
    [waiting] = deliveries()
    assert (waiting.last_status_code, waiting.last_error) == (302, "HTTP 302")


def test_a_signed_check_in_sends_its_part(app, receiver):
    from eventsvc.attendance import signing

    event = happening_today(new_event())
    event.signature_mode = "participants"
    endpoint_for(event, receiver.url, types=["checkin.recorded"])
    registration = participant(event, 1)
    organiser = new_organiser("claire@example.org", events=[event])
    morning = event.parts[0]
    strokes = [[[0.1, 0.5, 0], [0.2, 0.4, 16], [0.3, 0.6, 32]]]
    capture = signing.Capture(recorded_by=organiser.email)
    for _again in range(2):  # signed again: already checked in, nothing new sent
        signing.sign(
            registration, morning, strokes, duration_ms=900, capture=capture, actor=organiser
        )
    db.session.commit()
    [sent] = deliveries()
    assert sent.event_type == "checkin.recorded"
    assert sent.payload["data"]["part"] == {"id": morning.id, "label": "Matin"}
