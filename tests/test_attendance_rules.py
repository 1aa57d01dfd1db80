"""When check-in opens and which parts count: eventsvc.attendance.rules, by plain function calls."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from eventsvc.attendance import rules

PARIS = ZoneInfo("Europe/Paris")
NOUMEA = ZoneInfo("Pacific/Noumea")
UTC = ZoneInfo("UTC")


def at(year, month, day, hour=0, minute=0, zone=PARIS) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=zone)


MORNING = rules.PartTime(1, at(2026, 5, 12, 9, 30), at(2026, 5, 12, 12, 30))
AFTERNOON = rules.PartTime(2, at(2026, 5, 12, 14), at(2026, 5, 12, 17))
DAY_TWO = rules.PartTime(3, at(2026, 5, 13, 9), at(2026, 5, 13, 17))


def test_check_in_opens_at_midnight_of_the_parts_day_in_the_events_zone():
    assert rules.checkin_opens_at(MORNING.start) == at(2026, 5, 12)
    assert rules.checkin_opens_at(AFTERNOON.start) == at(2026, 5, 12)
    assert rules.checkin_opens_at(DAY_TWO.start) == at(2026, 5, 13)
    # Midnight in Paris is 22:00 UTC the day before (summer time).
    assert rules.checkin_opens_at(MORNING.start) == datetime(2026, 5, 11, 22, tzinfo=UTC)


def test_check_in_opens_at_six_the_evening_before_when_the_event_says_so():
    assert rules.checkin_opens_at(MORNING.start, evening_before=True) == at(2026, 5, 11, 18)
    assert rules.checkin_opens_at(DAY_TWO.start, evening_before=True) == at(2026, 5, 12, 18)


def test_the_opening_keeps_its_wall_clock_time_across_a_daylight_saving_change():
    # Summer time starts on Sunday 29 March 2026 at 2:00 in Paris.
    monday = at(2026, 3, 30, 9)
    assert rules.checkin_opens_at(monday, evening_before=True) == at(2026, 3, 29, 18)
    assert rules.checkin_opens_at(monday, evening_before=True).utcoffset() == timedelta(hours=2)
    sunday = at(2026, 3, 29, 9)
    assert rules.checkin_opens_at(sunday) == datetime(2026, 3, 28, 23, tzinfo=UTC)


def test_the_day_is_the_events_own_not_utc_nor_the_servers():
    # 8:00 in Nouméa (UTC+11) on 12 May is 21:00 UTC on 11 May.
    start = at(2026, 5, 12, 8, zone=NOUMEA)
    assert rules.checkin_opens_at(start) == datetime(2026, 5, 11, 13, tzinfo=UTC)
    # A start given in UTC is read in UTC: callers pass the part's local start.
    assert rules.checkin_opens_at(start.astimezone(UTC)) == datetime(2026, 5, 11, tzinfo=UTC)


def test_open_from_the_opening_and_still_open_after_the_part_has_ended():
    assert not rules.checkin_is_open(MORNING.start, at(2026, 5, 11, 23, 59))
    assert rules.checkin_is_open(MORNING.start, at(2026, 5, 12))
    assert rules.checkin_is_open(MORNING.start, at(2026, 5, 12, 9))
    # Late corrections: a week after, still possible.
    assert rules.checkin_is_open(MORNING.start, at(2026, 5, 19, 10))
    # The clock may come in any zone.
    assert not rules.checkin_is_open(MORNING.start, datetime(2026, 5, 11, 21, 59, tzinfo=UTC))
    assert rules.checkin_is_open(MORNING.start, datetime(2026, 5, 11, 22, tzinfo=UTC))


def test_open_the_evening_before_from_six():
    assert not rules.checkin_is_open(MORNING.start, at(2026, 5, 11, 17, 59), evening_before=True)
    assert rules.checkin_is_open(MORNING.start, at(2026, 5, 11, 18), evening_before=True)
    # The second day's check-in is not open on the first morning.
    assert not rules.checkin_is_open(DAY_TWO.start, at(2026, 5, 12, 10), evening_before=True)


def test_started_and_ended():
    assert not rules.has_started(MORNING, at(2026, 5, 12, 9, 29))
    assert rules.has_started(MORNING, at(2026, 5, 12, 9, 30))
    assert not rules.has_ended(MORNING, at(2026, 5, 12, 12, 29))
    assert rules.has_ended(MORNING, at(2026, 5, 12, 12, 30))


def test_only_parts_that_have_started_are_counted():
    parts = [DAY_TWO, AFTERNOON, MORNING]
    assert rules.started(parts, at(2026, 5, 12, 8)) == []
    assert rules.started(parts, at(2026, 5, 12, 10)) == [1]
    assert rules.started(parts, at(2026, 5, 12, 15)) == [1, 2]
    assert rules.started(parts, at(2026, 6, 1)) == [1, 2, 3]
    assert rules.counting_starts(parts) == MORNING.start
    assert rules.counting_starts([]) is None
