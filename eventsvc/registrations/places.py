"""Places taken in an event, counted in one statement: what the capacity decision (under the
event's lock, so it must be short) and the public page read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Integer, String, bindparam, cast, func, literal, null, select, union_all

from ..events.models import Event
from ..extensions import db
from .models import Registration, RegistrationStatus, registration_parts


@dataclass(frozen=True)
class Places:
    """The places taken in an event, from one grouped query (:func:`places`): what the capacity
    decision and the public page need."""

    confirmed: int
    waitlisted: int
    # part id -> confirmed people attending it (a full day attends every part)
    per_part: dict[int, int]

    def has_room(self, capacity: int | None, parts) -> bool:
        """Room for one more confirmed person attending ``parts`` (Part objects)."""
        if capacity is not None and self.confirmed >= capacity:
            return False
        return all(
            part.capacity is None or self.per_part.get(part.id, 0) < part.capacity for part in parts
        )

    def left(self, capacity: int | None) -> int | None:
        return None if capacity is None else max(capacity - self.confirmed, 0)

    def left_per_part(self, parts) -> dict[int, int | None]:
        return {
            part.id: None
            if part.capacity is None
            else max(part.capacity - self.per_part.get(part.id, 0), 0)
            for part in parts
        }


def _statement():
    """Built once (it runs under the event's lock: no time spent building SQL expressions);
    the event is a bound parameter."""
    event_id = bindparam("event_id", type_=Integer)
    counted = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
    by_status = (
        select(
            Registration.status,
            Registration.full_day,
            cast(null(), Integer).label("part_id"),
            func.count().label("n"),
        )
        .where(Registration.event_id == event_id, Registration.status.in_(counted))
        .group_by(Registration.status, Registration.full_day)
    )
    chosen = (
        select(
            literal(CHOSEN, String).label("status"),
            literal(False).label("full_day"),
            registration_parts.c.part_id,
            func.count().label("n"),
        )
        .join(Registration, Registration.id == registration_parts.c.registration_id)
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.full_day.is_(False),
        )
        .group_by(registration_parts.c.part_id)
    )
    return union_all(by_status, chosen)


CHOSEN = "chosen"  # the rows of the second select: confirmed people per part chosen
_PLACES = _statement()


def places(event: Event) -> Places:
    """Confirmed and waitlisted people, and confirmed people per part, in one statement (two
    grouped selects joined by UNION ALL): one round trip, without loading any registration."""
    confirmed = waitlisted = full_day = 0
    per_part: dict[int, int] = {}
    for status, is_full_day, part_id, number in db.session.execute(_PLACES, {"event_id": event.id}):
        if status == CHOSEN:
            per_part[part_id] = number
        elif status == RegistrationStatus.CONFIRMED:
            confirmed += number
            full_day += number if is_full_day else 0
        else:
            waitlisted += number
    return Places(
        confirmed=confirmed,
        waitlisted=waitlisted,
        per_part={part.id: full_day + per_part.get(part.id, 0) for part in event.parts},
    )
