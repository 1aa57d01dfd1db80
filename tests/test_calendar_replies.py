"""Replies from the calendar, through a real Dovecot on loopback (tests/imap_server.py) and the
real SMTP server: the bureau is invited with an iTIP REQUEST, the members' calendars answer as
Gmail, Outlook, Thunderbird and Apple send it (tests/fixtures/itip), ``flask invitations
read-replies`` applies them to the reply slips and marks the messages read; forged, unknown and
not-the-invitee replies change nothing."""

from __future__ import annotations

import email
import re
from datetime import timedelta
from email import policy
from email.message import EmailMessage

import icalendar
import pytest
from sqlalchemy import select

from eventsvc.audit.models import AuditEvent
from eventsvc.database import utcnow
from eventsvc.extensions import db
from eventsvc.invitations import mailbox
from eventsvc.invitations.models import Invitation, Reply
from eventsvc.mail import outbox
from eventsvc.mail.models import OutboxMessage
from eventsvc.mail.worker import deliver_once
from eventsvc.registrations.models import RegistrationStatus

from .factories import FIXTURES, contact, invited, new_event, new_organiser
from .imap_server import DovecotServer
from .smtp_server import smtp_settings

ITIP = FIXTURES / "itip"
ORGANISER = "secretariat@maires-exemple.fr"
# The invitations the fixtures answer (their UIDs are invitation-<public id>@eventsvc).
MEMBERS = {
    "claire.martin@plouer.example.fr": ("Claire", "Martin", "Kq3fXw9LmT2pRb7YcA1"),
    "herve.legall@dinan.example.fr": ("Hervé", "Le Gall", "Hv8sN2dQ4kZ1mW6xJ0"),
    "elodie.riviere@lehon.example.fr": ("Élodie", "Rivière", "Er5tY7uI9oP1aS3dF5"),
    "loic.guerin@taden.example.fr": ("Loïc", "Guérin", "Lg2hJ4kL6zX8cV0bN2"),
}
CLAIRE, HERVE, ELODIE, LOIC = MEMBERS


@pytest.fixture
def imap_server(request):
    server = DovecotServer(getattr(request, "param", "none"))
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config, smtp_server, imap_server):
    return {
        **app_config,
        **smtp_settings(smtp_server),
        **imap_server.settings(),
        "INVITATION_REPLIES_ADDRESS": f"Association des maires <{ORGANISER}>",
    }


@pytest.fixture
def bureau(app):
    """The bureau's four members invited to its meeting, their invitations being the ones the
    fixtures answer."""
    event = new_event(title="Réunion du bureau")
    alice = new_organiser("alice@example.org", events=[event], name="Alice")
    people = [
        contact(alice, email, first=first, last=last)
        for email, (first, last, _id) in MEMBERS.items()
    ]
    sent = invited(event, alice, *people)
    for invitation in sent:
        invitation.public_id = MEMBERS[invitation.contact.email][2]
    db.session.commit()
    return event


def reply_of(email: str) -> Invitation:
    db.session.expire_all()
    return db.session.scalar(select(Invitation).where(Invitation.public_id == MEMBERS[email][2]))


def journal(action: str) -> list[dict]:
    return [
        line.details
        for line in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
    ]


def fixture(name: str) -> bytes:
    return (ITIP / name).read_bytes()


def made_reply(
    uid: str,
    attendee: str,
    partstat: str,
    *,
    organizer: str = ORGANISER,
    sequence: int = 0,
    stamp=None,
    message_id: str | None = None,
) -> bytes:
    """A reply as a small client sends it: text/calendar; method=REPLY inline."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//test//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REPLY")
    vevent = icalendar.Event()
    vevent.add("uid", uid)
    vevent.add("dtstamp", stamp or utcnow())
    vevent.add("sequence", sequence)
    vevent.add("dtstart", utcnow() + timedelta(days=14))
    vevent["organizer"] = icalendar.vCalAddress(f"mailto:{organizer}")
    person = icalendar.vCalAddress(f"mailto:{attendee}")
    person.params["PARTSTAT"] = partstat
    vevent.add("attendee", person, encode=0)
    calendar.add_component(vevent)
    message = EmailMessage()
    message["From"] = attendee
    message["To"] = ORGANISER
    message["Subject"] = f"{partstat}: Réunion du bureau"
    message["Message-ID"] = message_id or f"<{uid}-{partstat}-{sequence}-{utcnow().timestamp()}@x>"
    message.set_content("Réponse")
    message.add_alternative(
        calendar.to_ical(), maintype="text", subtype="calendar", params={"method": "REPLY"}
    )
    return message.as_bytes()


def read(runner, *args):
    result = runner.invoke(args=["invitations", "read-replies", *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_the_invitation_asks_the_calendar_to_answer_the_mailbox(bureau, smtp_server):
    deliver_once()
    [received] = [m.message for m in smtp_server.mailbox.to(CLAIRE)]
    [part] = [
        p
        for p in received.walk()
        if p.get_content_type() == "text/calendar" and not p.get_filename()
    ]
    assert part.get_param("method") == "REQUEST"
    [vevent] = icalendar.Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    # Sent before the fixture renamed the invitation: its UID named the public id it had then.
    assert re.fullmatch(r"invitation-[0-9a-f]{32}@eventsvc", str(vevent["UID"]))
    assert str(vevent["ORGANIZER"]) == f"mailto:{ORGANISER}"
    assert vevent["ATTENDEE"].params["RSVP"] == "TRUE"
    assert vevent["ATTENDEE"].params["PARTSTAT"] == "NEEDS-ACTION"


def test_the_big_clients_replies_set_the_reply_slips(bureau, runner, imap_server, smtp_server):
    for name in (
        "gmail_accepted.eml",
        "outlook_accepted.eml",
        "thunderbird_declined.eml",
        "apple_tentative.eml",
        "human_reply.eml",
    ):
        imap_server.append(fixture(name))
    output = read(runner)
    assert "Messages lus : 5 ; réponses appliquées : 3 ; « peut-être » notés : 1" in output

    claire = reply_of(CLAIRE)
    assert claire.reply == Reply.YES
    assert claire.registration.status == RegistrationStatus.CONFIRMED
    assert claire.registration.full_day  # ACCEPTED: the whole meeting
    assert reply_of(HERVE).reply == Reply.YES  # Outlook's address in another case
    assert reply_of(ELODIE).reply == Reply.NO
    assert reply_of(LOIC).reply == Reply.NONE  # « peut-être »: still to answer...
    answers = {d["invitation"]: d["partstat"] for d in journal("invitation.calendar_replied")}
    assert answers[MEMBERS[LOIC][2]] == "TENTATIVE"  # ... noted in the journal
    # Every message read, none deleted (the person's own email too, for someone to read).
    assert imap_server.flags() == [{"\\Seen"}] * 5

    deliver_once()
    subjects = [m.message["Subject"] for m in smtp_server.mailbox.to(CLAIRE)]
    assert "Inscription confirmée : Réunion du bureau" in subjects  # the usual confirmation

    # Nothing new: nothing read. The same reply again (forwarded, fetched twice): not twice.
    assert "Messages lus : 0" in read(runner)
    imap_server.append(fixture("gmail_accepted.eml"))
    assert "déjà appliquées : 1" in read(runner)
    assert len(journal("invitation.calendar_replied")) == 4


def test_forged_unknown_and_not_the_invitee_change_nothing(bureau, runner, imap_server):
    claire_uid = f"invitation-{MEMBERS[CLAIRE][2]}@eventsvc"
    imap_server.append(made_reply(claire_uid, CLAIRE, "DECLINED", organizer="x@pirate.example"))
    imap_server.append(made_reply("invitation-Inconnu123@eventsvc", CLAIRE, "DECLINED"))
    imap_server.append(made_reply("part-1-atelier@eventsvc", CLAIRE, "DECLINED"))
    imap_server.append(made_reply(claire_uid, HERVE, "DECLINED"))
    output = read(runner)
    assert "réponses appliquées : 0" in output and "laissées de côté : 4" in output
    assert all(reply_of(email).reply == Reply.NONE for email in MEMBERS)
    assert journal("invitation.calendar_replied") == []
    reasons = sorted(d["reason"] for d in journal("invitation.calendar_reply_ignored"))
    assert reasons == ["forged", "not_invitee"]
    assert imap_server.flags() == [{"\\Seen"}] * 4


def test_an_older_reply_never_overrides_a_newer_one(bureau, runner, tmp_path):
    uid = f"invitation-{MEMBERS[ELODIE][2]}@eventsvc"
    now = utcnow()

    def from_file(name: str, data: bytes) -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return read(runner, "--from-file", str(path))

    from_file("1.eml", made_reply(uid, ELODIE, "DECLINED", sequence=1, stamp=now))
    assert reply_of(ELODIE).reply == Reply.NO
    # The invitation's sequence 0 answered later (an old message found): older, left alone.
    output = from_file("2.eml", made_reply(uid, ELODIE, "ACCEPTED", sequence=0, stamp=now))
    assert "laissées de côté : 1" in output and reply_of(ELODIE).reply == Reply.NO
    # Same sequence, stamped before the last reply: older too.
    older = now - timedelta(minutes=5)
    from_file("3.eml", made_reply(uid, ELODIE, "ACCEPTED", sequence=1, stamp=older))
    assert reply_of(ELODIE).reply == Reply.NO
    # Same sequence, stamped after: the member changed their mind.
    later = now + timedelta(minutes=5)
    output = from_file("4.eml", made_reply(uid, ELODIE, "ACCEPTED", sequence=1, stamp=later))
    assert "réponses appliquées : 1" in output and reply_of(ELODIE).reply == Reply.YES
    reasons = [d["reason"] for d in journal("invitation.calendar_reply_ignored")]
    assert reasons == ["stale", "stale"]


def test_a_calendar_reply_older_than_the_reply_slip_is_left_alone(bureau, runner, tmp_path):
    """Answered on the reply slip after clicking in the calendar: the slip is the newer."""
    uid = f"invitation-{MEMBERS[LOIC][2]}@eventsvc"
    invitation = reply_of(LOIC)
    invitation.reply, invitation.replied_at = Reply.NO, utcnow()
    db.session.commit()
    path = tmp_path / "old.eml"
    path.write_bytes(made_reply(uid, LOIC, "ACCEPTED", stamp=utcnow() - timedelta(hours=1)))
    assert "laissées de côté : 1" in read(runner, "--from-file", str(path))
    assert reply_of(LOIC).reply == Reply.NO


@pytest.mark.parametrize("imap_server", ["starttls", "ssl"], indirect=True)
def test_the_mailbox_is_read_over_tls(bureau, runner, imap_server):
    imap_server.append(fixture("thunderbird_declined.eml"))
    assert "réponses appliquées : 1" in read(runner)
    assert reply_of(ELODIE).reply == Reply.NO
    assert imap_server.flags() == [{"\\Seen"}]


def test_the_mail_loop_reads_the_replies_when_imap_is_set(app, bureau, imap_server):
    from eventsvc.mail.worker import run

    from .factories import OnePass

    imap_server.append(fixture("outlook_accepted.eml"))
    app.config["INVITATION_REPLIES_EVERY"] = 60
    run(app, OnePass(), 0)
    assert reply_of(HERVE).reply == Reply.YES
    assert imap_server.flags() == [{"\\Seen"}]


def test_a_wrong_password_is_said_and_nothing_read(app, runner, bureau, imap_server):
    imap_server.append(fixture("gmail_accepted.eml"))
    app.config["IMAP_PASSWORD"] = "faux"
    result = runner.invoke(args=["invitations", "read-replies"])
    assert result.exit_code == 1 and "Boîte aux lettres illisible" in result.output
    assert mailbox.read_replies_if_configured() is None  # the loop logs it and goes on
    assert reply_of(CLAIRE).reply == Reply.NONE
    assert imap_server.flags() == [set()]


def test_accepting_keeps_the_parts_already_chosen_on_the_reply_slip(bureau, runner, tmp_path):
    from eventsvc.invitations import replies
    from eventsvc.registrations.operations import ChangeCommand

    from .factories import part_ids

    afternoon = part_ids(bureau)["Après-midi"]
    replies.reply_yes(
        reply_of(CLAIRE), ChangeCommand(full_day=False, part_ids=[afternoon]), locale="fr"
    )
    db.session.commit()
    path = tmp_path / "accepted.eml"  # clicked in the calendar after answering on the slip
    path.write_bytes(made_reply(f"invitation-{MEMBERS[CLAIRE][2]}@eventsvc", CLAIRE, "ACCEPTED"))
    assert "réponses appliquées : 1" in read(runner, "--from-file", str(path))
    claire = reply_of(CLAIRE)
    assert claire.reply == Reply.YES and not claire.registration.full_day
    assert [part.id for part in claire.registration.attended_parts] == [afternoon]


def test_a_reply_the_reply_slip_refuses_changes_nothing(bureau, runner, tmp_path):
    """Registration closed since the invitation: an Accepter is set aside, journaled."""
    bureau.registration_closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    path = tmp_path / "outlook.eml"
    path.write_bytes(fixture("outlook_accepted.eml"))
    assert "laissées de côté : 1" in read(runner, "--from-file", str(path))
    assert reply_of(HERVE).reply == Reply.NONE
    assert [d["reason"] for d in journal("invitation.calendar_reply_ignored")] == ["refused"]
    # His calendar shows « accepté »: he is told it did not count, and where to answer.
    [row] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.key.like("calendar_reply_refused:%"))
    ).all()
    told = email.message_from_bytes(outbox.composed_bytes(row), policy=policy.default)
    assert row.recipient == HERVE
    text = told.get_body(("plain",)).get_content()
    assert "n'a pas pu être enregistrée : les inscriptions sont closes." in text
    assert "/i/" in text  # the reply slip
