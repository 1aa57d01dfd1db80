"""Reads of registrations: places left and the waiting list (the sign-up form, the personal page,
the operations' decisions), the personal link's registration, and the organiser's view of an
event's registrations: filter, sort, page, count.

Filtering, sorting and paging happen in the database so that a page of an event with 10,000
registrations reads 50 rows; the counts read one narrow row per confirmed person.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import selectinload

from ..common import tokens
from ..common.query_args import ID_MAX, bounded_int
from ..events.models import Event
from ..extensions import db
from ..links import personal_token
from .models import Answer, Registration, RegistrationStatus, registration_parts
from .periods import lunch_counts
from .places import places
from .rules import PartSpan

STATUSES = tuple(status.value for status in RegistrationStatus)
SORTS = {
    "name": lambda: (func.lower(Registration.last_name), func.lower(Registration.first_name)),
    "organisation": lambda: (func.lower(Registration.organisation),),
    "email": lambda: (Registration.email_key,),
    "status": lambda: (Registration.status,),
    "attendance": lambda: (Registration.full_day,),
    "date": lambda: (Registration.created_at,),
}
FULL, PARTIAL = "full", "partial"


@dataclass
class Filters:
    status: str = ""  # one of STATUSES, or "" for all
    part_id: int | None = None  # attends this part (a full day attends every part)
    attendance: str = ""  # FULL, PARTIAL or ""
    text: str = ""  # in names, organisation, email or comment
    sort: str = "date"
    descending: bool = False

    @classmethod
    def from_args(cls, args) -> Filters:
        """From a query string, ignoring what does not make sense."""
        status = args.get("status", "")
        attendance = args.get("attendance", "")
        part = args.get("part", "")
        sort = args.get("sort", "date")
        return cls(
            status=status if status in STATUSES else "",
            part_id=bounded_int(part, minimum=1, maximum=ID_MAX),
            attendance=attendance if attendance in (FULL, PARTIAL) else "",
            text=args.get("q", "").strip()[:200],
            sort=sort if sort in SORTS else "date",
            descending=args.get("order") == "desc",
        )

    def args(self, **overrides) -> dict[str, str]:
        """The query string for these filters (for links that keep them)."""
        values = {
            "status": self.status,
            "part": str(self.part_id) if self.part_id else "",
            "attendance": self.attendance,
            "q": self.text,
            "sort": self.sort,
            "order": "desc" if self.descending else "",
        }
        values.update(overrides)
        return {key: value for key, value in values.items() if value}


def query(event: Event, filters: Filters, ids: list[int] | None = None) -> Select:
    """The registrations matching ``filters``, in their order; only ``ids`` among them when
    given (a selection of the table)."""
    statement = select(Registration).where(Registration.event_id == event.id)
    if ids is not None:
        statement = statement.where(Registration.id.in_(ids))
    if filters.status:
        statement = statement.where(Registration.status == filters.status)
    if filters.attendance == FULL:
        statement = statement.where(Registration.full_day.is_(True))
    elif filters.attendance == PARTIAL:
        statement = statement.where(Registration.full_day.is_(False))
    if filters.part_id is not None:
        chose = exists().where(
            registration_parts.c.registration_id == Registration.id,
            registration_parts.c.part_id == filters.part_id,
        )
        statement = statement.where(or_(Registration.full_day.is_(True), chose))
    if filters.text:
        needle = filters.text.lower()
        statement = statement.where(
            or_(
                *(
                    func.lower(column).contains(needle, autoescape=True)
                    for column in (
                        Registration.first_name,
                        Registration.last_name,
                        Registration.organisation,
                        Registration.email,
                        Registration.comment,
                    )
                ),
                func.lower(Registration.first_name + " " + Registration.last_name).contains(
                    needle, autoescape=True
                ),
            )
        )
    order = [c.desc() if filters.descending else c for c in SORTS[filters.sort]()]
    tie = Registration.id.desc() if filters.descending else Registration.id
    return statement.order_by(*order, tie)


def _with_details(statement: Select) -> Select:
    return statement.options(
        selectinload(Registration.chosen_parts),
        selectinload(Registration.answers).selectinload(Answer.question),
    )


@dataclass
class Page:
    items: list[Registration]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.number * self.per_page, self.total)


def page(event: Event, filters: Filters, number: int, per_page: int) -> Page:
    statement = query(event, filters)
    total = count(event, filters)
    pages = max(1, math.ceil(total / per_page))
    number = min(max(1, number), pages)
    items = db.session.scalars(
        _with_details(statement).limit(per_page).offset((number - 1) * per_page)
    ).all()
    return Page(list(items), total, number, per_page)


def iterate(
    event: Event, filters: Filters, batch: int = 500, ids: list[int] | None = None
) -> Iterator[Registration]:
    """Every registration matching, in order, read in batches (for exports)."""
    statement = _with_details(query(event, filters, ids)).execution_options(yield_per=batch)
    yield from db.session.scalars(statement)


def matching(event: Event, filters: Filters, ids: list[int] | None = None) -> list[Registration]:
    """The registrations a bulk action applies to: the filter's, or the selected ones."""
    return list(db.session.scalars(_with_details(query(event, filters, ids))))


def count(event: Event, filters: Filters) -> int:
    statement = query(event, filters).order_by(None).subquery()
    return db.session.scalar(select(func.count()).select_from(statement))


def registration_ids(event: Event) -> list[int]:
    """Every registration id of the event (what a selection may name)."""
    return list(
        db.session.scalars(select(Registration.id).where(Registration.event_id == event.id))
    )


@dataclass
class Counts:
    by_status: dict[str, int]
    # part id -> confirmed, and waitlisted, attending it
    confirmed_per_part: dict[int, int]
    waitlisted_per_part: dict[int, int]
    lunches: dict[date, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def status_counts(event: Event) -> dict[str, int]:
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ).all()
    by_status = {status: 0 for status in STATUSES}
    by_status.update(dict(rows))
    return by_status


def status_counts_by_event(event_ids: list[int]) -> dict[int, dict[str, int]]:
    """:func:`status_counts` of several events in one grouped query (the event list)."""
    by_event = {event_id: {status: 0 for status in STATUSES} for event_id in event_ids}
    if not event_ids:
        return by_event
    for event_id, status, number in db.session.execute(
        select(Registration.event_id, Registration.status, func.count())
        .where(Registration.event_id.in_(event_ids))
        .group_by(Registration.event_id, Registration.status)
    ):
        by_event[event_id][status] = number
    return by_event


def counts(event: Event) -> Counts:
    return Counts(
        by_status=status_counts(event),
        confirmed_per_part=part_counts(event, RegistrationStatus.CONFIRMED),
        waitlisted_per_part=part_counts(event, RegistrationStatus.WAITLISTED),
        lunches=lunch_counts(_confirmed_attendances(event)),
    )


def _confirmed_attendances(event: Event):
    """(parts attended, arrival, departure) of each confirmed person, read narrowly."""
    spans = {part.id: PartSpan(part.id, part.local_start, part.local_end) for part in event.parts}
    everything = list(spans.values())
    confirmed = (Registration.event_id == event.id) & (
        Registration.status == RegistrationStatus.CONFIRMED
    )
    chosen: dict[int, list[PartSpan]] = {}
    for registration_id, part_id in db.session.execute(
        select(registration_parts.c.registration_id, registration_parts.c.part_id)
        .join(Registration, Registration.id == registration_parts.c.registration_id)
        .where(confirmed, Registration.full_day.is_(False))
    ):
        if part_id in spans:
            chosen.setdefault(registration_id, []).append(spans[part_id])
    for registration_id, full_day, arrival, departure in db.session.execute(
        select(
            Registration.id,
            Registration.full_day,
            Registration.arrival_time,
            Registration.departure_time,
        ).where(confirmed)
    ):
        if full_day:
            yield everything, None, None
        else:
            yield chosen.get(registration_id, []), arrival, departure


# Places, the waiting list, the personal link


def confirmed_count(event: Event) -> int:
    return db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )


def part_counts(event: Event, status: str = RegistrationStatus.CONFIRMED) -> dict[int, int]:
    """How many people of a status attend each part (full-day registrations count everywhere)."""
    full_day = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id,
            Registration.status == status,
            Registration.full_day.is_(True),
        )
    )
    rows = db.session.execute(
        select(registration_parts.c.part_id, func.count())
        .join(Registration, Registration.id == registration_parts.c.registration_id)
        .where(
            Registration.event_id == event.id,
            Registration.status == status,
            Registration.full_day.is_(False),
        )
        .group_by(registration_parts.c.part_id)
    ).all()
    chosen = dict(rows)
    return {part.id: full_day + chosen.get(part.id, 0) for part in event.parts}


def places_left(event: Event) -> int | None:
    if event.capacity is None:
        return None
    return max(event.capacity - confirmed_count(event), 0)


def part_places_left(event: Event) -> dict[int, int | None]:
    return places(event).left_per_part(event.parts)


def waiting_list(event: Event) -> list[Registration]:
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.WAITLISTED,
            )
            .order_by(Registration.queued_at, Registration.id)
        )
    )


def waitlist_position(registration: Registration) -> int | None:
    """1 for the next person to be promoted; None when not on the waiting list."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == registration.event_id,
            Registration.status == RegistrationStatus.WAITLISTED,
            or_(
                Registration.queued_at < registration.queued_at,
                (Registration.queued_at == registration.queued_at)
                & (Registration.id < registration.id),
            ),
        )
    )
    return ahead + 1


def find_by_token(token: str) -> Registration | None:
    if not tokens.looks_like_token(token):
        return None
    registration = db.session.scalar(
        select(Registration).where(Registration.token_digest == tokens.token_digest(token))
    )
    if registration is None or not tokens.same_token(personal_token(registration), token):
        return None
    return registration


def active(event: Event) -> list[Registration]:
    """Everyone not cancelled (confirmed and waiting), in sign-up order."""
    return list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status != RegistrationStatus.CANCELLED,
            )
            .order_by(Registration.id)
        )
    )


def part_counts_by_event(events: list[Event]) -> dict[int, int]:
    """:func:`part_counts` of confirmed people for the parts of several events at once (part id
    -> people attending it), in two grouped queries (the public list; parts already loaded)."""
    event_ids = [event.id for event in events]
    if not event_ids:
        return {}
    confirmed = Registration.event_id.in_(event_ids) & (
        Registration.status == RegistrationStatus.CONFIRMED
    )
    full_day = dict(
        db.session.execute(
            select(Registration.event_id, func.count())
            .where(confirmed, Registration.full_day.is_(True))
            .group_by(Registration.event_id)
        ).all()
    )
    chosen = dict(
        db.session.execute(
            select(registration_parts.c.part_id, func.count())
            .join(Registration, Registration.id == registration_parts.c.registration_id)
            .where(confirmed, Registration.full_day.is_(False))
            .group_by(registration_parts.c.part_id)
        ).all()
    )
    return {
        part.id: full_day.get(event.id, 0) + chosen.get(part.id, 0)
        for event in events
        for part in event.parts
    }
