"""The counts the events domain asks about the people registered to an event (see
``events.audience``): registered here, at wiring time, so that events never imports
registrations."""

from __future__ import annotations

from sqlalchemy import func, select

from ..events import audience
from ..events.models import Event, Part
from ..extensions import db
from .models import Registration, RegistrationStatus, registration_parts

ACTIVE = (RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)


def active_registrations(event: Event) -> int:
    return db.session.scalar(
        select(func.count(Registration.id)).where(
            Registration.event_id == event.id, Registration.status.in_(ACTIVE)
        )
    )


def chosen_by(part: Part) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(registration_parts)
        .join(Registration, Registration.id == registration_parts.c.registration_id)
        .where(registration_parts.c.part_id == part.id, Registration.status.in_(ACTIVE))
    )


def wire() -> None:
    """From ``init_app``: answer the events domain's questions."""
    audience.register(active=active_registrations, choosing=chosen_by)
