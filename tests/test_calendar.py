"""Calendar objects, built by plain function calls and read back by independent parsers."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import icalendar
import pytest

from eventsvc import calendars as calendar

from .calendar_checks import assert_valid_itip, assert_wire_format, check_with_libical

PARIS = ZoneInfo("Europe/Paris")
STAMP = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
ORGANIZER = calendar.Person("Codev Exemple", "codev@example.org")
ATTENDEE = calendar.Person("Françoise Delmas", "francoise.delmas@departement.example.org")


def at(day, hour, minute=0):
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


MORNING = calendar.Span(at(9, 9, 30), at(9, 12, 30))
AFTERNOON = calendar.Span(at(9, 14), at(9, 17))
DAY_TWO = calendar.Span(at(10, 9), at(10, 12))


def test_one_span_per_day_from_first_start_to_last_end():
    days = calendar.day_spans([AFTERNOON, MORNING, DAY_TWO])
    assert days == {
        at(9, 0).date(): calendar.Span(at(9, 9, 30), at(9, 17)),
        at(10, 0).date(): calendar.Span(at(10, 9), at(10, 12)),
    }


def test_arrival_narrows_the_first_day_and_departure_the_last():
    # « arrivée vers 11h, départ 16h30 (train) »
    days = calendar.day_spans([MORNING, AFTERNOON], time(11), time(16, 30))
    assert list(days.values()) == [calendar.Span(at(9, 11), at(9, 16, 30))]
    two = calendar.day_spans([MORNING, DAY_TWO], time(11), time(10, 30))
    assert list(two.values()) == [
        calendar.Span(at(9, 11), at(9, 12, 30)),
        calendar.Span(at(10, 9), at(10, 10, 30)),
    ]


def test_times_outside_the_day_are_ignored():
    days = calendar.day_spans([AFTERNOON], time(8), time(20))
    assert list(days.values()) == [AFTERNOON]


def occurrence(uid="abc-20261209@eventsvc", span=MORNING, **fields):
    values = dict(
        summary="Atelier « habitat », participatif; 2e session",
        location="Salle du conseil, 1 place de la Mairie, Dinan-Exemple",
        description="Matin (09:30–12:30)\n\nVotre lien personnel : https://x.example/r/" + "T" * 43,
        url="https://x.example/r/" + "T" * 43,
    )
    values.update(fields)
    return calendar.Occurrence(uid=uid, start=span.start, end=span.end, **values)


def test_request_has_every_property_a_client_needs():
    ics = calendar.request(
        [occurrence()],
        organizer=ORGANIZER,
        attendee=ATTENDEE,
        sequence=3,
        zone="Europe/Paris",
        stamp=STAMP,
    )
    reading = assert_valid_itip(ics, "REQUEST")
    [event] = reading["events"]
    assert event["uid"] == "abc-20261209@eventsvc"
    assert event["sequence"] == 3
    assert event["summary"] == "Atelier « habitat », participatif; 2e session"
    assert event["location"] == "Salle du conseil, 1 place de la Mairie, Dinan-Exemple"
    assert event["description"].startswith("Matin (09:30–12:30)\n\nVotre lien personnel")
    assert event["status"] == "CONFIRMED"
    assert event["start"] == "2026-12-09T09:30:00" and event["end"] == "2026-12-09T12:30:00"
    assert event["tzid"] == "Europe/Paris"
    assert event["startUtc"] == int(datetime(2026, 12, 9, 8, 30, tzinfo=UTC).timestamp())
    assert event["organizer"] == "mailto:codev@example.org"
    assert event["organizerCn"] == "Codev Exemple"
    assert event["attendee"] == "mailto:francoise.delmas@departement.example.org"
    assert event["attendeeParams"] == {
        "cn": "Françoise Delmas",
        "role": "REQ-PARTICIPANT",
        "partstat": "ACCEPTED",
        "rsvp": "FALSE",
    }
    assert reading["timezones"] == ["Europe/Paris"]

    parsed = icalendar.Calendar.from_ical(ics)
    [vevent] = parsed.walk("VEVENT")
    assert vevent["DTSTAMP"].dt == STAMP
    assert vevent["URL"] == "https://x.example/r/" + "T" * 43
    assert parsed["PRODID"] and parsed["VERSION"] == "2.0"


def test_cancel_names_the_same_uid_with_status_cancelled():
    ics = calendar.cancel(
        [occurrence()],
        organizer=ORGANIZER,
        attendee=ATTENDEE,
        sequence=4,
        zone="Europe/Paris",
        stamp=STAMP,
    )
    reading = assert_valid_itip(ics, "CANCEL")
    [event] = reading["events"]
    assert event["uid"] == "abc-20261209@eventsvc"
    assert event["status"] == "CANCELLED"
    assert event["sequence"] == 4


def test_publish_has_an_organizer_and_no_attendee():
    ics = calendar.publish(
        [occurrence(uid="p1@eventsvc"), occurrence(uid="p2@eventsvc", span=AFTERNOON)],
        organizer=ORGANIZER,
        sequence=0,
        zone="Europe/Paris",
        stamp=STAMP,
    )
    reading = assert_valid_itip(ics, "PUBLISH")
    assert [e["uid"] for e in reading["events"]] == ["p1@eventsvc", "p2@eventsvc"]
    assert all(e["attendee"] is None and e["organizer"] for e in reading["events"])


def test_long_and_hostile_text_is_folded_and_escaped():
    text = '<script>alert(\'x\')</script>; =HYPERLINK("http://evil.example","clic")\\n ' * 20
    ics = calendar.request(
        [occurrence(summary=text, description=text)],
        organizer=ORGANIZER,
        attendee=ATTENDEE,
        sequence=0,
        zone="Europe/Paris",
        stamp=STAMP,
    )
    assert_wire_format(ics)
    [event] = assert_valid_itip(ics, "REQUEST")["events"]
    assert event["summary"] == text
    assert event["description"] == text


@pytest.mark.parametrize(
    "zone", ["Europe/Paris", "America/Cayenne", "Indian/Reunion", "Pacific/Noumea"]
)
def test_overseas_time_zones(zone):
    tz = ZoneInfo(zone)
    span = calendar.Span(datetime(2027, 3, 28, 9, tzinfo=tz), datetime(2027, 3, 28, 17, tzinfo=tz))
    ics = calendar.request(
        [occurrence(span=span)],
        organizer=ORGANIZER,
        attendee=ATTENDEE,
        sequence=0,
        zone=zone,
        stamp=STAMP,
    )
    [event] = assert_valid_itip(ics, "REQUEST")["events"]
    assert event["startUtc"] == int(span.start.timestamp())


def test_the_independent_checker_does_fail_on_a_broken_invitation():
    """The check is worth something only if it can fail: a REQUEST without ORGANIZER."""
    ics = calendar.request(
        [occurrence()],
        organizer=ORGANIZER,
        attendee=ATTENDEE,
        sequence=0,
        zone="Europe/Paris",
        stamp=STAMP,
    )
    broken = b"\r\n".join(line for line in ics.split(b"\r\n") if not line.startswith(b"ORGANIZER"))
    assert not check_with_libical(broken)["restriction_ok"]


def test_what_a_calendar_cannot_carry_is_cleaned_not_fatal():
    """A bare CR, a control character, a lone surrogate, a double quote in a name."""
    nasty = "Atelier\r\nsuite\rfin\x00\x07 \ud800 ok"
    person = calendar.Person('Anne "Nanou"\nMorvan', "anne@example.org")
    ics = calendar.request(
        [occurrence(summary=nasty, description=nasty)],
        organizer=person,
        attendee=person,
        sequence=0,
        zone="Europe/Paris",
        stamp=STAMP,
    )
    [event] = assert_valid_itip(ics, "REQUEST")["events"]
    assert event["summary"] == "Atelier\nsuite\nfin \ufffd ok"
    assert event["description"] == event["summary"]
    assert event["organizerCn"] == "Anne 'Nanou' Morvan"
    assert event["attendeeParams"]["cn"] == "Anne 'Nanou' Morvan"
