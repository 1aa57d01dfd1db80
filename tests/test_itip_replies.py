"""The calendar replies read out of emails as the big clients send them (tests/fixtures/itip):
pure function calls."""

from __future__ import annotations

from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest

from eventsvc.invitations.itip_replies import (
    ItipReply,
    invitation_public_id,
    invitation_uid,
    itip_replies,
    organiser_address,
    same_address,
)

from .factories import FIXTURES

ITIP = FIXTURES / "itip"
ORGANISER = "secretariat@maires-exemple.fr"


def fixture(name: str) -> EmailMessage:
    return message_from_bytes((ITIP / name).read_bytes(), policy=policy.default)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            # Inline text/calendar; method=REPLY (base64) and the same as invite.ics: one reply.
            "gmail_accepted.eml",
            ItipReply(
                "invitation-Kq3fXw9LmT2pRb7YcA1@eventsvc",
                0,
                datetime(2026, 12, 5, 10, 15, 2, tzinfo=UTC),
                ORGANISER,
                "claire.martin@plouer.example.fr",
                "ACCEPTED",
            ),
        ),
        (
            # « Accepté : » and the calendar part in the alternative; the address as typed.
            "outlook_accepted.eml",
            ItipReply(
                "invitation-Hv8sN2dQ4kZ1mW6xJ0@eventsvc",
                0,
                datetime(2026, 12, 5, 10, 22, 31, tzinfo=UTC),
                ORGANISER,
                "Herve.LeGall@dinan.example.fr",
                "ACCEPTED",
            ),
        ),
        (
            # An invite.ics attachment in quoted-printable.
            "thunderbird_declined.eml",
            ItipReply(
                "invitation-Er5tY7uI9oP1aS3dF5@eventsvc",
                0,
                datetime(2026, 12, 5, 10, 30, 12, tzinfo=UTC),
                ORGANISER,
                "elodie.riviere@lehon.example.fr",
                "DECLINED",
            ),
        ),
        (
            # application/octet-stream named iCal-….ics.
            "apple_tentative.eml",
            ItipReply(
                "invitation-Lg2hJ4kL6zX8cV0bN2@eventsvc",
                0,
                datetime(2026, 12, 5, 10, 44, 55, tzinfo=UTC),
                ORGANISER,
                "loic.guerin@taden.example.fr",
                "TENTATIVE",
            ),
        ),
    ],
)
def test_each_client_s_reply_is_read(name, expected):
    assert itip_replies(fixture(name)) == [expected]


def test_the_outlook_subject_is_the_french_accepted():
    assert str(fixture("outlook_accepted.eml")["Subject"]) == "Accepté : Réunion du bureau"


def test_a_person_writing_is_no_calendar_reply():
    assert itip_replies(fixture("human_reply.eml")) == []


def _with_calendar(ics: str, *, method: str = "REPLY") -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = "x"
    message.set_content("texte")
    message.add_attachment(
        ics.replace("\n", "\r\n").encode(),
        maintype="text",
        subtype="calendar",
        params={"method": method},
    )
    return message


CALENDAR = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
METHOD:{method}
BEGIN:VEVENT
UID:invitation-abc@eventsvc
DTSTAMP:20261205T101500Z
DTSTART:20261210T083000Z
ORGANIZER:mailto:secretariat@maires-exemple.fr
ATTENDEE;PARTSTAT=DECLINED:MAILTO:claire.martin@plouer.example.fr
SEQUENCE:3
END:VEVENT
END:VCALENDAR
"""


def test_a_request_or_a_broken_calendar_is_no_reply():
    assert itip_replies(_with_calendar(CALENDAR.format(method="REQUEST"))) == []
    assert itip_replies(_with_calendar("BEGIN:VCALENDAR\nMETHOD:REPLY\nnot a calendar")) == []


def test_sequence_and_an_upper_case_mailto():
    [reply] = itip_replies(_with_calendar(CALENDAR.format(method="REPLY")))
    assert reply.sequence == 3 and reply.attendee == "claire.martin@plouer.example.fr"
    assert reply.partstat == "DECLINED"
    older = ItipReply(reply.uid, 2, datetime(2027, 1, 1, tzinfo=UTC), "", "", "ACCEPTED")
    assert older.order < reply.order  # a lower SEQUENCE is older whatever its DTSTAMP


def test_uids_and_addresses():
    assert invitation_uid("Kq3f") == "invitation-Kq3f@eventsvc"
    assert invitation_public_id("invitation-Kq3f@eventsvc") == "Kq3f"
    assert invitation_public_id("part-3-atelier@eventsvc") is None
    assert invitation_public_id("invitation-@eventsvc") is None
    assert invitation_public_id("invitation-a b@eventsvc") is None
    assert same_address("Herve.LeGall@Dinan.example.fr", "herve.legall@dinan.example.fr")
    assert not same_address("", "")
    config = {"INVITATION_REPLIES_ADDRESS": None, "MAIL_FROM": "Inscriptions <i@example.org>"}
    assert organiser_address(config) == "i@example.org"
    config["MAIL_REPLY_TO"] = "secretariat@example.org"
    assert organiser_address(config) == "secretariat@example.org"
    config["INVITATION_REPLIES_ADDRESS"] = "Réponses <reponses@example.org>"
    assert organiser_address(config) == "reponses@example.org"


def test_the_journal_says_what_became_of_a_calendar_reply():
    from eventsvc.audit import service as audit
    from eventsvc.audit.sentences import Line, sentence

    def french(action, details):
        line = Line(action, details, audit.PARTICIPANT, "Élodie Rivière")
        return sentence(line, "fr", audit.ACTION_LABELS).render()

    assert (
        french("invitation.calendar_replied", {"partstat": "TENTATIVE"})
        == "Réponse depuis le calendrier : peut-être (la réponse reste à donner)"
    )
    assert french(
        "invitation.calendar_reply_ignored",
        {"partstat": "DECLINED", "attendee": "x@pirate.example", "reason": "forged"},
    ) == (
        "Réponse depuis le calendrier (refuse, x@pirate.example) laissée de côté : "
        "l'organisateur indiqué n'est pas notre adresse"
    )
