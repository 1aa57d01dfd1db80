"""Attendance rules without Flask or the database: which part is on now, when check-in opens,
hours attended, order."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class PartTime:
    id: int
    start: datetime
    end: datetime


def current_part(parts: list[PartTime], now: datetime) -> int | None:
    """The part to preselect on the check-in page: the one under way, else the next one to start
    today, else the last one that ended, else the first."""
    if not parts:
        return None
    ordered = sorted(parts, key=lambda p: p.start)
    for part in ordered:
        if part.start - timedelta(minutes=30) <= now < part.end:
            return part.id
    upcoming = [p for p in ordered if p.start > now and p.start.date() == now.date()]
    if upcoming:
        return upcoming[0].id
    ended = [p for p in ordered if p.end <= now]
    return (ended[-1] if ended else ordered[0]).id


# Check-in of a part opens at midnight on its first day, or this evening hour the day before when
# the event says so (people arriving the night before a residential seminar).
EVENING_BEFORE = time(18, 0)


def checkin_opens_at(start: datetime, evening_before: bool = False) -> datetime:
    """When check-in of a part starting at ``start`` (aware, in the event's zone) opens: 00:00 on
    that day in that zone, or 18:00 the evening before. Wall-clock times, so a change of daylight
    saving time in between does not move them."""
    day = start.date() - timedelta(days=1) if evening_before else start.date()
    clock = EVENING_BEFORE if evening_before else time(0, 0)
    return datetime.combine(day, clock, tzinfo=start.tzinfo)


def checkin_is_open(start: datetime, now: datetime, evening_before: bool = False) -> bool:
    """Open from :func:`checkin_opens_at` on, and it stays open once the part has ended: late
    corrections (a sheet signed but not tapped) are made afterwards."""
    return now >= checkin_opens_at(start, evening_before)


def has_started(part: PartTime, now: datetime) -> bool:
    return now >= part.start


def has_ended(part: PartTime, now: datetime) -> bool:
    return now >= part.end


def started(parts: list[PartTime], now: datetime) -> list[int]:
    """The parts whose attendance can be counted: those that have started, in order."""
    return [p.id for p in sorted(parts, key=lambda p: p.start) if has_started(p, now)]


def counting_starts(parts: list[PartTime]) -> datetime | None:
    """When the first part starts: before that, nobody can be counted absent."""
    return min((p.start for p in parts), default=None)


@dataclass(frozen=True)
class AttendedPeriod:
    label: str
    start: datetime
    end: datetime

    @property
    def hours(self) -> Decimal:
        return Decimal((self.end - self.start).total_seconds()) / Decimal(3600)


def attended_periods(
    parts: list[tuple[str, datetime, datetime]], arrival: time | None, departure: time | None
) -> list[AttendedPeriod]:
    """Checked-in parts, narrowed by the declared arrival (first day) and departure (last day)
    when they fall inside them: a certificate states the time actually spent."""
    periods = [
        AttendedPeriod(label, start, end) for label, start, end in sorted(parts, key=lambda p: p[1])
    ]
    if not periods:
        return periods
    first_day, last_day = periods[0].start.date(), periods[-1].start.date()
    narrowed = []
    for period in periods:
        start, end = period.start, period.end
        if arrival and start.date() == first_day:
            candidate = start.replace(hour=arrival.hour, minute=arrival.minute)
            if start < candidate < end:
                start = candidate
        if departure and end.date() == last_day:
            candidate = end.replace(hour=departure.hour, minute=departure.minute)
            if start < candidate < end:
                end = candidate
        if end > start:
            narrowed.append(AttendedPeriod(period.label, start, end))
    return narrowed


def total_hours(periods: list[AttendedPeriod]) -> Decimal:
    """Rounded to the quarter of an hour, half up, as certificates state it."""
    hours = sum((p.hours for p in periods), Decimal(0))
    return (hours * 4).quantize(Decimal(1), rounding=ROUND_HALF_UP) / 4


def format_hours(hours: Decimal) -> str:
    """7.25 → « 7 h 15 »."""
    whole = int(hours)
    minutes = int((hours - whole) * 60)
    return f"{whole} h {minutes:02d}" if minutes else f"{whole} h"


def name_order(last_name: str, first_name: str) -> tuple[str, str]:
    """Alphabetical as people expect it on a printed list: accents and case ignored."""
    return (_fold(last_name), _fold(first_name))


def _fold(text: str) -> str:
    return folded(text).strip()


def folded(text: str) -> str:
    """What a search compares (the check-in page, static/checkin.js): lower case, no accents."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def certificate_reference(event_id: int, public_id: str) -> str:
    return f"ATT-{event_id:04d}-{public_id[:10].upper()}"


def sheet_reference(event_id: int, part_id: int) -> str:
    """Printed on each sign-in sheet; claims and finance exports cite it as the proof."""
    return f"EMG-{event_id:04d}-{part_id:04d}"
