"""The web layer's lookups of the invitations domain: they answer 404, which the domain's
operations and queries never do.

An organiser asking for another organiser's contact, list or attachment gets exactly the 404 of
one that does not exist; an invitation link that does not match is 404 too.
"""

from __future__ import annotations

from flask import abort

from ..events.models import Event
from ..extensions import db
from ..web import found
from . import contacts, queries
from .models import Contact, ContactList, EventAttachment, Invitation


def contact_or_404(owner, contact_id: int) -> Contact:
    return found(contacts.find_contact(owner, contact_id))


def list_or_404(owner, list_id: int) -> ContactList:
    return found(contacts.find_owned_list(owner, list_id))


def lists_or_404(owner, list_ids) -> list[ContactList]:
    return [list_or_404(owner, list_id) for list_id in list_ids]


def chosen_contacts(owner, *, list_ids=(), contact_ids=()) -> list[Contact]:
    """The chosen lists' members and chosen contacts, from the organiser's own address book."""
    chosen: list[Contact] = []
    for list_id in list_ids:
        chosen += list_or_404(owner, list_id).contacts
    for contact_id in contact_ids:
        chosen.append(contact_or_404(owner, contact_id))
    return chosen


def attachment_or_404(event: Event, attachment_id: int) -> EventAttachment:
    attachment = db.session.get(EventAttachment, attachment_id)
    if attachment is None or attachment.event_id != event.id:
        abort(404)
    return attachment


def invitation_or_404(token: str) -> Invitation:
    return found(queries.find_by_token(token))
