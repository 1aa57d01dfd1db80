"""Pure retention rules: cut-off dates and what replaces erased values. No Flask, no database."""

from __future__ import annotations

import calendar
from datetime import date, datetime

# Replaces the case-folded email of an erased registration: still unique per event (the public id
# is), and no real address can look like it (no « @ »).
ANONYMISED_KEY_PREFIX = "anonymised:"


def months_before(moment: datetime, months: int) -> datetime:
    """The same wall-clock moment ``months`` calendar months earlier (31 March − 1 → 28/29 Feb)."""
    if months < 0:
        raise ValueError("months must not be negative")
    month_index = moment.year * 12 + (moment.month - 1) - months
    year, month = divmod(month_index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def years_before(day: date, years: int) -> date:
    """The same date ``years`` years earlier (29 February → 28 February)."""
    if years < 0:
        raise ValueError("years must not be negative")
    year = day.year - years
    return day.replace(year=year, day=min(day.day, calendar.monthrange(year, day.month)[1]))


def anonymised_key(public_id: str) -> str:
    return f"{ANONYMISED_KEY_PREFIX}{public_id}"


def coarse(moment: datetime | None) -> datetime | None:
    """A time kept after erasure only to the day (enough for sign-up statistics)."""
    if moment is None:
        return None
    return moment.replace(hour=0, minute=0, second=0, microsecond=0)
