"""iCalendar objects for iTIP (RFC 5546) and iMIP (RFC 6047). Pure: no Flask, no database.

One VEVENT per attended day, its UID stable for (registration, day), so that an update replaces the
entry in the person's calendar instead of adding one, and a CANCEL removes exactly that day.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress, vText

PRODID = "-//eventsvc//eventsvc inscriptions//FR"
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Person:
    name: str
    email: str


@dataclass(frozen=True)
class Entry:
    """An entry already in a person's calendar, which a registration's invites must update
    rather than add to (an invitation's meeting request): its UID and its ORGANIZER."""

    uid: str
    organizer: Person


def merged(occurrences: list[Occurrence], uid: str) -> list[Occurrence]:
    """The occurrences as one entry under ``uid``, from the first start to the last end (the
    meeting request the person answered was one entry)."""
    if not occurrences:
        return []
    first = min(occurrences, key=lambda o: o.start)
    descriptions = [o.description for o in occurrences if o.description]
    return [
        Occurrence(
            uid=uid,
            start=first.start,
            end=max(o.end for o in occurrences),
            summary=first.summary,
            location=first.location,
            description="\n\n".join(dict.fromkeys(descriptions)),
            url=first.url,
        )
    ]


@dataclass(frozen=True)
class Span:
    """Start and end of something attended, aware, in the event's zone."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Occurrence:
    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""


def day_spans(
    parts: list[Span], arrival: time | None = None, departure: time | None = None
) -> dict[date, Span]:
    """The attended span of each day: from its first part's start to its last part's end,
    narrowed by the declared arrival (first day) and departure (last day)."""
    days: dict[date, Span] = {}
    for part in sorted(parts, key=lambda p: p.start):
        day = part.start.date()
        known = days.get(day)
        days[day] = (
            Span(part.start, part.end)
            if known is None
            else Span(min(known.start, part.start), max(known.end, part.end))
        )
    if not days:
        return days
    first, last = min(days), max(days)
    if arrival is not None:
        span = days[first]
        start = span.start.replace(hour=arrival.hour, minute=arrival.minute)
        if span.start < start < span.end:
            days[first] = Span(start, span.end)
    if departure is not None:
        span = days[last]
        end = span.end.replace(hour=departure.hour, minute=departure.minute)
        if span.start < end < span.end:
            days[last] = Span(span.start, end)
    return days


def occurrence_uid(registration_public_id: str, day: date) -> str:
    return f"{registration_public_id}-{day:%Y%m%d}@eventsvc"


def request(
    occurrences: list[Occurrence],
    *,
    organizer: Person,
    attendee: Person,
    sequence: int,
    zone: str,
    stamp: datetime,
) -> bytes:
    """METHOD:REQUEST: the person is registered; PARTSTAT=ACCEPTED and RSVP=FALSE because they
    already said yes by signing up, so clients should not send a reply to the organiser."""
    return _calendar(
        "REQUEST", occurrences, organizer, attendee, sequence, zone, stamp, status="CONFIRMED"
    )


def invite(
    occurrence: Occurrence,
    *,
    organizer: Person,
    attendee: Person,
    sequence: int,
    zone: str,
    stamp: datetime,
) -> bytes:
    """METHOD:REQUEST asking for an answer (an invitation): PARTSTAT=NEEDS-ACTION and RSVP=TRUE,
    so that the person's calendar offers Accepter / Refuser and sends its REPLY to ORGANIZER."""
    calendar = _new_calendar("REQUEST")
    event = _vevent(
        occurrence, organizer, attendee, sequence, ZoneInfo(zone), stamp, "REQUEST", "CONFIRMED",
        asking=True,
    )  # fmt: skip
    calendar.add_component(event)
    return _finish(calendar, [occurrence])


def cancel(
    occurrences: list[Occurrence],
    *,
    organizer: Person,
    attendee: Person,
    sequence: int,
    zone: str,
    stamp: datetime,
) -> bytes:
    """METHOD:CANCEL for these UIDs (a day dropped, a cancelled registration or event)."""
    return _calendar(
        "CANCEL", occurrences, organizer, attendee, sequence, zone, stamp, status="CANCELLED"
    )


def publish(
    occurrences: list[Occurrence], *, organizer: Person, sequence: int, zone: str, stamp: datetime
) -> bytes:
    """METHOD:PUBLISH: a calendar to import (public programme, personal download): no ATTENDEE."""
    return _calendar(
        "PUBLISH", occurrences, organizer, None, sequence, zone, stamp, status="CONFIRMED"
    )


@dataclass(frozen=True)
class Published:
    """One event's occurrences in a feed of several events, with its own organiser, sequence and
    time zone."""

    occurrences: list[Occurrence]
    organizer: Person
    sequence: int
    zone: str


def feed(events: list[Published], *, name: str, stamp: datetime) -> bytes:
    """METHOD:PUBLISH of several events (the public list's subscription), named for the
    calendar applications that show a name (RFC 7986 NAME, and X-WR-CALNAME for the others)."""
    calendar = _new_calendar("PUBLISH")
    calendar.add("name", clean_text(name))
    calendar.add("x-wr-calname", clean_text(name))
    for published in events:
        for occurrence in published.occurrences:
            calendar.add_component(
                _vevent(
                    occurrence,
                    published.organizer,
                    None,
                    published.sequence,
                    ZoneInfo(published.zone),
                    stamp,
                    "PUBLISH",
                    "CONFIRMED",
                )
            )
    return _finish(calendar, [o for e in events for o in e.occurrences])


def _calendar(
    method: str,
    occurrences: list[Occurrence],
    organizer: Person,
    attendee: Person | None,
    sequence: int,
    zone: str,
    stamp: datetime,
    status: str,
) -> bytes:
    calendar = _new_calendar(method)
    tz = ZoneInfo(zone)
    for occurrence in occurrences:
        calendar.add_component(
            _vevent(occurrence, organizer, attendee, sequence, tz, stamp, method, status)
        )
    return _finish(calendar, occurrences)


def _new_calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _vevent(
    occurrence: Occurrence,
    organizer: Person,
    attendee: Person | None,
    sequence: int,
    tz: ZoneInfo,
    stamp: datetime,
    method: str,
    status: str,
    *,
    asking: bool = False,
) -> Event:
    event = Event()
    event.add("uid", occurrence.uid)
    event.add("dtstamp", stamp.astimezone(ZoneInfo("UTC")))
    event.add("sequence", sequence)
    event.add("dtstart", occurrence.start.astimezone(tz))
    event.add("dtend", occurrence.end.astimezone(tz))
    event.add("summary", clean_text(occurrence.summary))
    if occurrence.location:
        event.add("location", clean_text(occurrence.location))
    if occurrence.description:
        event.add("description", clean_text(occurrence.description))
    if occurrence.url:
        event.add("url", occurrence.url)
    event.add("status", status)
    event.add("transp", "OPAQUE")
    event["organizer"] = _address(organizer)
    if attendee is not None:
        address = _address(attendee)
        address.params["ROLE"] = "REQ-PARTICIPANT"
        if asking:
            address.params["PARTSTAT"] = "NEEDS-ACTION"
            address.params["RSVP"] = "TRUE"
        else:
            address.params["PARTSTAT"] = "DECLINED" if method == "CANCEL" else "ACCEPTED"
            address.params["RSVP"] = "FALSE"
        address.params["CUTYPE"] = "INDIVIDUAL"
        event.add("attendee", address, encode=0)
    return event


def _finish(calendar: Calendar, occurrences: list[Occurrence]) -> bytes:
    """The time zones the events use (VTIMEZONE covering a year either side), then the bytes."""
    if occurrences:
        first = min(o.start for o in occurrences).date() - timedelta(days=366)
        last = max(o.end for o in occurrences).date() + timedelta(days=366)
        calendar.add_missing_timezones(first_date=first, last_date=last)
    return calendar.to_ical()


def clean_text(value: str) -> str:
    """What a calendar can carry of any text: line breaks as LF (TEXT has no CR), no other control
    character, and U+FFFD for a lone surrogate, which no encoding can write."""
    value = LONE_SURROGATE.sub("\ufffd", value)
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in value if c in "\n\t" or unicodedata.category(c) != "Cc")


def _address(person: Person) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    if person.name:
        # A parameter value is quoted: it can hold neither a double quote nor a line break.
        name = clean_text(person.name).replace('"', "'").replace("\n", " ").replace("\t", " ")
        address.params["CN"] = vText(name)
    return address
