"""Reading events for the public side, and what their registration window allows."""

from __future__ import annotations

import enum
from datetime import datetime

from flask import abort
from sqlalchemy import select

from ..database import utcnow
from ..extensions import db
from .models import Event, EventStatus


class Availability(enum.StrEnum):
    OPEN = "open"
    NOT_YET_OPEN = "not_yet_open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def get_public_or_404(slug: str) -> Event:
    """Any event but a draft: drafts do not exist for the public."""
    if "\x00" in slug:  # no slug has one, and PostgreSQL refuses it even in a query
        abort(404)
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or event.status == EventStatus.DRAFT:
        abort(404)
    return event


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
