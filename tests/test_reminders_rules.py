"""When a participant's reminder is due: function calls with hand-computed times (Europe/Paris)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from eventsvc.reminders.rules import (
    Candidate,
    already_reminded,
    due_at,
    first_start,
    is_due,
    map_url,
)

PARIS = ZoneInfo("Europe/Paris")


def paris(*args) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


MORNING = paris(2026, 6, 11, 9, 30)  # 07:30 UTC (summer time)
AFTERNOON = paris(2026, 6, 11, 14, 0)
LONG_AGO = utc(2026, 5, 1)


def candidate(start=MORNING, hours=24, joined=LONG_AGO, reminded=()):
    return Candidate(
        first_start=start, hours_before=hours, joined_at=joined, reminded_starts=reminded
    )


def test_the_first_part_attended_decides():
    assert first_start([AFTERNOON, MORNING]) == MORNING
    assert first_start([]) is None
    assert due_at(MORNING, 24) == utc(2026, 6, 10, 7, 30)
    assert due_at(AFTERNOON, 24) == utc(2026, 6, 10, 12, 0)


def test_due_from_24_hours_before_until_the_part_starts():
    assert not is_due(candidate(), utc(2026, 6, 10, 7, 29, 59))
    assert is_due(candidate(), utc(2026, 6, 10, 7, 30))
    assert is_due(candidate(), utc(2026, 6, 11, 7, 29))
    assert not is_due(candidate(), utc(2026, 6, 11, 7, 30))  # started: too late


def test_someone_coming_only_in_the_afternoon_is_reminded_for_the_afternoon():
    now = paris(2026, 6, 10, 10, 0)
    assert is_due(candidate(start=MORNING), now)
    assert not is_due(candidate(start=AFTERNOON), now)
    assert is_due(candidate(start=AFTERNOON), paris(2026, 6, 10, 14, 0))


def test_other_periods_and_off():
    assert is_due(candidate(hours=2), paris(2026, 6, 11, 7, 30))
    assert not is_due(candidate(hours=2), paris(2026, 6, 11, 7, 29))
    assert is_due(candidate(hours=336), paris(2026, 5, 28, 9, 30))
    assert not is_due(candidate(hours=None), paris(2026, 6, 11, 9, 0))
    assert not is_due(candidate(start=None), paris(2026, 6, 11, 9, 0))


def test_counted_in_real_hours_across_the_change_to_summer_time():
    """Summer time starts on Sunday 29 March 2026 at 02:00 (CET → CEST)."""
    sunday = paris(2026, 3, 29, 9, 0)  # 07:00 UTC
    assert due_at(sunday, 24) == utc(2026, 3, 28, 7, 0)  # Saturday 08:00 in Paris (CET)
    assert due_at(sunday, 24).astimezone(PARIS).hour == 8
    monday = paris(2026, 3, 30, 9, 0)  # 07:00 UTC, a plain day later: 09:00 the day before
    assert due_at(monday, 24).astimezone(PARIS) == paris(2026, 3, 29, 9, 0)


def test_across_the_change_to_winter_time():
    """Winter time starts on Sunday 25 October 2026 at 03:00 (CEST → CET)."""
    sunday = paris(2026, 10, 25, 9, 0)  # 08:00 UTC
    assert due_at(sunday, 24).astimezone(PARIS) == paris(2026, 10, 24, 10, 0)
    assert not is_due(candidate(start=sunday), paris(2026, 10, 24, 9, 59))
    assert is_due(candidate(start=sunday), paris(2026, 10, 24, 10, 0))


def test_joined_after_the_due_time_gets_none():
    due = utc(2026, 6, 10, 7, 30)
    assert is_due(candidate(joined=due), utc(2026, 6, 10, 8, 0))
    assert not is_due(candidate(joined=utc(2026, 6, 10, 7, 31)), utc(2026, 6, 10, 8, 0))
    assert not is_due(candidate(joined=paris(2026, 6, 11, 7, 30)), paris(2026, 6, 11, 8, 0))


def test_never_twice_for_the_same_start_nor_a_small_move():
    now = paris(2026, 6, 10, 12, 0)
    assert not is_due(candidate(reminded=(MORNING,)), now)
    # The morning moved from 9:30 to 10:00 after the reminder: none again.
    later = paris(2026, 6, 11, 10, 0)
    assert already_reminded(later, 24, [MORNING])
    assert not is_due(candidate(start=later, reminded=(MORNING,)), now)
    # Moved earlier: none either.
    assert not is_due(candidate(start=paris(2026, 6, 11, 8, 0), reminded=(MORNING,)), now)


def test_postponed_by_a_day_or_more_a_new_reminder_before_the_new_date():
    week_later = paris(2026, 6, 18, 9, 30)
    assert not already_reminded(week_later, 24, [MORNING])
    assert not is_due(candidate(start=week_later, reminded=(MORNING,)), paris(2026, 6, 17, 9, 29))
    assert is_due(candidate(start=week_later, reminded=(MORNING,)), paris(2026, 6, 17, 9, 30))
    assert not already_reminded(paris(2026, 6, 12, 9, 30), 24, [MORNING])
    assert already_reminded(paris(2026, 6, 12, 9, 29), 24, [MORNING])


def test_map_link_searches_the_address():
    assert (
        map_url("12 rue de l'Église", "Dinan")
        == "https://www.openstreetmap.org/search?query=12+rue+de+l%27%C3%89glise%2C+Dinan"
    )
    assert map_url("", " ") is None
    assert map_url("", "Dinan") == "https://www.openstreetmap.org/search?query=Dinan"
    assert "<" not in map_url('"><script>', "x")
