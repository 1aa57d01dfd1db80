"""When a participant's reminder is due. Pure: no Flask, no database.

A reminder is about the first part the person attends: it is due ``hours_before`` hours before
that part starts, counted in real hours (across the change to summer time, the reminder of a part
at 9:00 goes at 8:00 the day before), and it goes out until that part starts. It is not sent:

- to someone who joined (signed up, or signed up again) after the due time: their confirmation,
  just received, says the same;
- once the first part they attend has started;
- twice for the same start. When the event moves after the reminder went out, a new reminder is
  sent only if the new start is at least ``hours_before`` hours after the one already reminded
  (postponed by a day or more with the default): the « changement d'horaire » email already tells
  everyone of a smaller move, and a second reminder right after the first would be noise.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote_plus


@dataclass(frozen=True)
class Candidate:
    """A confirmed person of an event with reminders on: what the rule needs to know."""

    first_start: datetime | None  # the first part they attend (aware)
    hours_before: int | None  # the event's setting; None: no reminder
    joined_at: datetime  # when they last joined (signed up, or signed up again)
    reminded_starts: tuple[datetime, ...] = ()  # starts of the reminders already sent


def first_start(starts: Iterable[datetime]) -> datetime | None:
    return min(starts, default=None)


def due_at(start: datetime, hours_before: int) -> datetime:
    """In UTC: arithmetic on a time in Europe/Paris would count wall-clock hours."""
    return start.astimezone(UTC) - timedelta(hours=hours_before)


def already_reminded(start: datetime, hours_before: int, reminded: Iterable[datetime]) -> bool:
    """A reminder was sent for this start, or for one less than ``hours_before`` hours before it."""
    window = timedelta(hours=hours_before)
    return any(start < previous.astimezone(UTC) + window for previous in reminded)


def is_due(candidate: Candidate, now: datetime) -> bool:
    start, hours = candidate.first_start, candidate.hours_before
    if start is None or hours is None:
        return False
    due = due_at(start, hours)
    return (
        due <= now < start
        and candidate.joined_at <= due
        and not already_reminded(start, hours, candidate.reminded_starts)
    )


def map_url(*address: str) -> str | None:
    """An OpenStreetMap search for the venue's address (None without any address)."""
    query = ", ".join(part.strip() for part in address if part and part.strip())
    if not query:
        return None
    return "https://www.openstreetmap.org/search?query=" + quote_plus(query)
