"""Headers of every email: whatever the stored names and titles hold, each address header parses
back to exactly the intended address, and the message is 7-bit (RFC 2047 encoded words) unless an
address needs SMTPUTF8, so that a strict relay takes every kind of message."""

from __future__ import annotations

from email import message_from_bytes, message_from_string, policy
from email.headerregistry import Address
from types import SimpleNamespace

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from sqlalchemy import select

from eventsvc.attendance import mailing, own_device
from eventsvc.attendance import service as attendance
from eventsvc.common.validation import check_email
from eventsvc.extensions import db
from eventsvc.invitations import contacts, event_changes, sending
from eventsvc.invitations.models import Contact
from eventsvc.jobs.models import Job
from eventsvc.jobs.runner import run_due
from eventsvc.mail import headers, outbox
from eventsvc.mail.compose import KINDS, address, compose, new_message
from eventsvc.mail.models import MessageStatus, OutboxMessage
from eventsvc.mail.worker import deliver_once
from eventsvc.messaging import operations as messaging
from eventsvc.messaging.queries import CONFIRMED, Audience
from eventsvc.registrations import notifications as notify
from eventsvc.registrations.models import Registration
from eventsvc.reminders import emails as reminder_emails

from .factories import ANY_CHAR, move_to_the_past, participant
from .smtp_server import SMTPServer, smtp_settings

SENDER = "Mairie de Léhon — Inscriptions <inscriptions@lehon.example.fr>"
TITLE = "Journée d'étude « Été » à Léhon"
ORGANISER = "Hélène Lefèvre-Château"
LEA = "lea.bernard@example.org"
ATTACKER = 'Jean-Baptiste Alexandre de la Fontaine-Dupont "x" <attacker@evil.example>,'


@pytest.fixture
def strict_smtp():
    """A relay that does not announce SMTPUTF8 and refuses 8-bit headers."""
    server = SMTPServer(strict=True).start()
    yield server
    server.stop()


@pytest.fixture
def app_config(app_config, strict_smtp):
    return {**app_config, **smtp_settings(strict_smtp), "MAIL_FROM": SENDER}


def event_of(make_event, title=TITLE, organiser=ORGANISER):
    event = make_event(title=title)
    event.organiser_name = organiser
    db.session.commit()
    return event


def head_of(raw: bytes) -> bytes:
    return raw.partition(b"\r\n\r\n")[0]


def blankless(text: str) -> str:
    """Python's address parser keeps the blank between two encoded words (RFC 2047 drops it)."""
    return "".join(text.split())


def only_address(message, header: str) -> Address:
    addresses = message[header].addresses
    assert len(addresses) == 1, (header, message[header])
    return addresses[0]


def assert_sent_as(received, *, to: tuple[str, str], subject_has: str) -> None:
    assert head_of(received.data).isascii()
    message = received.message
    assert (only_address(message, "To").display_name, only_address(message, "To").addr_spec) == to
    assert received.rcpt_tos == [to[1]]
    sender = only_address(message, "From")
    assert (sender.display_name, sender.addr_spec) == (
        "Mairie de Léhon — Inscriptions",
        "inscriptions@lehon.example.fr",
    )
    reply_to = only_address(message, "Reply-To")
    assert (reply_to.display_name, reply_to.addr_spec) == (ORGANISER, "codev@example.org")
    assert subject_has in message["Subject"]
    assert message["Message-ID"].endswith("@lehon.example.fr>")


# --- every kind of message, through a strict relay --------------------------------------------

METHODS = {
    "confirmed": "REQUEST",
    "waitlisted": None,
    "promoted": "REQUEST",
    "changed": "REQUEST",
    "days_dropped": "CANCEL",
    "cancelled": "CANCEL",
    "already_registered": "REQUEST",
    "resent": "REQUEST",
    "resent_waitlisted": None,
    "event_changed": "REQUEST",
    "event_cancelled": "CANCEL",
    "reminder": None,  # the reminder before the event (eventsvc.reminders), without a calendar
    "pouvoir_lapsed": None,  # to a body's member whose proxy holder excused themselves (issue 18)
}


def test_every_kind_of_message_with_accents_is_taken_by_a_relay_without_smtputf8(
    app, make_event, make_organiser, strict_smtp
):
    event = event_of(make_event)
    owner = make_organiser("helene@example.org", events=[event], name=ORGANISER)
    lea = participant(event, 1, first="Léa", last="Bernard", email=LEA)
    assert METHODS.keys() == KINDS.keys()
    for kind, method in METHODS.items():
        if kind == "reminder":  # its own context (parts, map, organiser's text)
            reminder_emails.send_reminder(lea, lea.attended_parts[0].starts_at)
        elif kind == "pouvoir_lapsed":  # its own context: the member and their holder
            lapsed = compose(
                kind,
                to_name="Léa Bernard",
                to_email=LEA,
                locale="fr",
                context={
                    "event": event,
                    "contact": SimpleNamespace(formal_name="Mme Léa Bernard"),
                    "holder": SimpleNamespace(formal_name="M. Loïc Guérin-Château"),
                    "link": "https://inscriptions.example.fr/i/x#pouvoir",
                },
            )
            outbox.enqueue("pouvoir_lapsed:test", lapsed.message)
        else:
            notify._send(kind, lea, method=method, position=2)
    # The invitation and its reminder, to « Mme Élodie Rivière ».
    elodie = contacts.save_contact(
        owner,
        contacts.ContactData(
            civility="Mme",
            first_name="Élodie",
            last_name="Rivière",
            email=check_email("elodie.riviere@lehon.example.fr"),
        ),
    )
    sent = sending.send_invitations(event, sending.plan_invitations(event, [elodie]), actor=owner)
    sending.remind(event, sent, actor=owner)
    # The meeting moved, then cancelled: the update and the cancellation of her request.
    for what in (event_changes.CHANGED, event_changes.CANCELLED):
        outbox.enqueue(f"invitation_{what}:test", event_changes.composed(sent[0], what))
    # She accepted in her calendar after sign-ups closed: told it did not count.
    event_changes.refused_acceptance(sent[0], "les inscriptions sont closes", 1)
    # The certificate of attendance, once the event is over.
    attendance.check_in(lea, event.parts[0])
    db.session.commit()
    move_to_the_past(event)
    with app.test_request_context():
        mailing.start_sending(event, actor=owner)
    db.session.commit()
    run_due()  # the job queues the one certificate
    assert db.session.scalar(select(Job.result)) == {"without_address": 0, "sent": 1}
    # A message from the organiser (issue 16), with an accented subject of their own.
    messaging.send_message(
        event, Audience(CONFIRMED), "Café d'accueil à 9 h — salle Émeraude", "**À bientôt**",
        actor=owner,
    )  # fmt: skip
    db.session.commit()
    # The short-lived link to sign on her own phone (issue 17).
    own_device.send_link(lea, event.parts[0], "https://inscriptions.example.fr/emargement/X/s/y")
    db.session.commit()

    deliver_once()

    assert strict_smtp.mailbox.refused == []
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert len(rows) == len(METHODS) + 8
    assert {row.status for row in rows} == {MessageStatus.SENT}
    to_lea = strict_smtp.mailbox.to(LEA)
    assert len(to_lea) == len(METHODS) + 3
    for received in to_lea:
        own = received.message["Subject"].startswith("Café")  # the organiser's own subject
        subject = "Café d'accueil à 9 h — salle Émeraude" if own else TITLE
        assert_sent_as(received, to=("Léa Bernard", LEA), subject_has=subject)
    elodie_mail = strict_smtp.mailbox.to("elodie.riviere@lehon.example.fr")
    invitation, reminder, moved, cancelled, refused = elodie_mail
    for received in elodie_mail:
        assert_sent_as(
            received,
            to=("Mme Élodie Rivière", "elodie.riviere@lehon.example.fr"),
            subject_has=TITLE,
        )
    assert reminder.message["Subject"].startswith("Relance")
    assert moved.message["Subject"].startswith("Invitation modifiée")
    assert cancelled.message["Subject"].startswith("Réunion annulée")
    assert refused.message["Subject"].startswith("Votre réponse n'a pas pu être enregistrée")
    # Readable, not only parseable: the plain text still says the name.
    assert "Léa Bernard" in to_lea[0].message.get_body(("plain",)).get_content()


def test_an_address_that_needs_smtputf8_is_refused_clearly_without_it(app, make_event, strict_smtp):
    event = event_of(make_event)
    francoise = participant(
        event, 1, first="Françoise", last="Delmas", email="françoise.delmas@example.org"
    )
    notify.registered(francoise, None)
    db.session.commit()

    assert deliver_once() == {"sent": 0, "retry": 1, "failed": 0}

    [row] = db.session.scalars(select(OutboxMessage)).all()
    # Kept to try again: its recipe (composed at delivery), never a body at rest.
    assert row.status == MessageStatus.PENDING and row.recipe and row.raw is None
    assert "does not offer SMTPUTF8" in row.last_error
    assert strict_smtp.mailbox.messages == []


def test_a_relay_with_smtputf8_gets_it_only_for_an_address_that_needs_it(
    app, make_event, smtp_server
):
    app.config.update(smtp_settings(smtp_server), MAIL_FROM=SENDER)
    event = event_of(make_event)
    for n, (first, email) in enumerate(
        [("Léa", LEA), ("Françoise", "françoise.delmas@example.org")]
    ):
        notify.registered(participant(event, n, first=first, last="Bernard", email=email), None)
    db.session.commit()

    assert deliver_once()["sent"] == 2

    [lea] = smtp_server.mailbox.to(LEA)
    assert head_of(lea.data).isascii()
    [francoise] = smtp_server.mailbox.to("françoise.delmas@example.org")
    assert not head_of(francoise.data).isascii()  # RFC 6532, the relay having agreed
    assert only_address(francoise.message, "To").display_name == "Françoise Bernard"
    assert TITLE in francoise.message["Subject"]


# --- hostile names ------------------------------------------------------------------------------


def test_a_name_cannot_add_an_address_to_the_to_header(app, make_event, strict_smtp):
    event = make_event()
    victim = participant(event, 1, first=ATTACKER, last="Dupont", email=LEA)
    notify.registered(victim, None)
    db.session.commit()

    deliver_once()

    [received] = strict_smtp.mailbox.messages
    assert received.rcpt_tos == [LEA]
    to = only_address(received.message, "To")
    assert (to.display_name, to.addr_spec) == (f"{ATTACKER} Dupont", LEA)
    assert b"attacker@evil.example>" not in head_of(received.data)


@pytest.mark.parametrize(
    "first, last, organiser, title",
    [
        ("Léa\r\nBcc: x@evil.example", "Bernard", "Codev", "Atelier"),
        ("Léa\x01\x07", "\tBernard\x1b", "Codev\nExemple", "Atelier\r\nBcc: x@evil.example"),
        ('"Léa", <Bernard>', "(Dupont); x@y:", 'A "b" <c@d>, e', '"« Été »", <x@y>'),
        ("L" * 100, "é" * 100, "=?utf-8?q?x@evil.example?=", "\u2028\u202e" * 100),
    ],
)
def test_any_stored_name_or_title_makes_a_message(app, make_event, first, last, organiser, title):
    """The composer cleans what it is given: controls, CR and LF become spaces, long values are
    cut, and nothing can break the header or the message."""
    event = event_of(make_event, title, organiser)
    victim = participant(event, 1, first=first, last=last, email=LEA)
    notify.registered(victim, None)
    db.session.commit()
    [row] = db.session.scalars(select(OutboxMessage)).all()
    raw = outbox.composed_bytes(row)
    message = message_from_bytes(raw, policy=policy.default)
    assert head_of(raw).isascii()
    to = only_address(message, "To")
    assert to.addr_spec == LEA
    assert blankless(to.display_name) == blankless(headers.clean(victim.display_name))
    reply_to = only_address(message, "Reply-To")
    assert blankless(reply_to.display_name) == blankless(headers.clean(organiser))
    assert headers.clean(title, 200)[:40] in message["Subject"]
    assert max(len(line) for line in head_of(raw).split(b"\r\n")) <= 78
    assert message.get_body(("plain",)).get_content()


# --- fuzzing the stored fields that reach a header ----------------------------------------------

SPECIALS = st.sampled_from(
    list("\"<>,;:@\\()[]. =?_'-\r\n\t\x00") + ["é", "Léa", "attacker@evil.example", "=?utf-8?q?"]
)
FIELD = st.one_of(
    st.text(ANY_CHAR, max_size=120),
    st.lists(SPECIALS, max_size=40).map("".join),
    st.text(ANY_CHAR, max_size=400),
)
RECIPIENTS = st.sampled_from(
    [LEA, "françoise.delmas@departement.example.org", "o'brien+léa@example.org", "x@example.org"]
)


@given(first=FIELD, last=FIELD, civility=FIELD, organiser=FIELD, title=FIELD, recipient=RECIPIENTS)
@example(
    first=ATTACKER,
    last="Dupont",
    civility="",
    organiser="Codev",
    title="Atelier",
    recipient=LEA,
)
def test_fuzz_every_address_header_parses_back_to_the_intended_address(
    app, first, last, civility, organiser, title, recipient
):
    # Names as the models make them from the stored fields.
    names = [
        Registration(first_name=first, last_name=last).display_name,
        Contact(civility=civility, first_name=first, last_name=last).formal_name,
    ]
    event = SimpleNamespace(organiser_name=organiser, organiser_email="codev@example.org")
    for name in names:
        message = new_message(
            subject=f"Inscription confirmée : {title}",
            to=address(name, recipient),
            event=event,
            text="Bonjour",
            html="<p>Bonjour</p>",
        )
        raw = outbox.serialise(message)
        # UTF-8 headers (RFC 6532) when the address needs them; the rest is 7-bit.
        parsed = message_from_string(raw.decode("utf-8"), policy=policy.default)
        for header, display, email in [
            ("To", name, recipient),
            ("Reply-To", organiser, "codev@example.org"),
            ("From", "Mairie de Léhon — Inscriptions", "inscriptions@lehon.example.fr"),
        ]:
            found = only_address(parsed, header)
            assert found.addr_spec == email
            assert blankless(found.display_name) == blankless(headers.clean(display))
        assert parsed["Subject"] == headers.clean(f"Inscription confirmée : {title}", 250)
        if recipient.isascii():
            assert head_of(raw).isascii()
        assert max(len(line) for line in head_of(raw).split(b"\r\n")) <= 78


def test_cleaning_keeps_the_name_on_one_line_and_bounded():
    assert headers.clean("Léa\r\nBernard\t\x00") == "Léa Bernard"
    assert headers.clean("Jean\u00adBaptiste \u202eDupont\u200b") == "JeanBaptiste Dupont"
    assert headers.clean("\ud800Zoé\u2028Éloi") == "Zoé Éloi"
    long = headers.clean("é" * 1000)
    assert len(long) == headers.NAME_LIMIT and long.endswith("…")
