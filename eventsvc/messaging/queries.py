"""Who a message goes to, and the messages sent. The audience reuses the registrations page's
filter (``registrations.queries.Filters``), so « the current filter » means the same people here
as in the table; cancelled registrations and erased people are never written to."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from ..events.models import Event
from ..extensions import db
from ..registrations import queries as registrations
from ..registrations.models import Registration, RegistrationStatus
from .models import Message

CONFIRMED, WAITLISTED, ALL, FILTER = "confirmed", "waitlisted", "all", "filter"
STATUSES = (CONFIRMED, WAITLISTED, ALL)


@dataclass(frozen=True)
class Audience:
    """``to``: CONFIRMED, WAITLISTED or ALL (both), optionally only those attending ``part_id``;
    or FILTER, the registrations page's ``filters``."""

    to: str
    part_id: int | None = None
    filters: registrations.Filters | None = field(default=None, compare=False)

    def as_filters(self) -> registrations.Filters:
        if self.to == FILTER:
            return self.filters or registrations.Filters()
        status = "" if self.to == ALL else self.to
        return registrations.Filters(status=status, part_id=self.part_id)


def recipients(event: Event, audience: Audience) -> list[Registration]:
    """The people of the audience, in the table's order: never a cancelled registration, never
    an erased person, never another event's."""
    return [
        registration
        for registration in registrations.matching(event, audience.as_filters())
        if registration.status != RegistrationStatus.CANCELLED
        and registration.anonymised_at is None
    ]


def sent(event: Event) -> list[Message]:
    """The event's messages, newest first."""
    return list(
        db.session.scalars(
            select(Message)
            .where(Message.event_id == event.id)
            .order_by(Message.created_at.desc(), Message.id.desc())
        )
    )
