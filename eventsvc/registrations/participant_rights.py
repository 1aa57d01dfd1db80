"""What a participant may still do with their registration: the personal page shows it, its
routes enforce it, and every email that carries the personal link words the link after it (an
email after the event must not promise « modifier ou annuler »)."""

from __future__ import annotations

from datetime import datetime

from ..database import utcnow
from ..events.models import EventStatus
from ..events.service import Availability, availability
from .models import Registration, RegistrationStatus

CHANGE, CANCEL, VIEW = "change", "cancel", "view"


def can_change(registration: Registration) -> bool:
    """Parts and times change while the event takes sign-ups."""
    return registration.status != RegistrationStatus.CANCELLED and availability(
        registration.event
    ) in (Availability.OPEN, Availability.NOT_YET_OPEN)


def can_cancel(registration: Registration, now: datetime | None = None) -> bool:
    """Cancelling stays possible after sign-ups close, until the event starts: a place given back
    the day before still goes to the waiting list."""
    event = registration.event
    if registration.status == RegistrationStatus.CANCELLED or event.status == EventStatus.CANCELLED:
        return False
    return event.starts_at is None or (now or utcnow()) < event.starts_at


def link_offer(registration: Registration) -> str:
    """How emails word the personal link: « voir, modifier ou annuler », « voir ou annuler » or
    « voir »."""
    if can_change(registration):
        return CHANGE
    return CANCEL if can_cancel(registration) else VIEW
