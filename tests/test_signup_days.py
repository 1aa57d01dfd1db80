"""One day or several: which wording the attendance questions use. Plain function calls."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from eventsvc.registrations.periods import arrival_and_departure_days, spans_several_days
from eventsvc.registrations.rules import PartSpan

PARIS = ZoneInfo("Europe/Paris")
TUESDAY, WEDNESDAY = date(2026, 5, 12), date(2026, 5, 13)


def span(n: int, day: date, start: time, end: time) -> PartSpan:
    return PartSpan(n, datetime.combine(day, start, PARIS), datetime.combine(day, end, PARIS))


MORNING = span(1, TUESDAY, time(9, 30), time(12, 30))
AFTERNOON = span(2, TUESDAY, time(14), time(17))
NEXT_MORNING = span(3, WEDNESDAY, time(9), time(12))


def test_a_study_day_is_one_day():
    assert not spans_several_days([MORNING, AFTERNOON])
    assert not spans_several_days([MORNING])
    assert not spans_several_days([])


def test_parts_on_two_dates_span_several_days():
    assert spans_several_days([MORNING, AFTERNOON, NEXT_MORNING])
    assert spans_several_days([NEXT_MORNING, MORNING])


def test_an_evening_part_ending_after_midnight_stays_on_its_day():
    late = PartSpan(
        4, datetime(2026, 5, 12, 20, tzinfo=PARIS), datetime(2026, 5, 13, 1, tzinfo=PARIS)
    )
    assert not spans_several_days([AFTERNOON, late])


def test_arrival_is_read_on_the_first_chosen_day_and_departure_on_the_last():
    every = [MORNING, AFTERNOON, NEXT_MORNING]
    assert arrival_and_departure_days([NEXT_MORNING], every) == (WEDNESDAY, WEDNESDAY)
    assert arrival_and_departure_days([AFTERNOON, NEXT_MORNING], every) == (TUESDAY, WEDNESDAY)
    assert arrival_and_departure_days([MORNING], every) == (TUESDAY, TUESDAY)


def test_before_any_choice_the_whole_event_is_meant():
    assert arrival_and_departure_days([], [MORNING, NEXT_MORNING]) == (TUESDAY, WEDNESDAY)
    assert arrival_and_departure_days([], []) is None
