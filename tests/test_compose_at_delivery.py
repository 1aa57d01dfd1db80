"""Registration emails are queued as a recipe and composed by the worker (issue 19): what a
participant receives is what composing at sign-up time gave (same headers but Date and Message-ID,
same bodies, same calendar but DTSTAMP), whatever happened to the registration in between."""

from __future__ import annotations

import re
from datetime import time, timedelta
from email import message_from_bytes, policy
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from eventsvc.events.models import Part
from eventsvc.extensions import db
from eventsvc.mail import outbox
from eventsvc.mail.models import MessageStatus, OutboxMessage
from eventsvc.mail.worker import deliver_once
from eventsvc.registrations import notifications as notify
from eventsvc.registrations import operations
from eventsvc.registrations.operations import ChangeCommand

from .factories import command, local, sign_up
from .smtp_server import smtp_settings


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, **smtp_settings(smtp_server)}


@pytest.fixture
def at_enqueue(monkeypatch):
    """Each registration email composed as it was before issue 19 (at enqueue, from the
    registration as it stands), in the order they are queued."""
    composed = []
    send = notify._send

    def composing(kind, registration, *, method, days=None, key_suffix="", position=None):
        message = notify.composed(kind, registration, method=method, days=days, position=position)
        if send(
            kind, registration, method=method, days=days, key_suffix=key_suffix, position=position
        ):
            composed.append((kind, outbox.serialise(message.message)))
            return True
        return False

    monkeypatch.setattr(notify, "_send", composing)
    return composed


def two_day_event(make_event, **fields):
    event = make_event(**fields)
    day_two = event.parts[0].local_start.date() + timedelta(days=1)
    event.parts.append(
        Part(
            label="Jour 2", starts_at=local(day_two, time(9)), ends_at=local(day_two, time(12)),
            position=2,
        )
    )  # fmt: skip
    db.session.commit()
    return event


def parts_of(event, *labels):
    return [part.id for part in event.parts if part.label in labels]


def signed_up(event, n, **fields):
    return sign_up(event, n, **fields)


# --- what each scenario does, and the kinds of message it queues --------------------------------


def confirmed(event):
    signed_up(event, 1)


def waitlisted_then_promoted(event):
    event.capacity = 1
    first = signed_up(event, 1)
    signed_up(event, 2)
    signed_up(event, 3, full_day=False, part_ids=parts_of(event, "Matin"))
    operations.cancel(first)
    db.session.commit()


def changed_with_a_day_dropped(event):
    theo = signed_up(event, 1, full_day=False, part_ids=parts_of(event, "Après-midi", "Jour 2"))
    operations.change(theo, ChangeCommand(full_day=False, part_ids=parts_of(event, "Après-midi")))
    db.session.commit()


def changed_on_the_waiting_list(event):
    event.capacity = 1
    signed_up(event, 1)
    waiting = signed_up(event, 2)
    operations.change(
        waiting, ChangeCommand(full_day=False, part_ids=parts_of(event, "Matin", "Jour 2"))
    )
    db.session.commit()


def changed_times_then_cancelled(event):
    ids = parts_of(event, "Matin", "Après-midi")
    lea = signed_up(event, 1, full_day=False, part_ids=ids)
    operations.change(
        lea,
        ChangeCommand(
            full_day=False, part_ids=ids, arrival_time=time(10), departure_time=time(16, 30)
        ),
    )
    operations.cancel(lea)
    db.session.commit()


def resent_and_link_again(event):
    event.capacity = 1
    lea = signed_up(event, 1)
    waiting = signed_up(event, 2)
    operations.resend(lea)
    operations.resend(waiting)
    operations.resend_personal_link(lea)
    db.session.commit()


def event_moved_then_cancelled(event):
    event.capacity = 1
    signed_up(event, 1)
    signed_up(event, 2)
    event.calendar_sequence += 1  # the event's own details are read at delivery: kept as they are
    operations.announce_event_change(event)
    event.calendar_sequence += 1
    operations.announce_event_cancellation(event)
    db.session.commit()


def in_english(event):
    result = operations.register(event, command(1), locale="en")
    db.session.commit()
    operations.change(
        result.registration,
        ChangeCommand(full_day=False, part_ids=parts_of(event, "Matin"), arrival_time=time(10)),
    )
    db.session.commit()


SCENARIOS = {
    confirmed: ["confirmed"],
    waitlisted_then_promoted: ["confirmed", "waitlisted", "waitlisted", "cancelled", "promoted"],
    changed_with_a_day_dropped: ["confirmed", "changed", "days_dropped"],
    changed_on_the_waiting_list: ["confirmed", "waitlisted", "changed"],
    changed_times_then_cancelled: ["confirmed", "changed", "cancelled"],
    resent_and_link_again: [
        "confirmed", "waitlisted", "resent", "resent_waitlisted", "already_registered",
    ],
    event_moved_then_cancelled: [
        "confirmed", "waitlisted", "event_changed", "event_cancelled", "event_cancelled",
    ],
    in_english: ["confirmed", "changed", "days_dropped"],
}  # fmt: skip


def test_the_scenarios_cover_every_registration_kind():
    kinds = {kind for expected in SCENARIOS.values() for kind in expected}
    assert kinds == set(notify_kinds())


def notify_kinds():
    from eventsvc.mail.compose import KINDS

    return [name for name, kind in KINDS.items() if kind.template == "registration"]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_the_message_composed_at_delivery_is_the_one_composed_at_sign_up(
    app, make_event, at_enqueue, scenario
):
    event = two_day_event(make_event)
    scenario(event)

    rows = queued()
    assert [kind for kind, _ in at_enqueue] == SCENARIOS[scenario]
    assert [row.key.split(":")[0] for row in rows] == SCENARIOS[scenario]
    for row, (kind, expected) in zip(rows, at_enqueue, strict=True):
        assert row.raw is None and row.recipe["kind"] == kind
        assert comparable(outbox.composed_bytes(row)) == comparable(expected), kind


def test_a_change_before_delivery_does_not_alter_the_queued_message(
    app, make_event, at_enqueue, smtp_server
):
    event = two_day_event(make_event)
    lea = signed_up(event, 1, full_day=False, part_ids=parts_of(event, "Après-midi", "Jour 2"))
    [(_, confirmation)] = at_enqueue
    # Before the worker's pass: new parts and times, a new name, the event moved.
    operations.change(
        lea,
        ChangeCommand(full_day=False, part_ids=parts_of(event, "Matin"), arrival_time=time(10)),
    )
    lea.first_name = "Léa"
    db.session.commit()

    deliver_once()

    received = smtp_server.mailbox.to("personne1@example.org")
    assert len(received) == 3  # confirmed, changed, days_dropped
    assert comparable(received[0].data) == comparable(confirmation)
    assert "Jour 2" in received[0].message.get_body(("plain",)).get_content()
    assert "Jour 2" not in received[1].message.get_body(("plain",)).get_content()
    assert {row.status for row in queued()} == {MessageStatus.SENT}
    assert all(row.raw is None and row.recipe is None for row in queued())


def test_the_message_id_queued_is_the_one_sent(app, make_event, smtp_server):
    signed_up(two_day_event(make_event), 1)
    [row] = queued()
    deliver_once()
    [received] = smtp_server.mailbox.messages
    assert received.message["Message-ID"] == row.message_id


def test_an_erased_registration_gets_nothing(app, make_event, smtp_server):
    event = two_day_event(make_event)
    lea = signed_up(event, 1)
    signed_up(event, 2)
    # Anonymised as the retention purge does it, before the worker's pass.
    lea.anonymised_at, lea.email, lea.first_name = lea.created_at, "", ""
    db.session.commit()

    assert deliver_once()["sent"] == 1

    assert [m.rcpt_tos for m in smtp_server.mailbox.messages] == [["personne2@example.org"]]
    dropped, sent = queued()
    assert dropped.status == MessageStatus.DROPPED and dropped.sent_at is None
    assert "erased" in dropped.last_error
    assert sent.status == MessageStatus.SENT


def test_a_deleted_event_sends_nothing(app, make_event, smtp_server):
    event = two_day_event(make_event)
    signed_up(event, 1)
    db.session.delete(event)
    db.session.commit()

    deliver_once()

    assert smtp_server.mailbox.messages == []
    [row] = queued()
    assert row.status == MessageStatus.DROPPED


def test_other_messages_still_queue_composed(app, make_event):
    """Both shapes of row live side by side: a message composed at enqueue keeps its body."""
    from eventsvc.mail.compose import compose

    event = two_day_event(make_event)
    signed_up(event, 1)
    message = compose(
        "pouvoir_lapsed",
        to_name="Léa",
        to_email="lea@example.org",
        locale="fr",
        context={
            "event": event,
            "contact": SimpleNamespace(formal_name="Mme Léa Bernard"),
            "holder": SimpleNamespace(formal_name="M. Loïc Guérin"),
            "link": "https://inscriptions.example.fr/i/x#pouvoir",
        },
    )
    outbox.enqueue("pouvoir_lapsed:x", message.message)
    db.session.commit()
    recipe, composed = queued()
    assert recipe.raw is None and recipe.recipe
    assert composed.raw and composed.recipe is None
    assert outbox.composed_bytes(composed) == composed.raw


# --- helpers ------------------------------------------------------------------------------------


def queued() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


IGNORED_HEADERS = {"date", "message-id", "content-id"}


def comparable(raw: bytes) -> list:
    """The message part by part: headers (but Date, Message-ID, Content-ID and MIME boundaries),
    and contents (the calendar without its DTSTAMP, the HTML without its QR code's cid)."""
    message = message_from_bytes(raw, policy=policy.default)
    parts = []
    for part in message.walk():
        headers = [
            (name, re.sub(r'boundary="[^"]*"', "", str(value)))
            for name, value in part.items()
            if name.lower() not in IGNORED_HEADERS
        ]
        content = None
        if not part.is_multipart():
            content = part.get_content()
            if isinstance(content, bytes) and part.get_content_type() == "application/ics":
                content = content.decode()
            if isinstance(content, str):
                content = re.sub(r"DTSTAMP:[^\r\n]*", "DTSTAMP", content)
                content = re.sub(r"cid:[^\"'\s]+", "cid:", content)
        parts.append((headers, content))
    return parts
