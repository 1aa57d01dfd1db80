"""Reading events for the public side, and what their registration window allows."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from .. import signals
from ..database import utcnow
from ..extensions import db
from .models import Event, EventStatus, Part, event_organisers


class Availability(enum.StrEnum):
    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def find_public(slug: str) -> Event | None:
    """Any event but a draft: drafts do not exist for the public."""
    if "\x00" in slug:  # no slug has one, and PostgreSQL refuses it even in a query
        return None
    # With its parts and questions, in one query: the public page and its form need both.
    event = (
        db.session.scalars(
            select(Event)
            .where(Event.slug == slug)
            .options(joinedload(Event.parts), joinedload(Event.questions))
        )
        .unique()
        .first()
    )
    if event is None or event.status == EventStatus.DRAFT:
        return None
    return event


def find_draft_for_organiser(slug: str, user) -> Event | None:
    """A draft event by its slug if ``user`` is one of its organisers (the preview of its page)."""
    if "\x00" in slug:
        return None
    return db.session.scalar(
        select(Event)
        .join(event_organisers, event_organisers.c.event_id == Event.id)
        .where(
            Event.slug == slug,
            Event.status == EventStatus.DRAFT,
            event_organisers.c.user_id == user.id,
        )
    )


def open_for_signup(now: datetime | None = None) -> list[Event]:
    """The public list: events open for sign-up now (:func:`availability` says ``OPEN``) that
    anyone may join (not « sur invitation ») and that have a part still to come, the soonest
    first; parts loaded with them (two queries whatever the number of events)."""
    now = now or utcnow()
    events = db.session.scalars(
        select(Event)
        .where(
            Event.status == EventStatus.OPEN,
            Event.invitation_only.is_(False),
            or_(Event.registration_opens_at.is_(None), Event.registration_opens_at <= now),
            or_(Event.registration_closes_at.is_(None), Event.registration_closes_at > now),
            exists().where(Part.event_id == Event.id, Part.ends_at > now),
        )
        .options(selectinload(Event.parts))
    )
    listed = [event for event in events if availability(event, now) == Availability.OPEN]
    listed.sort(key=lambda event: (event.starts_at, event.title.casefold(), event.id))
    return listed


def availability(event: Event, now: datetime | None = None) -> Availability:
    now = now or utcnow()
    if event.status == EventStatus.CANCELLED:
        return Availability.CANCELLED
    if event.status != EventStatus.OPEN:
        return Availability.CLOSED
    if event.registration_opens_at and now < event.registration_opens_at:
        return Availability.NOT_YET_OPEN
    if event.registration_closes_at and now >= event.registration_closes_at:
        return Availability.CLOSED
    if event.ends_at and now >= event.ends_at:
        return Availability.CLOSED
    return Availability.OPEN


def find_for_organiser(event_id: int, user) -> Event | None:
    """The event if ``user`` is one of its organisers, else None (whether it exists or not)."""
    return db.session.scalar(
        select(Event)
        .join(event_organisers, event_organisers.c.event_id == Event.id)
        .where(Event.id == event_id, event_organisers.c.user_id == user.id)
    )


def event_rescheduled(event: Event) -> list:
    """The times or the venue changed after people signed up: their calendars must follow.

    Called once per confirmed change. Bumps the sequence so that the updated invitations (iTIP
    REQUEST) supersede those already sent, then queues them for everyone registered. Returns
    who could not be written to (``mail.bulk.Unsent``): the change stands all the same.
    The registrations domain does the sending, as a receiver of ``signals.event_rescheduled``.
    """
    event.calendar_sequence += 1
    db.session.flush()
    return signals.returned(signals.event_rescheduled.send(event))


def event_cancelled(event: Event) -> list:
    """The event will not take place: registrations close, calendars get a CANCEL (the waiting
    list a plain notice), with a higher sequence so that it supersedes earlier invitations.
    Returns who could not be written to: the event is cancelled all the same (the
    registrations domain sends, as a receiver of ``signals.event_cancelled``)."""
    event.status = EventStatus.CANCELLED
    event.calendar_sequence += 1
    db.session.flush()
    return signals.returned(signals.event_cancelled.send(event))
