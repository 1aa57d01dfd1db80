"""Check-ins, walk-ins and the figures of an event. Functions flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..common import tokens
from ..common.errors import DomainError
from ..database import utcnow
from ..events.models import Event, Part
from ..extensions import db
from ..links import personal_token
from ..registrations.models import Registration, RegistrationStatus, registration_parts
from . import rules
from .models import CheckIn


class AttendanceError(DomainError):
    """Refused with a message for the organiser."""


def check_in(registration: Registration, part: Part, by: str = "") -> bool:
    """Mark present; True if this call recorded it, False if it already was (any phone)."""
    if part.event_id != registration.event_id:
        raise AttendanceError("part of another event")
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(CheckIn)
        .values(
            registration_id=registration.id,
            part_id=part.id,
            checked_in_at=utcnow(),
            checked_in_by=by,
        )
        .on_conflict_do_nothing(index_elements=["registration_id", "part_id"])
        .returning(CheckIn.id)
    )
    return db.session.execute(statement).scalar_one_or_none() is not None


def undo_check_in(registration: Registration, part: Part) -> bool:
    result = db.session.execute(
        delete(CheckIn).where(
            CheckIn.registration_id == registration.id, CheckIn.part_id == part.id
        )
    )
    return result.rowcount > 0


def add_walk_in(
    event: Event,
    part: Part,
    *,
    first_name: str,
    last_name: str,
    organisation: str = "",
    email: str = "",
    by: str = "",
    public_id: str | None = None,
) -> Registration:
    """Someone who came without signing up: recorded as attending this part and checked in.

    Capacity does not apply (they are in the room); no email is sent. ``public_id`` may be given
    by a caller that needs retries to be idempotent (see ``manage.add_walk_in``).
    """
    public_id = public_id or tokens.new_public_id()
    key = email.casefold() if email else f"walk-in:{public_id}"
    existing = db.session.scalar(
        select(Registration).where(Registration.event_id == event.id, Registration.email_key == key)
    )
    if existing is not None:
        raise AttendanceError("already registered")
    registration = Registration(
        event=event,
        public_id=public_id,
        first_name=first_name,
        last_name=last_name,
        organisation=organisation,
        email_typed=email,
        email=email,
        email_key=key,
        full_day=False,
        chosen_parts=[part],
        status=RegistrationStatus.CONFIRMED,
        walk_in=True,
        locale="fr",
    )
    registration.token_digest = tokens.token_digest(personal_token(registration))
    db.session.add(registration)
    db.session.flush()
    check_in(registration, part, by)
    return registration


def checked_in_part_ids(registration: Registration) -> set[int]:
    return set(
        db.session.scalars(
            select(CheckIn.part_id).where(CheckIn.registration_id == registration.id)
        )
    )


def check_ins_of(event: Event) -> dict[tuple[int, int], CheckIn]:
    """(registration id, part id) → check-in, for a whole event in one query."""
    rows = db.session.scalars(select(CheckIn).join(Part).where(Part.event_id == event.id)).all()
    return {(row.registration_id, row.part_id): row for row in rows}


def expected_at(event: Event, part: Part) -> list[Registration]:
    """Confirmed people attending this part, plus anyone checked in at it (walk-ins), by name."""
    confirmed = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
        )
        .outerjoin(registration_parts, registration_parts.c.registration_id == Registration.id)
        .where((Registration.full_day.is_(True)) | (registration_parts.c.part_id == part.id))
        .distinct()
    ).all()
    seen = db.session.scalars(
        select(Registration)
        .join(CheckIn, CheckIn.registration_id == Registration.id)
        .where(CheckIn.part_id == part.id)
    ).all()
    people = {r.id: r for r in [*confirmed, *seen]}
    return sorted(people.values(), key=lambda r: rules.name_order(r.last_name, r.first_name))


def part_time(part: Part) -> rules.PartTime:
    return rules.PartTime(part.id, part.local_start, part.local_end)


def checkin_opens_at(part: Part) -> datetime:
    """When check-in of this part opens, in the event's zone (attendance.rules)."""
    return rules.checkin_opens_at(part.local_start, part.event.checkin_opens_evening_before)


def checkin_is_open(part: Part, now: datetime | None = None) -> bool:
    return rules.checkin_is_open(
        part.local_start, now or utcnow(), part.event.checkin_opens_evening_before
    )


@dataclass(frozen=True)
class PartFigures:
    part: Part
    expected: int
    present: int
    walk_ins: int
    no_shows: int

    @property
    def no_show_rate(self) -> float | None:
        return None if not self.expected else self.no_shows / self.expected


def figures(event: Event, now: datetime | None = None) -> list[PartFigures]:
    """Registered versus present, per part that has started: before a part starts nobody is
    absent from it yet (a rate of 100 % three weeks ahead would mislead)."""
    counted = set(rules.started([part_time(p) for p in event.parts], now or utcnow()))
    result = []
    for part in (p for p in event.parts if p.id in counted):
        people = expected_at(event, part)
        present_ids = set(
            db.session.scalars(select(CheckIn.registration_id).where(CheckIn.part_id == part.id))
        )
        expected = [r for r in people if not r.walk_in and r.status == RegistrationStatus.CONFIRMED]
        result.append(
            PartFigures(
                part=part,
                expected=len(expected),
                present=len(present_ids),
                walk_ins=sum(1 for r in people if r.walk_in and r.id in present_ids),
                no_shows=sum(1 for r in expected if r.id not in present_ids),
            )
        )
    return result


def attended_periods(registration: Registration) -> list[rules.AttendedPeriod]:
    """What a certificate states: parts checked in, in local time, narrowed by declared times."""
    present = checked_in_part_ids(registration)
    parts = [
        (p.label, p.local_start, p.local_end) for p in registration.event.parts if p.id in present
    ]
    return rules.attended_periods(parts, registration.arrival_time, registration.departure_time)


def event_is_over(event: Event, now: datetime | None = None) -> bool:
    return event.ends_at is not None and (now or utcnow()) >= event.ends_at


def attendees(event: Event) -> list[Registration]:
    """Everyone checked in at least once, by name: who gets a certificate."""
    people = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.id.in_(select(CheckIn.registration_id)),
        )
    ).all()
    return sorted(people, key=lambda r: rules.name_order(r.last_name, r.first_name))


@dataclass(frozen=True)
class DeskRow:
    """One person on the check-in page of a part."""

    registration: Registration
    present: bool
    expected: bool  # registered for this part (or the whole day); False: another part only


def desk(event: Event, part: Part) -> list[DeskRow]:
    """Who can be checked in at this part, by name: everyone confirmed (those registered for
    another part only are flagged, since people do come to the wrong half-day) and anyone already
    checked in here (walk-ins)."""
    expected_ids = {r.id for r in expected_at(event, part)}
    confirmed = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    ).all()
    present_ids = set(
        db.session.scalars(select(CheckIn.registration_id).where(CheckIn.part_id == part.id))
    )
    seen = (
        db.session.scalars(select(Registration).where(Registration.id.in_(present_ids))).all()
        if present_ids
        else []
    )
    people = {r.id: r for r in [*confirmed, *seen]}
    ordered = sorted(people.values(), key=lambda r: rules.name_order(r.last_name, r.first_name))
    return [DeskRow(r, r.id in present_ids, r.id in expected_ids) for r in ordered]
