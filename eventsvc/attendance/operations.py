"""What organisers do at the welcome desk, each change written to the audit log in the same
transaction. Functions flush; the caller commits.

Every one of them first checks that check-in of the part is open (:class:`CheckInNotOpen`): the
pages, the JSON endpoints and walk-ins all go through here. The unaudited primitives of
``service`` do not, so that other domains' tests and commands can record past check-ins."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import signals
from ..audit import service as audit
from ..auth.models import User
from ..events.models import Event, Part
from ..extensions import db
from ..registrations.models import Registration, RegistrationStatus
from . import service


class NotConfirmed(service.AttendanceError):
    """A cancelled or waitlisted registration cannot be checked in."""


class CheckInNotOpen(service.AttendanceError):
    """Check-in of the part opens later (00:00 on its day, or 18:00 the evening before). It
    stays open once the part has ended, for late corrections. ``opens_at`` is in the event's
    zone; the page says it in the reader's words."""

    def __init__(self, part: Part, opens_at: datetime):
        when = f"{opens_at:%d/%m à %H:%M}"
        super().__init__(f"L'accueil de la partie « {part.label} » ouvre le {when}.")
        self.part = part
        self.opens_at = opens_at


def check_open(part: Part, now: datetime | None = None) -> None:
    if not service.checkin_is_open(part, now):
        raise CheckInNotOpen(part, service.checkin_opens_at(part))


def mark_present(registration: Registration, part: Part, *, actor: User) -> bool:
    """True if this call recorded the check-in; False if it already was (another phone)."""
    check_open(part)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise NotConfirmed(registration.status)
    recorded = service.check_in(registration, part, by=actor.email)
    if recorded:
        signals.checkin_recorded.send(registration, part=part)
        audit.record(
            "attendance.checked_in",
            actor=actor,
            registration=registration,
            details={"part": part.label},
        )
    return recorded


def mark_absent(registration: Registration, part: Part, *, actor: User) -> bool:
    """True if this call removed a check-in; False if there was none (already undone)."""
    if part.event_id != registration.event_id:
        raise service.AttendanceError("part of another event")
    check_open(part)
    removed = service.undo_check_in(registration, part)
    if removed:
        audit.record(
            "attendance.check_in_undone",
            actor=actor,
            registration=registration,
            details={"part": part.label},
        )
    return removed


def add_walk_in(
    event: Event,
    part: Part,
    *,
    first_name: str,
    last_name: str,
    organisation: str = "",
    email: str = "",
    actor: User,
    request_id: str = "",
) -> Registration:
    """``request_id``: chosen by the phone for this walk-in, sent again with every retry. A retry
    whose first attempt did reach the server (only the answer was lost) finds the person added
    then instead of adding them twice."""
    check_open(part)
    public_id = walk_in_public_id(event, request_id) if request_id else None
    if public_id is not None:
        existing = _by_public_id(event, public_id)
        if existing is not None:
            return existing
    try:
        with db.session.begin_nested():
            registration = service.add_walk_in(
                event,
                part,
                first_name=first_name,
                last_name=last_name,
                organisation=organisation,
                email=email,
                by=actor.email,
                public_id=public_id,
            )
    except (IntegrityError, service.AttendanceError):
        # The same retry on another connection got there first (PostgreSQL runs both at once):
        # its row either collides with ours (IntegrityError) or, committed between our lookup above
        # and the insert, reads as « already registered » under the same walk-in key.
        existing = _by_public_id(event, public_id) if public_id else None
        if existing is None:
            raise
        return existing
    signals.checkin_recorded.send(registration, part=part)
    audit.record(
        "attendance.walk_in",
        actor=actor,
        registration=registration,
        details={"part": part.label, "name": registration.display_name},
    )
    return registration


def walk_in_public_id(event: Event, request_id: str) -> str:
    """A public id derived from the phone's request id with the secret key: the same retry gives
    the same id, and nobody can choose another registration's id."""
    message = f"walk-in:{event.id}:{request_id}".encode()
    secret = current_app.config["SECRET_KEY"].encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def _by_public_id(event: Event, public_id: str) -> Registration | None:
    return db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.public_id == public_id
        )
    )
