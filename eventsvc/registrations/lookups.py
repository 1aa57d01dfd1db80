"""The web layer's lookups of registrations: they answer 404, which operations never do."""

from __future__ import annotations

from flask import abort

from ..events.models import Event
from ..extensions import db
from ..web import found
from . import importing, queries
from .models import Registration, SignupImport


def organiser_registration(event: Event, registration_id: int) -> Registration:
    """A registration of this event (the event already checked for the organiser)."""
    registration = db.session.get(Registration, registration_id)
    # An erased registration (retention, or the person's request) is no one any more: nothing to
    # open, change or write to.
    if (
        registration is None
        or registration.event_id != event.id
        or registration.anonymised_at is not None
    ):
        abort(404)
    return registration


def personal_registration(token: str) -> Registration:
    """The registration behind a personal link (``/r/<token>``); 404 for any other token."""
    return found(queries.find_by_token(token))


def organiser_upload(event: Event, upload_id: int) -> SignupImport:
    """A CSV upload waiting between its preview and its import, of this event only."""
    return found(importing.find_upload(event, upload_id))
