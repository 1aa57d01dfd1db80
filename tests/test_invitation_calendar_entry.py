"""One meeting, one calendar entry: a member who answers the invitation (from the reply slip or
from their calendar) has the invitation's entry updated by their registration's emails, never a
second entry beside it; a representative and a person not invited get the registration's own
per-day entries as before."""

from __future__ import annotations

import email
from email import policy

import icalendar
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.invitations.itip_replies import invitation_uid
from eventsvc.mail import outbox
from eventsvc.mail.models import OutboxMessage

from .factories import contact, csrf_token, invited, new_event, new_organiser, part_ids


def calendars_sent(prefix: str) -> list[icalendar.Calendar]:
    db.session.expire_all()
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.key.like(f"{prefix}%")).order_by(OutboxMessage.id)
    ).all()
    found = []
    for row in rows:
        message = email.message_from_bytes(outbox.composed_bytes(row), policy=policy.default)
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                found.append(icalendar.Calendar.from_ical(part.get_payload(decode=True)))
                break
    return found


def events_of(calendar: icalendar.Calendar) -> list:
    return [c for c in calendar.walk("VEVENT")]


def post(client, path: str, suffix: str, data: dict) -> None:
    response = client.post(path + suffix, data={"csrf_token": csrf_token(client, path), **data})
    assert response.status_code == 303, response.get_data(as_text=True)[:300]


def test_answering_the_invitation_updates_its_entry_instead_of_adding_one(app, client):
    event = new_event(title="Réunion du bureau")
    alice = new_organiser("alice@example.org", events=[event])
    member = contact(alice, "claire.martin@plouer.example.fr", first="Claire", last="Martin")
    [invitation] = invited(event, alice, member)
    uid = invitation_uid(invitation.public_id)
    [request] = calendars_sent("invitation:")
    [entry] = events_of(request)
    assert str(entry["UID"]) == uid
    organiser = str(entry["ORGANIZER"])

    post(client, invitation.path, "/participer", {"full_day": "yes"})
    [confirmation] = calendars_sent("confirmed:")
    assert confirmation["METHOD"] == "REQUEST"
    [entry] = events_of(confirmation)
    assert str(entry["UID"]) == uid and str(entry["ORGANIZER"]) == organiser
    morning, afternoon = event.parts  # the whole day: one entry from the morning to the evening
    assert entry.decoded("DTSTART") == morning.local_start
    assert entry.decoded("DTEND") == afternoon.local_end
    assert int(entry["SEQUENCE"]) >= int(events_of(request)[0]["SEQUENCE"])

    # Only the morning now: the same entry is moved, no CANCEL for a day's own entry.
    morning_id = part_ids(event)["Matin"]
    post(client, invitation.path, "/participer", {"full_day": "no", "parts": [str(morning_id)]})
    [change] = calendars_sent("changed:")
    [entry] = events_of(change)
    assert str(entry["UID"]) == uid and entry.decoded("DTEND") == morning.local_end
    assert calendars_sent("days_dropped:") == []

    # Excused after all: the entry is cancelled.
    post(client, invitation.path, "/excuse", {"message": ""})
    [cancel] = calendars_sent("cancelled:")
    assert cancel["METHOD"] == "CANCEL"
    assert [str(e["UID"]) for e in events_of(cancel)] == [uid]


def test_someone_not_invited_keeps_the_registrations_own_entries(app, client):
    event = new_event()
    new_organiser("alice@example.org", events=[event])
    from .factories import sign_up_with_link

    registration, _path = sign_up_with_link(event, 1)
    from eventsvc.registrations import notifications

    composed = notifications.composed("resent", registration, method="REQUEST")
    [part] = [p for p in composed.message.walk() if p.get_content_type() == "text/calendar"]
    [entry] = events_of(icalendar.Calendar.from_ical(part.get_payload(decode=True)))
    assert str(entry["UID"]).startswith(registration.public_id)


def uids_by_key(prefix: str) -> dict[str, tuple[str, list[str], int]]:
    """Outbox rows whose key starts with ``prefix``: recipient -> (METHOD, UIDs, SEQUENCE)."""
    db.session.expire_all()
    found = {}
    for row in db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.key.like(f"{prefix}%"))
    ):
        message = email.message_from_bytes(outbox.composed_bytes(row), policy=policy.default)
        [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
        calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
        vevents = events_of(calendar)
        found[row.recipient] = (
            str(calendar["METHOD"]),
            [str(e["UID"]) for e in vevents],
            int(vevents[0]["SEQUENCE"]),
        )
    return found


def test_a_moved_or_cancelled_meeting_updates_every_invitees_entry_once(app, client):
    from eventsvc.events import service as events

    event = new_event(title="Réunion du bureau")
    alice = new_organiser("alice@example.org", events=[event])
    people = [
        contact(alice, f"{name}@plouer.example.fr", first=name.title(), last="Membre")
        for name in ("anne", "bruno", "chloe")
    ]
    anne, bruno, chloe = invited(event, alice, *people)
    post(client, anne.path, "/participer", {"full_day": "yes"})  # registered: her own emails
    post(client, chloe.path, "/excuse", {"message": ""})  # excused: still told
    uid = {i.contact.email: invitation_uid(i.public_id) for i in (anne, bruno, chloe)}

    events.event_rescheduled(event)
    db.session.commit()
    sequence = event.calendar_sequence
    registered = uids_by_key("event_changed:")
    pending = uids_by_key("invitation_changed:")
    assert set(registered) == {"anne@plouer.example.fr"}
    assert set(pending) == {"bruno@plouer.example.fr", "chloe@plouer.example.fr"}
    for address, (method, uids, seq) in {**registered, **pending}.items():
        assert method == "REQUEST" and uids == [uid[address]] and seq >= sequence

    events.event_cancelled(event)
    db.session.commit()
    registered = uids_by_key("event_cancelled:")
    pending = uids_by_key("invitation_cancelled:")
    assert set(registered) == {"anne@plouer.example.fr"}
    assert set(pending) == {"bruno@plouer.example.fr", "chloe@plouer.example.fr"}
    for address, (method, uids, _seq) in {**registered, **pending}.items():
        assert method == "CANCEL" and uids == [uid[address]]
