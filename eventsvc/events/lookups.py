"""The web layer's lookups of events: they answer 404, which services never do.

An organiser asking for another organiser's event gets exactly the 404 of an event that does not
exist, so that nobody learns which events exist. Every dashboard URL with an event id goes through
:func:`organiser_event`; every public URL with a slug through :func:`public_event`.
"""

from __future__ import annotations

from flask_login import current_user

from ..web import found
from . import service
from .models import Event


def organiser_event(event_id: int) -> Event:
    """The event, if the organiser logged in is one of its organisers; 404 otherwise."""
    return found(service.find_for_organiser(event_id, current_user))


def public_event(slug: str) -> Event:
    """The event behind a public link; drafts and unknown slugs are 404."""
    return found(service.find_public(slug))
