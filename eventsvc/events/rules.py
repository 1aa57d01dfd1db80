"""Pure rules of the event lists: finding an event by its title, telling upcoming events from
past ones, how full an event is, and the places the public list announces. No Flask, no
database.

The title search folds case and accents here, in Python, rather than in SQL: SQLite's ``lower()``
folds only ASCII and has no ``unaccent``, so a database-side search would answer differently on
SQLite and PostgreSQL. An organiser's events are few (dozens), and are read anyway.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


def search_key(text: str) -> str:
    """``text`` without case, accents or ligatures: « Été ŒUVRE » and « ete oeuvre » match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return plain.replace("œ", "oe").replace("æ", "ae").replace("ß", "ss")


def title_matches(title: str, query: str) -> bool:
    """Every word of ``query`` is in ``title``, whatever the case and accents (an empty query
    matches everything)."""
    key = search_key(title)
    return all(word in key for word in search_key(query).split())


class Dated(Protocol):
    @property
    def starts_at(self) -> datetime | None: ...

    @property
    def ends_at(self) -> datetime | None: ...


def is_past(event: Dated, now: datetime) -> bool:
    """Over: its last part has ended. An event without parts (a draft) is not past."""
    return event.ends_at is not None and event.ends_at <= now


def upcoming_first(events: list, now: datetime) -> tuple[list, list]:
    """(upcoming and in progress, the soonest first, events without parts last; past, the most
    recent first)."""
    coming = [event for event in events if not is_past(event, now)]
    past = [event for event in events if is_past(event, now)]
    coming.sort(key=lambda event: (event.starts_at is None, event.starts_at or now))
    past.sort(key=lambda event: event.starts_at, reverse=True)
    return coming, past


@dataclass(frozen=True)
class Fill:
    """How full an event is: confirmed places out of its capacity (None: no limit), and how many
    people wait for a place."""

    confirmed: int
    capacity: int | None
    waitlisted: int = 0

    @property
    def percent(self) -> int | None:
        """Rounded down, so that 59 of 60 never reads as 100 %; None without a limit."""
        if not self.capacity:
            return None
        return min(self.confirmed * 100 // self.capacity, 100)

    @property
    def full(self) -> bool:
        return self.capacity is not None and self.confirmed >= self.capacity

    @property
    def places_left(self) -> int | None:
        """Places still free (never below 0, even over capacity); None without a limit."""
        return None if self.capacity is None else max(self.capacity - self.confirmed, 0)


def places_to_announce(event_left: int | None, part_left: list[int | None]) -> int | None:
    """The places the public list shows for an event: those of its own limit (``event_left``,
    None without one) and of its parts' limits (one entry per part, None for a part without
    one). None: no limit anywhere a person could go; 0: nobody can be confirmed any more (the
    event, or every part, is full), so a sign-up goes on the waiting list.

    A part without a limit leaves room as long as the event has; when every part has a limit,
    the part with the most room says how many more people can still come to something."""
    if part_left and all(left is not None for left in part_left):
        most = max(left for left in part_left if left is not None)
        return most if event_left is None else min(event_left, most)
    return event_left
