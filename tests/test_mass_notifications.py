"""A mass operation never fails as a whole because of one recipient (issue 13, item 5).

Stored values that no form accepts any more (a line break in a name or an address, as an old row
or an old import left them) are written straight into the database; the operation must keep its
change, queue everyone else's message (delivered here to a real SMTP server), and tell the
organiser who could not be written to and why.
"""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import func, select, update

from eventsvc.attendance import service as attendance
from eventsvc.audit.models import AuditEvent
from eventsvc.events.models import EventStatus
from eventsvc.extensions import db
from eventsvc.invitations import contacts as address_book
from eventsvc.invitations.models import Contact, Invitation
from eventsvc.jobs.runner import run_due
from eventsvc.mail.models import OutboxMessage
from eventsvc.mail.worker import deliver_once
from eventsvc.registrations.models import Registration

from .factories import (
    csrf_token,
    event_form,
    hidden_inputs,
    move_to_the_past,
    participant,
    post,
    sign_up,
)
from .smtp_server import smtp_settings

BROKEN_EMAIL = "personne2@exa\nmple.org"


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, **smtp_settings(smtp_server)}


def store(model, row_id, **values):
    """Write as an old row or an old import did, past every check of today's forms."""
    db.session.execute(update(model).where(model.id == row_id).values(**values))
    db.session.commit()


def queued_to(kind: str | None = None) -> list[str]:
    """Recipients of the queued messages (of one kind: ``event_cancelled``...)."""
    query = select(OutboxMessage.recipient).order_by(OutboxMessage.id)
    if kind:
        query = query.where(OutboxMessage.key.startswith(kind + ":"))
    return list(db.session.scalars(query))


def delivered(smtp_server) -> set[str]:
    deliver_once()
    return {address for m in smtp_server.mailbox.messages for address in m.rcpt_tos}


def page_after(client, response) -> str:
    assert response.status_code == 303, response.get_data(as_text=True)
    return unescape(client.get(response.headers["Location"]).get_data(as_text=True))


def not_queued_lines(event) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.event_id == event.id, AuditEvent.action == "mail.not_queued")
            .order_by(AuditEvent.id)
        )
    )


def move_venue(client, event):
    url = f"/dashboard/events/{event.id}/edit"
    asked = post(client, url, event_form(event, venue_name="Salle des fêtes"))
    return client.post(url, data=hidden_inputs(asked.get_data(as_text=True)))


def test_a_line_break_in_a_stored_name_neither_blocks_a_move_nor_a_cancellation(
    app, organiser_client, smtp_server
):
    """The 500 of the issue: the name reached the To: header and the whole change rolled back.

    Whether that person gets the message depends on the composer (which cleans display names,
    another item of the issue); what this test holds is that the change is kept, everybody else
    is written to, and that person is either written to or named to the organiser."""
    client, event = organiser_client, organiser_client.event
    sign_up(event, 1)
    anne = sign_up(event, 2)
    sign_up(event, 3)
    store(Registration, anne.id, first_name="Anne\nMarie")

    page = page_after(client, move_venue(client, event))
    db.session.refresh(event)
    assert event.venue_name == "Salle des fêtes" and event.calendar_sequence == 1
    told = queued_to("event_changed")
    assert {"personne1@example.org", "personne3@example.org"} <= set(told)
    assert ("personne2@example.org" in told) != ("Anne↵Marie Test" in page)

    page = page_after(client, post(client, f"/dashboard/events/{event.id}/cancel"))
    db.session.refresh(event)
    assert event.status == EventStatus.CANCELLED
    assert "L'événement est annulé" in page
    told = queued_to("event_cancelled")
    assert {"personne1@example.org", "personne3@example.org"} <= set(told)
    assert ("personne2@example.org" in told) != ("Anne↵Marie Test" in page)
    assert {"personne1@example.org", "personne3@example.org"} <= delivered(smtp_server)


def test_the_organiser_is_told_who_could_not_be_written_to_and_why(
    app, organiser_client, smtp_server
):
    client, event = organiser_client, organiser_client.event
    sign_up(event, 1)
    broken = sign_up(event, 2)
    sign_up(event, 3)
    store(Registration, broken.id, email=BROKEN_EMAIL)

    page = page_after(client, move_venue(client, event))
    assert "1 personne n'a pas pu recevoir ce message" in page
    assert "P2 Test <personne2@exa↵mple.org> : son adresse électronique enregistrée" in page
    db.session.refresh(event)
    assert event.venue_name == "Salle des fêtes"

    page = page_after(client, post(client, f"/dashboard/events/{event.id}/cancel"))
    assert "1 personne n'a pas pu recevoir ce message" in page
    db.session.refresh(event)
    assert event.status == EventStatus.CANCELLED
    for kind in ("event_changed", "event_cancelled"):
        assert queued_to(kind) == ["personne1@example.org", "personne3@example.org"]
    deliver_once()
    received = [address for m in smtp_server.mailbox.messages for address in m.rcpt_tos]
    # Sign-up confirmation, move, cancellation; for the broken one, the confirmation it got
    # before its address was damaged.
    assert (
        sorted(received)
        == ["personne1@example.org"] * 3 + ["personne2@example.org"] + ["personne3@example.org"] * 3
    )

    # The flash is gone after one page; the event's log keeps who and why, on the registration
    # (so that erasing that person's data erases these lines' details too).
    lines = not_queued_lines(event)
    assert [line.details["message"] for line in lines] == ["event_changed", "event_cancelled"]
    assert all(line.registration_id == broken.id for line in lines)
    assert "adresse électronique" in lines[0].details["reason"]
    log = unescape(client.get(f"/dashboard/events/{event.id}/audit").get_data(as_text=True))
    assert "Message « event_changed » impossible à envoyer à" in log


def test_the_same_in_english_for_an_english_speaking_organiser(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    broken = sign_up(event, 2)
    store(Registration, broken.id, email=BROKEN_EMAIL)
    response = client.post(
        f"/dashboard/events/{event.id}/cancel",
        data={"csrf_token": csrf_token(client, "/dashboard/")},
        headers={"Accept-Language": "en"},
    )
    page = unescape(
        client.get(response.headers["Location"], headers={"Accept-Language": "en"}).get_data(
            as_text=True
        )
    )
    assert "1 person could not be sent this message" in page
    assert "their stored email address contains a line break" in page


def invite_four(app, runner, make_event, make_organiser):
    event = make_event(title="Réunion du bureau")
    owner = make_organiser("alice@example.org", events=[event], name="Alice")
    contacts = [
        Contact(
            owner=owner,
            first_name=f"Contact{n}",
            last_name="Exemple",
            email=f"contact{n}@example.org",
            email_key=f"contact{n}@example.org",
        )
        for n in range(1, 5)
    ]
    network = address_book.list_named(owner, "Réseau", actor=owner)
    network.contacts.extend(contacts)
    db.session.commit()
    store(Contact, contacts[1].id, email="contact2@exa\nmple.org")
    return event, owner, contacts


def test_invitations_and_reminders_go_to_everyone_but_the_broken_contact(
    app, runner, make_event, make_organiser, smtp_server
):
    event, owner, contacts = invite_four(app, runner, make_event, make_organiser)
    sent = runner.invoke(args=["invitations", "send", "atelier", "Réseau", "--yes"])
    assert sent.exit_code == 1, sent.output
    assert "3 invitations envoyées" in sent.stdout
    assert "Contact2 Exemple <contact2@exa↵mple.org> : son adresse" in sent.stderr
    assert "Traceback" not in sent.output
    # Not invited at all: once the address is corrected, inviting the list again reaches them.
    invited = set(db.session.scalars(select(Invitation.contact_id)))
    assert invited == {contacts[0].id, contacts[2].id, contacts[3].id}
    assert delivered(smtp_server) == {f"contact{n}@example.org" for n in (1, 3, 4)}

    store(Contact, contacts[3].id, email="contact4@exa\rmple.org")
    reminded = runner.invoke(args=["invitations", "remind", "atelier", "--yes"])
    assert reminded.exit_code == 1, reminded.output
    assert "2 relances envoyées" in reminded.stdout
    assert "<contact4@exa↵mple.org>" in reminded.stderr
    counts = dict(db.session.execute(select(Invitation.contact_id, Invitation.reminders)).all())
    assert counts == {contacts[0].id: 1, contacts[2].id: 1, contacts[3].id: 0}


def test_the_dashboard_invites_the_others_and_names_the_broken_contact(
    app, runner, make_event, make_organiser, smtp_server
):
    from .factories import ORGANISER_PASSWORD, login

    event, owner, contacts = invite_four(app, runner, make_event, make_organiser)
    [network] = address_book.lists_of(owner)
    client = app.test_client()
    login(client, owner.email, ORGANISER_PASSWORD)
    base = f"/dashboard/events/{event.id}/invitations"
    token = csrf_token(client, base)
    response = client.post(
        base + "/invite", data={"csrf_token": token, "lists": [network.id], "confirmed": "1"}
    )
    page = page_after(client, response)
    assert "3 invitations envoyées" in page
    assert "Contact2 Exemple <contact2@exa↵mple.org> : son adresse" in page
    assert db.session.scalar(select(func.count(Invitation.id))) == 3


def test_certificates_go_to_everyone_but_the_broken_address(app, organiser_client, smtp_server):
    client, event = organiser_client, organiser_client.event
    people = [participant(event, n, last=f"Nom{n}", first="Anne") for n in (1, 2, 3)]
    for someone in people:
        attendance.check_in(someone, event.parts[0])
    db.session.commit()
    store(Registration, people[1].id, email=BROKEN_EMAIL)
    move_to_the_past(event)
    url = f"/dashboard/events/{event.id}/certificates/send"
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    run_due()  # the job the click queued
    page = page_after(client, response)
    assert "2 attestations envoyées" in page
    assert "Anne Nom2 <personne2@exa↵mple.org> : son adresse" in page
    assert "chacune l'a déjà été" not in page
    assert len(delivered(smtp_server)) == 2
