"""Reads of events for the organiser's pages: their events, and whether a change needs asking.

Who is registered is the registrations domain's to count (``events.audience``, wired at start-up),
since events may not import it."""

from __future__ import annotations

from sqlalchemy import select

from ..auth.models import User
from ..extensions import db
from . import audience
from .models import Event, EventStatus, event_organisers


def events_for(user: User) -> list[Event]:
    """The user's events, the most recently created first."""
    return list(
        db.session.scalars(
            select(Event)
            .join(event_organisers, event_organisers.c.event_id == Event.id)
            .where(event_organisers.c.user_id == user.id)
            .order_by(Event.created_at.desc(), Event.id.desc())
        )
    )


def active_registrations(event: Event) -> int:
    """People registered, confirmed or waiting (the registrations domain counts them)."""
    return audience.active_registrations(event)


def needs_confirmation(event: Event) -> bool:
    """Moving this event would change calendars people already hold."""
    return event.status in (EventStatus.OPEN, EventStatus.CLOSED) and bool(
        active_registrations(event)
    )
