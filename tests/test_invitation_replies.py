"""A reply to an invitation changes only the registrations that this invitation created.

Élodie is invited; Sam signed up by the public form and is a stranger to the invitation. The
review's attack (name Sam as representative, then « je ne viens pas ») must leave Sam's
registration, mail and place alone; every reply path and every change between them is walked
through the real SMTP server, and each cancellation a reply causes is in the audit log.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
from sqlalchemy import select, text

from eventsvc.audit.models import AuditEvent
from eventsvc.common.validation import check_email
from eventsvc.extensions import db
from eventsvc.invitations import contacts, queries, replies, sending
from eventsvc.invitations.models import CreatedRegistration, Reply
from eventsvc.mail.worker import deliver_once
from eventsvc.registrations.models import Registration, RegistrationStatus
from eventsvc.registrations.operations import ChangeCommand

from .factories import ORGANISER_PASSWORD, csrf_token, login, post_form, valid
from .smtp_server import smtp_settings

ELODIE = "elodie.riviere@lehon.example.fr"
SAM = "sam.stranger@example.net"
WAITING = "wanda.waiting@example.net"
PAUL = "paul.adjoint@lehon.example.fr"
BOB = "bob.form@example.org"
CARLA = "carla.reply@example.org"
CANCELLED = "Inscription annulée : Réunion du bureau"


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, **smtp_settings(smtp_server)}


@pytest.fixture
def invitation(app, client, make_event, make_organiser):
    """Élodie invited to an event of 2 places; Sam already registered by the public form."""
    event = make_event(title="Réunion du bureau", capacity=2)
    alice = make_organiser("alice@example.org", events=[event], name="Alice")
    contact = contacts.save_contact(
        alice,
        contacts.ContactData(
            civility="Mme",
            first_name="Élodie",
            last_name="Rivière",
            function="Maire",
            organisation="Léhon-Exemple",
            email=check_email(ELODIE),
        ),
    )
    plan = sending.plan_invitations(event, [contact])
    [invitation] = sending.send_invitations(event, plan, actor=alice)
    db.session.commit()
    signed_up = post_form(
        client, "/e/atelier", valid(first_name="Sam", last_name="Stranger", email=SAM)
    )
    assert signed_up.status_code == 303
    invitation.path = "/i/" + queries.invitation_token(invitation)
    return invitation


def reply(client, invitation, action, data):
    path = invitation.path
    response = client.post(path + action, data={"csrf_token": csrf_token(client, path), **data})
    db.session.expire_all()
    return response


def yes(client, invitation):
    return reply(client, invitation, "/participer", {"full_day": "yes"})


def no(client, invitation, message=""):
    return reply(client, invitation, "/excuse", {"message": message})


def represented(client, invitation, email, first="Paul", last="Adjoint"):
    return reply(
        client,
        invitation,
        "/representation",
        {
            "rep_first_name": first,
            "rep_last_name": last,
            "rep_function": "Premier adjoint",
            "rep_email": email,
        },
    )


def status(email):
    return db.session.scalar(select(Registration.status).where(Registration.email == email))


def subjects(smtp_server, address):
    deliver_once()
    return [m.message["Subject"] for m in smtp_server.mailbox.to(address)]


def cancellations():
    """(email, reply that caused it) of each cancellation in the log, oldest first."""
    entries = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "registration.cancelled")
        .order_by(AuditEvent.id)
    ).all()
    return [
        (db.session.get(Registration, e.registration_id).email, e.details.get("reply"))
        for e in entries
    ]


def test_naming_a_registered_stranger_as_representative_changes_nothing_of_theirs(
    app, client, invitation, smtp_server
):
    sam = db.session.scalar(select(Registration).where(Registration.email == SAM))
    response = represented(client, invitation, SAM.upper(), first="Samuel", last="Untel")
    assert response.status_code == 303
    page = client.get(invitation.path).get_data(as_text=True)
    assert "Samuel Untel est déjà inscrit·e à cet événement" in page
    assert "vous serez représenté·e par Samuel Untel" in page
    db.session.refresh(invitation)
    assert invitation.reply == Reply.REPRESENTED and invitation.registration is None
    assert db.session.get(CreatedRegistration, sam.id) is None

    # The attack of the review: « je ne viens pas » after adopting Sam.
    assert no(client, invitation, "Retenue").status_code == 303
    assert status(SAM) == RegistrationStatus.CONFIRMED
    assert subjects(smtp_server, SAM) == ["Inscription confirmée : Réunion du bureau"]
    assert cancellations() == []

    # Named again, then a yes: still nothing of Sam's changes, and Élodie comes.
    represented(client, invitation, SAM)
    assert yes(client, invitation).status_code == 303
    assert status(SAM) == RegistrationStatus.CONFIRMED
    assert status(ELODIE) == RegistrationStatus.CONFIRMED
    assert len(subjects(smtp_server, SAM)) == 1

    # The organiser's follow-up shows the representative as named.
    represented(client, invitation, SAM, first="Samuel", last="Untel")
    organiser = app.test_client()
    login(organiser, "alice@example.org", ORGANISER_PASSWORD)
    follow = organiser.get(f"/dashboard/events/{invitation.event_id}/invitations")
    assert "représenté·e par Samuel Untel" in follow.get_data(as_text=True)
    assert status(SAM) == RegistrationStatus.CONFIRMED
    assert cancellations() == [(ELODIE, "represented")]


def test_each_reply_path_cancels_only_what_the_invitation_created_and_logs_why(
    app, client, invitation, smtp_server
):
    # yes: Élodie takes the second place; Wanda then waits.
    assert yes(client, invitation).status_code == 303
    assert status(ELODIE) == RegistrationStatus.CONFIRMED
    post_form(client, "/e/atelier", valid(first_name="Wanda", last_name="Waiting", email=WAITING))
    assert status(WAITING) == RegistrationStatus.WAITLISTED

    # yes -> no: her registration is cancelled, Wanda promoted, both in the log.
    assert no(client, invitation).status_code == 303
    assert status(ELODIE) == RegistrationStatus.CANCELLED
    assert status(WAITING) == RegistrationStatus.CONFIRMED
    assert subjects(smtp_server, ELODIE)[-1] == CANCELLED
    assert cancellations() == [(ELODIE, "no")]
    [cancelled] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "registration.cancelled")
    ).all()
    assert cancelled.actor_label == "participant"
    assert cancelled.details["because"] == "invitation.replied"
    assert cancelled.details["invitation"] == invitation.public_id
    promoted = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "registration.promoted")
    ).all()
    assert [db.session.get(Registration, e.registration_id).email for e in promoted] == [WAITING]

    # no -> represented by Paul (new): Paul is registered, on the waiting list (event full).
    assert represented(client, invitation, PAUL).status_code == 303
    assert status(PAUL) == RegistrationStatus.WAITLISTED

    # represented by Paul -> represented by Sam (already registered): Paul's registration,
    # which this invitation made, goes; Sam's stays.
    assert represented(client, invitation, SAM).status_code == 303
    assert status(PAUL) == RegistrationStatus.CANCELLED
    assert status(SAM) == RegistrationStatus.CONFIRMED

    # represented by Sam -> yes: nothing of Sam's changes; Élodie waits for a place.
    assert yes(client, invitation).status_code == 303
    assert status(SAM) == RegistrationStatus.CONFIRMED
    assert status(ELODIE) == RegistrationStatus.WAITLISTED

    # yes -> represented by Paul again: Élodie's registration goes, Paul's comes back.
    assert represented(client, invitation, PAUL).status_code == 303
    assert status(ELODIE) == RegistrationStatus.CANCELLED
    assert status(PAUL) == RegistrationStatus.WAITLISTED

    # represented -> no: Paul's goes.
    assert no(client, invitation).status_code == 303
    assert status(PAUL) == RegistrationStatus.CANCELLED
    assert status(SAM) == RegistrationStatus.CONFIRMED
    assert SAM not in [email for email, _reply in cancellations()]
    assert cancellations() == [
        (ELODIE, "no"),
        (PAUL, "represented"),
        (ELODIE, "represented"),
        (PAUL, "no"),
    ]
    assert CANCELLED not in subjects(smtp_server, SAM)


def test_a_registration_made_again_another_way_is_no_longer_the_invitations(
    app, client, invitation
):
    represented(client, invitation, PAUL)
    paul = db.session.scalar(select(Registration).where(Registration.email == PAUL))
    assert db.session.get(CreatedRegistration, paul.id).invitation_id == invitation.id
    no(client, invitation)
    assert status(PAUL) == RegistrationStatus.CANCELLED
    # Paul signs up himself (the same row is reused): the invitation no longer owns it.
    post_form(client, "/e/atelier", valid(first_name="Paul", last_name="Adjoint", email=PAUL))
    assert status(PAUL) == RegistrationStatus.CONFIRMED
    assert db.session.get(CreatedRegistration, paul.id) is None
    represented(client, invitation, PAUL)
    no(client, invitation)
    assert status(PAUL) == RegistrationStatus.CONFIRMED


def test_an_invitee_registered_another_way_changes_it_from_their_personal_link(
    app, client, invitation
):
    assert (
        post_form(
            client, "/e/atelier", valid(first_name="Élodie", last_name="Rivière", email=ELODIE)
        ).status_code
        == 303
    )
    db.session.refresh(invitation)
    assert invitation.reply == Reply.YES
    page = client.get(invitation.path).get_data(as_text=True)
    assert "Vous êtes inscrit·e à cet événement par ailleurs" in page

    refused = no(client, invitation, "Retenue")
    assert refused.status_code == 200
    html = refused.get_data(as_text=True)
    assert "annulez cette inscription avec le lien personnel" in html
    assert "Retenue" in html  # what she typed is kept
    assert status(ELODIE) == RegistrationStatus.CONFIRMED
    refused = represented(client, invitation, PAUL)
    assert refused.status_code == 200
    assert status(PAUL) is None and status(ELODIE) == RegistrationStatus.CONFIRMED

    morning = reply(client, invitation, "/participer", {"full_day": "no", "parts": ["1"]})
    assert morning.status_code == 303
    elodie = db.session.scalar(select(Registration).where(Registration.email == ELODIE))
    assert elodie.full_day is True  # unchanged
    assert "cette inscription reste telle quelle" in client.get(invitation.path).get_data(
        as_text=True
    )
    assert cancellations() == []


def _invite(event, email, last_name):
    contact = contacts.save_contact(
        event.organisers[0], contacts.ContactData(last_name=last_name, email=check_email(email))
    )
    [invited] = sending.send_invitations(event, sending.plan_invitations(event, [contact]))
    db.session.commit()
    return invited


def _backfill() -> str:
    path = Path(__file__).parents[1] / "migrations/versions/0010_registration_invitation.py"
    spec = importlib.util.spec_from_file_location("migration_0010", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.BACKFILL


def test_the_migration_marks_only_the_invitees_own_registrations_it_can_vouch_for(
    app, client, invitation
):
    """The backfill of 0010, run on links as the old code left them."""
    event = invitation.event
    represented(client, invitation, PAUL)  # a representative: never backfilled
    post_form(client, "/e/atelier", valid(first_name="Bob", last_name="Form", email=BOB))
    bob = _invite(event, BOB, "Form")  # signed up by the form first: linked, not created
    carla = _invite(event, CARLA, "Reply")
    replies.reply_yes(carla, ChangeCommand(full_day=True), locale="fr")
    db.session.commit()
    assert invitation.registration.email == PAUL and bob.registration.email == BOB

    db.session.execute(text("DELETE FROM invitation_created_registrations"))
    db.session.execute(text(_backfill()))
    marked = dict(
        db.session.execute(
            select(CreatedRegistration.registration_id, CreatedRegistration.invitation_id)
        ).all()
    )
    assert marked == {carla.registration_id: carla.id}
