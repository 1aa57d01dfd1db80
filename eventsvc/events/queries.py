"""Reads of events for the organiser's pages: their events, and whether a change needs asking.

Who is registered is the registrations domain's to count (``events.audience``, wired at start-up),
since events may not import it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..auth.models import User
from ..extensions import db
from . import audience, rules
from .models import Event, EventStatus, event_organisers


def events_for(user: User, search: str = "") -> list[Event]:
    """The user's events (with their parts), the most recently created first; with ``search``,
    those whose title holds its words, whatever the case and accents (see events.rules)."""
    events = db.session.scalars(
        select(Event)
        .join(event_organisers, event_organisers.c.event_id == Event.id)
        .where(event_organisers.c.user_id == user.id)
        .options(selectinload(Event.parts))
        .order_by(Event.created_at.desc(), Event.id.desc())
    )
    return [event for event in events if rules.title_matches(event.title, search)]


def active_registrations(event: Event) -> int:
    """People registered, confirmed or waiting (the registrations domain counts them)."""
    return audience.active_registrations(event)


def needs_confirmation(event: Event) -> bool:
    """Moving this event would change calendars people already hold."""
    return event.status in (EventStatus.OPEN, EventStatus.CLOSED) and bool(
        active_registrations(event)
    )
