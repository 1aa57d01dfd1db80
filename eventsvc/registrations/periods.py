"""Morning, afternoon and lunch, as organisers count them. Pure: no Flask, no database.

A part is a *morning* part when it starts before noon and an *afternoon* part when it ends after
14:00, in the event's local time (a single part from 9:00 to 17:00 is both). Someone has lunch on
a day when they attend a morning part and an afternoon part of that day and, if they declared an
arrival or a departure time for that day, are there at 13:00.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, time

from .rules import PartSpan

NOON = time(12, 0)
AFTERNOON_ENDS_AFTER = time(14, 0)
LUNCH_TIME = time(13, 0)


def is_morning(part: PartSpan) -> bool:
    return part.start.time() < NOON


def is_afternoon(part: PartSpan) -> bool:
    return part.end.date() > part.start.date() or part.end.time() > AFTERNOON_ENDS_AFTER


def lunch_days(
    attended: Iterable[PartSpan], arrival: time | None = None, departure: time | None = None
) -> list[date]:
    """The days this person has lunch at the event.

    ``arrival`` is read on the first day attended and ``departure`` on the last one, as
    :func:`rules.check_attendance` reads them.
    """
    by_day: dict[date, list[PartSpan]] = {}
    for part in attended:
        by_day.setdefault(part.start.date(), []).append(part)
    if not by_day:
        return []
    first, last = min(by_day), max(by_day)
    days = []
    for day, parts in sorted(by_day.items()):
        if not (any(map(is_morning, parts)) and any(map(is_afternoon, parts))):
            continue
        if day == first and arrival is not None and arrival > LUNCH_TIME:
            continue
        if day == last and departure is not None and departure < LUNCH_TIME:
            continue
        days.append(day)
    return days


def lunch_counts(
    attendances: Iterable[tuple[Sequence[PartSpan], time | None, time | None]],
) -> dict[date, int]:
    """How many lunches per day, for (parts attended, arrival, departure) of each person."""
    counts: dict[date, int] = {}
    for parts, arrival, departure in attendances:
        for day in lunch_days(parts, arrival, departure):
            counts[day] = counts.get(day, 0) + 1
    return counts


# Events over several days speak of days (« toutes les parties », « Heure d'arrivée (mardi 12
# mai) ») where one-day events speak of « la journée ».


def spans_several_days(parts: Iterable[PartSpan]) -> bool:
    """Do these parts, in the event's local time, start on more than one calendar day?"""
    return len({part.start.date() for part in parts}) > 1


def arrival_and_departure_days(
    chosen: Iterable[PartSpan], every_part: Iterable[PartSpan]
) -> tuple[date, date] | None:
    """The day an arrival time is read on (the first day of the chosen parts) and the day a
    departure time is read on (their last day), as :func:`rules.check_attendance` reads them; the
    whole event's first and last days when nothing is chosen yet. None without any part."""
    days = {part.start.date() for part in chosen} or {part.start.date() for part in every_part}
    if not days:
        return None
    return min(days), max(days)
