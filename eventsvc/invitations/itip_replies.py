"""The iTIP REPLY (RFC 5546) that a calendar sends when a member clicks Accepter, Refuser or
Peut-être in an invitation, read out of the email (iMIP, RFC 6047). Pure: no Flask, no database.

The big clients send it differently, all read the same way here:

* Gmail: ``text/calendar; method=REPLY`` inline, in the ``multipart/alternative``, and the same
  calendar again as an ``application/ics`` attachment (``invite.ics``);
* Outlook: subject « Accepté : … », a ``text/calendar; method=REPLY`` part, base64 or
  quoted-printable, often in UTF-16-free UTF-8 with ``charset`` set;
* Thunderbird (Lightning): a ``text/calendar; method=REPLY`` body part and an ``invite.ics``
  attachment (``application/ics`` or ``text/calendar``, ``Content-Disposition: attachment``);
* Apple Calendar: ``text/calendar; method=REPLY`` as an attachment named ``iCal-…ics``.

Each VEVENT of a calendar whose METHOD is REPLY gives one :class:`ItipReply` per ATTENDEE with a
PARTSTAT; the same reply carried twice in one message (inline and attached) counts once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage, Message
from email.utils import parseaddr

from icalendar import Calendar

log = logging.getLogger(__name__)

UID_PREFIX = "invitation-"
UID_SUFFIX = "@eventsvc"
PARTSTATS = ("ACCEPTED", "DECLINED", "TENTATIVE")
CALENDAR_TYPES = ("text/calendar", "application/ics", "text/x-vcalendar")


@dataclass(frozen=True)
class ItipReply:
    uid: str
    sequence: int
    # Aware, UTC; None when the client left DTSTAMP out (it is required, some omit it).
    dtstamp: datetime | None
    organizer: str  # the address, without « mailto: », as written
    attendee: str
    partstat: str  # ACCEPTED, DECLINED, TENTATIVE, or what the client wrote (upper case)

    @property
    def order(self) -> tuple[int, datetime]:
        """Which of two replies to the same invitation is the newer (RFC 5546 2.1.5: SEQUENCE,
        then DTSTAMP)."""
        return reply_order(self.sequence, self.dtstamp)


def reply_order(sequence: int, dtstamp: datetime | None) -> tuple[int, datetime]:
    return (sequence, dtstamp or datetime.min.replace(tzinfo=UTC))


def invitation_uid(public_id: str) -> str:
    """The UID of an invitation's calendar entry: stable, the same for its reminders."""
    return f"{UID_PREFIX}{public_id}{UID_SUFFIX}"


def invitation_public_id(uid: str) -> str | None:
    """The invitation a UID names, or None for a UID that is not one of ours."""
    uid = uid.strip()
    if not (uid.startswith(UID_PREFIX) and uid.endswith(UID_SUFFIX)):
        return None
    public_id = uid[len(UID_PREFIX) : -len(UID_SUFFIX)]
    return (
        public_id if public_id and public_id.replace("-", "").replace("_", "").isalnum() else None
    )


def organiser_address(config: Mapping) -> str:
    """The address written as ORGANIZER of the invitations, where calendars send their REPLY:
    ``INVITATION_REPLIES_ADDRESS`` (the mailbox read over IMAP), else the address of
    ``MAIL_REPLY_TO``, else of ``MAIL_FROM``."""
    for setting in ("INVITATION_REPLIES_ADDRESS", "MAIL_REPLY_TO", "MAIL_FROM"):
        value = config.get(setting)
        if value:
            address = parseaddr(str(value))[1]
            if "@" in address:
                return address
    return ""


def same_address(a: str, b: str) -> bool:
    return bool(a) and a.strip().casefold() == b.strip().casefold()


def calendar_parts(message: Message) -> list[bytes]:
    """The decoded bytes of every calendar in the message: by content type, or by an ``.ics``
    file name (a client sending ``application/octet-stream``)."""
    found = []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        filename = (part.get_filename() or "").lower()
        if content_type in CALENDAR_TYPES or filename.endswith((".ics", ".vcs")):
            payload = part.get_payload(decode=True)
            if payload:
                found.append(payload)
    return found


def _address(value) -> str:
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    return text.strip()


def _stamp(vevent) -> datetime | None:
    value = vevent.get("DTSTAMP")
    if value is None:
        return None
    stamp = value.dt
    if isinstance(stamp, datetime):
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    if isinstance(stamp, date):
        return datetime(stamp.year, stamp.month, stamp.day, tzinfo=UTC)
    return None


def _replies_in(data: bytes) -> list[ItipReply]:
    try:
        calendar = Calendar.from_ical(data)
    except (ValueError, KeyError, IndexError, TypeError) as error:
        log.warning("unreadable calendar in a reply: %s", error)
        return []
    if str(calendar.get("METHOD", "")).strip().upper() != "REPLY":
        return []
    replies = []
    for vevent in calendar.walk("VEVENT"):
        attendees = vevent.get("ATTENDEE")
        if attendees is None:
            continue
        if not isinstance(attendees, list):
            attendees = [attendees]
        try:
            sequence = int(vevent.get("SEQUENCE", 0))
        except (TypeError, ValueError):
            sequence = 0
        for attendee in attendees:
            partstat = str(attendee.params.get("PARTSTAT", "")).strip().upper()
            if not partstat:
                continue
            replies.append(
                ItipReply(
                    uid=str(vevent.get("UID", "")).strip(),
                    sequence=sequence,
                    dtstamp=_stamp(vevent),
                    organizer=_address(vevent.get("ORGANIZER")),
                    attendee=_address(attendee),
                    partstat=partstat,
                )
            )
    return replies


def itip_replies(message: EmailMessage | Message) -> list[ItipReply]:
    """Every iTIP REPLY the message carries, each once (in the order found). An empty list: the
    message is not a calendar reply (a person writing, an out-of-office, a REQUEST)."""
    replies: list[ItipReply] = []
    for data in calendar_parts(message):
        for reply in _replies_in(data):
            if reply not in replies:
                replies.append(reply)
    return replies
