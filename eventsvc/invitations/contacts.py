"""The organiser's address book: contacts and lists, always within the organiser's own (another's
contact or list is never found), and importing contacts from a CSV file into a list.

Writes take the actor (``actor=`` the organiser, or ``actor_label=`` for a command), flush, record
their audit line (``contact.saved``, ``contact.deleted``, ``contacts.list_created``,
``contacts.list_deleted``, ``contacts.imported``) and let the caller (request or command) commit.
Finding answers ``None`` for what is not the organiser's; the pages answer 404 for it
(``invitations.lookups``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit import service as audit
from ..common.validation import CheckedEmail
from ..extensions import db
from . import contacts_csv
from .errors import InvitationError
from .models import Contact, ContactList, Invitation


def contacts_of(owner, contact_list: ContactList | None = None) -> list[Contact]:
    query = select(Contact).where(Contact.owner_id == owner.id)
    if contact_list is not None:
        query = query.where(Contact.lists.contains(contact_list))
    return list(db.session.scalars(query.order_by(Contact.last_name, Contact.first_name)))


def lists_of(owner) -> list[ContactList]:
    return list(
        db.session.scalars(
            select(ContactList).where(ContactList.owner_id == owner.id).order_by(ContactList.name)
        )
    )


def find_contact(owner, contact_id: int) -> Contact | None:
    """The organiser's contact of this id; ``None`` if unknown or another organiser's."""
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.owner_id != owner.id:
        return None
    return contact


def find_owned_list(owner, list_id: int) -> ContactList | None:
    """The organiser's list of this id; ``None`` if unknown or another organiser's."""
    contact_list = db.session.get(ContactList, list_id)
    if contact_list is None or contact_list.owner_id != owner.id:
        return None
    return contact_list


def owned_lists(owner, list_ids) -> list[ContactList]:
    """The organiser's lists of these ids, in that order; an unknown or another organiser's id is
    left out (the pages answer 404 for it before, ``lookups.lists_or_404``)."""
    found = (find_owned_list(owner, list_id) for list_id in list_ids)
    return [contact_list for contact_list in found if contact_list is not None]


def find_list(owner, name: str) -> ContactList | None:
    return db.session.scalar(
        select(ContactList).where(ContactList.owner_id == owner.id, ContactList.name == name)
    )


def list_named(owner, name: str, *, actor=None, actor_label: str | None = None) -> ContactList:
    """The organiser's list of this name, created if new."""
    existing = find_list(owner, name)
    if existing is not None:
        return existing
    created = ContactList(owner_id=owner.id, name=name)
    db.session.add(created)
    db.session.flush()
    audit.record(
        "contacts.list_created",
        actor=actor,
        actor_label=actor_label,
        details={"list": created.id, "name": created.name, "owner": owner.id},
    )
    return created


def delete_list(contact_list: ContactList, *, actor=None, actor_label: str | None = None) -> None:
    """The list goes; its contacts stay in the address book."""
    details = {
        "list": contact_list.id,
        "name": contact_list.name,
        "owner": contact_list.owner_id,
        "contacts": len(contact_list.contacts),
    }
    db.session.delete(contact_list)
    db.session.flush()
    audit.record("contacts.list_deleted", actor=actor, actor_label=actor_label, details=details)


@dataclass(kw_only=True)
class ContactData:
    civility: str = ""
    first_name: str = ""
    last_name: str
    function: str = ""
    organisation: str = ""
    email: CheckedEmail
    list_ids: list[int] = field(default_factory=list)


def save_contact(owner, data: ContactData, contact: Contact | None = None) -> Contact:
    clash = db.session.scalar(
        select(Contact).where(Contact.owner_id == owner.id, Contact.email_key == data.email.key)
    )
    if clash is not None and clash is not contact:
        raise InvitationError(
            _l(
                "Cette adresse est déjà celle de %(name)s dans vos contacts : modifiez ce "
                "contact-là.",
                name=clash.display_name,
            ),
            field="email",
        )
    contact = contact or Contact(owner_id=owner.id)
    contact.civility = data.civility
    contact.first_name = data.first_name
    contact.last_name = data.last_name
    contact.function = data.function
    contact.organisation = data.organisation
    contact.email = data.email.normalised
    contact.email_key = data.email.key
    contact.lists = owned_lists(owner, data.list_ids)
    db.session.add(contact)
    db.session.flush()
    audit.record("contact.saved", actor=owner, details={"contact": contact.id})
    return contact


def invitation_count(contact: Contact) -> int:
    return db.session.scalar(
        select(func.count(Invitation.id)).where(Invitation.contact_id == contact.id)
    )


def delete_contact(contact: Contact, *, actor=None, actor_label: str | None = None) -> None:
    """Their invitations go with them (a registration they made stays)."""
    details = {"contact": contact.id, "invitations": invitation_count(contact)}
    db.session.delete(contact)
    db.session.flush()
    audit.record("contact.deleted", actor=actor, actor_label=actor_label, details=details)


# Importing contacts into a list.


@dataclass
class ImportPreview:
    parsed: contacts_csv.ParsedContacts
    new: list[contacts_csv.ContactRow]
    known: list[contacts_csv.ContactRow]  # already in the address book: added to the list

    @property
    def can_import(self) -> bool:
        return not self.parsed.problems and bool(self.new or self.known)


def preview_import(owner, data: bytes, **options) -> ImportPreview:
    """``options``: ``encoding``, ``delimiter``, ``mapping`` (see ``contacts_csv.parse``)."""
    parsed = contacts_csv.parse(data, **options)
    keys = set(db.session.scalars(select(Contact.email_key).where(Contact.owner_id == owner.id)))
    new = [row for row in parsed.accepted if row.email.key not in keys]
    known = [row for row in parsed.accepted if row.email.key in keys]
    return ImportPreview(parsed, new, known)


def commit_import(
    owner,
    preview: ImportPreview,
    list_name: str,
    *,
    actor=None,
    actor_label: str | None = None,
) -> ContactList:
    """Create the new contacts and put every accepted row's contact in the list."""
    if not preview.can_import:
        raise InvitationError(_l("Rien à importer : corrigez d'abord les problèmes signalés."))
    contact_list = list_named(owner, list_name, actor=actor, actor_label=actor_label)
    created = added = 0
    by_key = {
        c.email_key: c
        for c in db.session.scalars(select(Contact).where(Contact.owner_id == owner.id))
    }
    members = list(contact_list.contacts)
    for row in preview.parsed.accepted:
        contact = by_key.get(row.email.key)
        if contact is None:
            contact = Contact(
                owner_id=owner.id,
                civility=row.civility,
                first_name=row.first_name,
                last_name=row.last_name,
                function=row.function,
                organisation=row.organisation,
                email=row.email.normalised,
                email_key=row.email.key,
            )
            db.session.add(contact)
            by_key[row.email.key] = contact
            created += 1
        if contact not in members:
            members.append(contact)
            added += 1
    contact_list.contacts = members
    db.session.flush()
    audit.record(
        "contacts.imported",
        actor=actor,
        actor_label=actor_label,
        details={
            "list": contact_list.id,
            "name": contact_list.name,
            "owner": owner.id,
            "rows": len(preview.parsed.accepted),
            "created": created,
            "added_to_list": added,
        },
    )
    return contact_list
