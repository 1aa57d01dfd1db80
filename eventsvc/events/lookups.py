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


def public_or_previewed_event(slug: str) -> tuple[Event, bool]:
    """The event behind a public link, and whether this is its preview: a draft is shown to its
    own organisers (logged in) as « Aperçu », and is a 404 for anyone else, as for the public."""
    event = service.find_public(slug)
    if event is not None:
        return event, False
    if current_user.is_authenticated:
        return found(service.find_draft_for_organiser(slug, current_user)), True
    return found(None), False
