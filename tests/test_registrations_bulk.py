"""Row and bulk actions of the registrations table: each person goes through the one-by-one
operation (same email queued, one audit line each, plus a summary line), capacity applies to a
bulk confirmation, a person who cannot be written to is rolled back alone, and the page's
confirmation step, report and selection export."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select, update

from eventsvc.audit.models import AuditEvent
from eventsvc.extensions import db
from eventsvc.mail import outbox
from eventsvc.mail.outbox import OutboxMessage
from eventsvc.registrations import export
from eventsvc.registrations import operations_bulk as bulk
from eventsvc.registrations import operations_manage as manage
from eventsvc.registrations.models import Registration

from .factories import csrf_token, new_event, new_organiser, participant, post, sign_up


def keys(prefix: str, registration: Registration) -> list[str]:
    return list(
        db.session.scalars(
            select(OutboxMessage.key).where(
                OutboxMessage.key.startswith(f"{prefix}:{registration.public_id}:")
            )
        )
    )


def actions(**where) -> list[str]:
    statement = select(AuditEvent.action).order_by(AuditEvent.id)
    for name, value in where.items():
        statement = statement.where(getattr(AuditEvent, name) == value)
    return list(db.session.scalars(statement))


def test_bulk_cancel_is_the_one_by_one_cancel_for_each_person(app):
    event = new_event(capacity=3)
    alice = new_organiser(events=[event])
    anne, paul, nadia, yann, zoe = (sign_up(event, n) for n in range(1, 6))
    manage.cancel(nadia, actor=alice)
    db.session.commit()
    assert [r.status for r in (anne, paul, nadia, yann, zoe)] == [
        "confirmed",
        "confirmed",
        "cancelled",
        "confirmed",  # promoted when Nadia left
        "waitlisted",
    ]
    mark = db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))

    outcome = bulk.apply(event, bulk.CANCEL, [anne, nadia, zoe], actor=alice)
    db.session.commit()

    assert [r.public_id for r in outcome.done] == [zoe.public_id, anne.public_id]  # queue first
    assert [(s.registration, s.reason) for s in outcome.skipped] == [
        (nadia, bulk.ALREADY_CANCELLED)
    ]
    assert anne.status == zoe.status == "cancelled" and paul.status == "confirmed"
    # Zoé was cancelled before Anne's place was freed: nobody is promoted only to be cancelled.
    assert outcome.promoted == []
    for person in (anne, zoe):
        assert len(keys("cancelled", person)) == 1
    new = db.session.scalars(
        select(AuditEvent).where(AuditEvent.id > mark).order_by(AuditEvent.id)
    ).all()
    assert [(e.action, e.registration_id) for e in new] == [
        ("registration.cancelled", zoe.id),
        ("registration.cancelled", anne.id),
        ("registrations.bulk", None),
    ]
    assert all(e.actor_id == alice.id for e in new)
    assert new[-1].details == {"action": "cancel", "done": 2, "skipped": 1, "unsent": 0}


def test_bulk_confirm_respects_capacity_in_queue_order(app):
    """Two places, one in the afternoon; a third place opens: the first in line who fits gets
    it, the others stay waiting with the reason."""
    event = new_event(capacity=2, part_capacities=(None, 1))
    alice = new_organiser(events=[event])
    morning, afternoon = (part.id for part in event.parts)
    in_afternoon = sign_up(event, 1, full_day=False, part_ids=[afternoon])
    sign_up(event, 2, full_day=False, part_ids=[morning])
    waiting_afternoon = sign_up(event, 3, full_day=False, part_ids=[afternoon])
    waiting_morning = sign_up(event, 4, full_day=False, part_ids=[morning])
    waiting_last = sign_up(event, 5, full_day=False, part_ids=[morning])
    gone = sign_up(event, 6, full_day=False, part_ids=[morning])
    manage.cancel(gone, actor=alice)
    event.capacity = 3  # raising a capacity promotes nobody by itself
    db.session.commit()
    assert [r.status for r in (waiting_afternoon, waiting_morning, waiting_last)] == [
        "waitlisted"
    ] * 3

    chosen = [waiting_last, waiting_afternoon, in_afternoon, gone, waiting_morning]
    outcome = bulk.apply(event, bulk.CONFIRM, chosen, actor=alice)
    db.session.commit()

    assert outcome.done == [waiting_morning]
    assert waiting_morning.status == "confirmed" and len(keys("promoted", waiting_morning)) == 1
    assert actions(registration_id=waiting_morning.id)[-1] == (
        "registration.confirmed_from_waitlist"
    )
    reasons = {s.registration.public_id: s for s in outcome.skipped}
    assert reasons[in_afternoon.public_id].reason == bulk.ALREADY_CONFIRMED
    assert reasons[gone.public_id].reason == bulk.CANCELLED
    part_full = reasons[waiting_afternoon.public_id]
    assert part_full.reason == bulk.FULL and not part_full.shortage.event_full
    assert [p.label for p in part_full.shortage.parts] == ["Après-midi"]
    event_full = reasons[waiting_last.public_id]
    assert event_full.reason == bulk.FULL and event_full.shortage.event_full
    assert waiting_last.status == waiting_afternoon.status == "waitlisted"
    assert keys("promoted", waiting_last) == keys("promoted", waiting_afternoon) == []
    assert actions(action="registration.confirmed_from_waitlist") == [
        "registration.confirmed_from_waitlist"
    ]


def test_resend_queues_the_confirmation_and_link_once_a_minute(app):
    event = new_event(capacity=1)
    alice = new_organiser(events=[event])
    anne, paul = sign_up(event, 1), sign_up(event, 2)
    gone = sign_up(event, 3)
    manage.cancel(gone, actor=alice)
    db.session.commit()

    outcome = bulk.apply(event, bulk.RESEND, [anne, paul, gone], actor=alice)
    db.session.commit()
    assert outcome.done == [anne, paul]
    assert [s.reason for s in outcome.skipped] == [bulk.CANCELLED]
    (key,) = keys("resent", anne)
    message = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))
    assert message.calendar_method == "REQUEST" and message.recipient == anne.email
    (waiting,) = keys("resent_waitlisted", paul)
    queued = db.session.scalar(select(OutboxMessage).where(OutboxMessage.key == waiting))
    assert b"position 1" in outbox.composed_bytes(queued).replace(b"=\r\n", b"")
    assert actions(action="registration.resent") == ["registration.resent"] * 2

    again = bulk.apply(event, bulk.RESEND, [anne], actor=alice)
    assert again.done == [] and [s.reason for s in again.skipped] == [bulk.SENT_THIS_MINUTE]
    assert len(keys("resent", anne)) == 1


def test_one_address_that_cannot_be_written_to_stops_nobody_else(app):
    event = new_event()
    alice = new_organiser(events=[event])
    anne, broken, paul = (participant(event, n) for n in (1, 2, 3))
    db.session.execute(
        update(Registration)
        .where(Registration.id == broken.id)
        .values(email="broken@example.org\nBcc: everyone@example.org")
    )
    db.session.commit()
    db.session.expire_all()

    outcome = bulk.apply(event, bulk.CANCEL, [anne, broken, paul], actor=alice)
    db.session.commit()
    db.session.expire_all()

    assert {r.public_id for r in outcome.done} == {anne.public_id, paul.public_id}
    assert [u.email for u in outcome.unsent] == [broken.email]
    assert "retour à la ligne" in str(outcome.unsent[0].reason)
    assert broken.status == "confirmed"  # rolled back alone: still registered, nothing sent
    assert keys("cancelled", broken) == []
    assert anne.status == paul.status == "cancelled"
    assert actions(registration_id=broken.id)[-1] == "mail.not_queued"


# --- the page ---------------------------------------------------------------------------------


def test_row_resend(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    anne = sign_up(event, 1)
    url = f"/dashboard/events/{event.id}/registrations"
    page = client.get(url).get_data(as_text=True)
    assert f"/registrations/{anne.id}/resend" in page
    token = csrf_token(client, url)
    response = client.post(
        f"{url}/{anne.id}/resend", data={"csrf_token": token, "next": url + "?sort=name"}
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("sort=name")
    assert "Confirmation et lien personnel renvoyés à P1 Test" in client.get(url).get_data(True)
    assert len(keys("resent", anne)) == 1
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "registration.resent"))
    assert entry.actor_id == client.user.id and entry.registration_id == anne.id

    manage.cancel(anne, actor=client.user)
    db.session.commit()
    client.post(f"{url}/{anne.id}/resend", data={"csrf_token": token})
    assert "il n&#39;y a rien à renvoyer" in client.get(url).get_data(True)


def bulk_post(client, data):
    url = f"/dashboard/events/{client.event.id}/registrations"
    token = csrf_token(client, url)
    return client.post(f"{url}/bulk", data={"csrf_token": token, **data})


def test_bulk_cancel_asks_first_then_reports(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    anne, paul, nadia = (sign_up(event, n) for n in (1, 2, 3))
    manage.cancel(nadia, actor=client.user)
    db.session.commit()
    ids = [str(r.id) for r in (anne, paul, nadia)]

    asked = bulk_post(client, {"action": "cancel", "scope": "selection", "ids": ids})
    assert asked.status_code == 200
    html = asked.get_data(as_text=True)
    assert "2 inscriptions seront annulées" in html and "1 déjà annulée sera ignorée" in html
    assert 'name="confirmed" value="y"' in html and html.count('name="ids"') == 3
    db.session.expire_all()
    assert anne.status == paul.status == "confirmed"

    done = bulk_post(
        client, {"action": "cancel", "scope": "selection", "ids": ids, "confirmed": "y"}
    )
    assert done.status_code == 303
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "2 inscriptions annulées, 1 ignorée (déjà annulée)." in page
    db.session.expire_all()
    assert anne.status == paul.status == "cancelled"


def test_bulk_on_the_filter_takes_every_page(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    event.capacity = 1
    db.session.commit()
    people = [sign_up(event, n) for n in range(1, 5)]
    event.capacity = 3
    db.session.commit()
    response = bulk_post(
        client, {"action": "confirm", "scope": "filter", "status": "waitlisted", "q": "@"}
    )
    assert response.status_code == 303
    assert "status=waitlisted" in response.headers["Location"]
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 inscriptions confirmées, 1 ignorée (plus de place)." in page
    assert "P4 Test reste sur liste d&#39;attente : l&#39;événement est complet." in page
    db.session.expire_all()
    assert [p.status for p in people] == ["confirmed"] * 3 + ["waitlisted"]


def test_bulk_refusals_are_messages(app, organiser_client, make_event):
    client, event = organiser_client, organiser_client.event
    other = participant(make_event(slug="autre"), 1)
    mine = participant(event, 2)
    url = f"/dashboard/events/{event.id}/registrations"
    empty = bulk_post(client, {"action": "resend", "scope": "selection"})
    assert empty.status_code == 303
    assert "Cochez au moins une inscription" in client.get(url).get_data(True)
    crafted = bulk_post(
        client, {"action": "resend", "scope": "selection", "ids": [str(other.id), "x"]}
    )
    assert crafted.status_code == 303
    assert "Choisissez dans la liste proposée." in client.get(url).get_data(True)
    nonsense = bulk_post(client, {"action": "drop", "scope": "everything", "ids": [str(mine.id)]})
    assert nonsense.status_code == 303
    assert db.session.scalars(select(OutboxMessage)).all() == []
    assert actions() == []


def test_export_of_a_selection(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    anne, _paul, nadia = (
        participant(event, 1, first="Anne"),
        participant(event, 2, first="Paul"),
        participant(event, 3, first="Nadia"),
    )
    response = bulk_post(
        client, {"action": "csv", "scope": "selection", "ids": [str(anne.id), str(nadia.id)]}
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(
        csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    with app.test_request_context():
        assert rows[0] == export.header(event)
    assert [row[2] for row in rows[1:]] == ["Anne", "Nadia"]
    xlsx = bulk_post(client, {"action": "xlsx", "scope": "filter", "q": "Paul"})
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    assert actions() == []  # reading: nothing to log
    assert post(client, f"/dashboard/events/{event.id}/registrations/bulk").status_code == 303
