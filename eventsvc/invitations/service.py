"""Contacts, lists, invitations, replies, reminders and the presence list.

Operations flush and let the caller (request or command) commit. A « yes » is a registration made
by :func:`registrations.service.register` like any other (capacity, waiting list, confirmation
with its REQUEST, personal link); a change from yes to no cancels it, logged as the invitation
reply's doing. A reply only ever changes registrations that this invitation created.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import abort, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..audit import service as audit
from ..common import tokens
from ..common.errors import DomainError
from ..common.validation import CheckedEmail
from ..database import begin_write, utcnow
from ..events.models import Event, EventStatus
from ..extensions import db
from ..mail import bulk
from ..registrations import manage
from ..registrations import service as registrations
from ..registrations.models import Registration, RegistrationStatus
from . import contacts_csv, emails, presence
from .models import (
    Contact,
    ContactList,
    CreatedRegistration,
    EventAttachment,
    Invitation,
    Reply,
)


class InvitationError(DomainError):
    """A refusal with a message for the organiser or the invitee."""


# Contacts and lists: always looked up within the organiser's own address book.


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


def contact_or_404(owner, contact_id: int) -> Contact:
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.owner_id != owner.id:
        abort(404)
    return contact


def list_or_404(owner, list_id: int) -> ContactList:
    contact_list = db.session.get(ContactList, list_id)
    if contact_list is None or contact_list.owner_id != owner.id:
        abort(404)
    return contact_list


def find_list(owner, name: str) -> ContactList | None:
    return db.session.scalar(
        select(ContactList).where(ContactList.owner_id == owner.id, ContactList.name == name)
    )


def list_named(owner, name: str) -> ContactList:
    """The organiser's list of this name, created if new."""
    existing = find_list(owner, name)
    if existing is not None:
        return existing
    created = ContactList(owner_id=owner.id, name=name)
    db.session.add(created)
    db.session.flush()
    return created


def delete_list(contact_list: ContactList) -> None:
    """The list goes; its contacts stay in the address book."""
    db.session.delete(contact_list)
    db.session.flush()


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
            )
        )
    contact = contact or Contact(owner_id=owner.id)
    contact.civility = data.civility
    contact.first_name = data.first_name
    contact.last_name = data.last_name
    contact.function = data.function
    contact.organisation = data.organisation
    contact.email = data.email.normalised
    contact.email_key = data.email.key
    contact.lists = [list_or_404(owner, list_id) for list_id in data.list_ids]
    db.session.add(contact)
    db.session.flush()
    audit.record("contact.saved", actor=owner, details={"contact": contact.id})
    return contact


def invitation_count(contact: Contact) -> int:
    return db.session.scalar(
        select(func.count(Invitation.id)).where(Invitation.contact_id == contact.id)
    )


def delete_contact(contact: Contact) -> None:
    """Their invitations go with them (a registration they made stays)."""
    db.session.delete(contact)
    db.session.flush()


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


def commit_import(owner, preview: ImportPreview, list_name: str) -> ContactList:
    """Create the new contacts and put every accepted row's contact in the list."""
    if not preview.can_import:
        raise InvitationError(_l("Rien à importer : corrigez d'abord les problèmes signalés."))
    contact_list = list_named(owner, list_name)
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
        if contact not in members:
            members.append(contact)
    contact_list.contacts = members
    db.session.flush()
    return contact_list


# Invitations.


def invitation_token(invitation: Invitation) -> str:
    """HMAC of the invitation's random public id (256 bits); only its SHA-256 is stored."""
    key = current_app.config["SECRET_KEY"].encode()
    mac = hmac.new(key, b"invitation:" + invitation.public_id.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")


def find_by_token(token: str) -> Invitation | None:
    if not tokens.looks_like_token(token):
        return None
    invitation = db.session.scalar(
        select(Invitation).where(Invitation.token_digest == tokens.token_digest(token))
    )
    if invitation is None or not tokens.same_token(invitation_token(invitation), token):
        return None
    return invitation


def invitations_of(event: Event) -> list[Invitation]:
    return sorted(
        db.session.scalars(select(Invitation).where(Invitation.event_id == event.id)),
        key=lambda i: (i.contact.last_name.casefold(), i.contact.first_name.casefold()),
    )


@dataclass
class InvitePlan:
    to_invite: list[Contact]
    already_invited: list[Contact]
    opted_out: list[Contact]


def plan_invitations(event: Event, contacts: list[Contact]) -> InvitePlan:
    invited = set(
        db.session.scalars(select(Invitation.contact_id).where(Invitation.event_id == event.id))
    )
    plan = InvitePlan([], [], [])
    seen = set()
    for contact in contacts:
        if contact.id in seen:
            continue
        seen.add(contact.id)
        if contact.opted_out_at is not None:
            plan.opted_out.append(contact)
        elif contact.id in invited:
            plan.already_invited.append(contact)
        else:
            plan.to_invite.append(contact)
    return plan


def contacts_for_event(event: Event, *, list_ids=(), contact_ids=(), owner) -> list[Contact]:
    """The chosen lists' members and chosen contacts, from the organiser's own address book."""
    chosen: list[Contact] = []
    for list_id in list_ids:
        chosen += list_or_404(owner, list_id).contacts
    for contact_id in contact_ids:
        chosen.append(contact_or_404(owner, contact_id))
    return chosen


def send_invitations(
    event: Event, plan: InvitePlan, *, actor=None, actor_label: str | None = None
) -> list[Invitation]:
    """Invite everyone the plan says, each with their personal email (queued in the outbox)."""
    if event.status in (EventStatus.DRAFT, EventStatus.CANCELLED):
        raise InvitationError(
            _l("Ouvrez d'abord les inscriptions de l'événement : on n'invite pas à un brouillon.")
        )
    created = []

    def invite(contact: Contact) -> None:
        invitation = Invitation(
            event=event,
            contact=contact,
            public_id=tokens.new_public_id(),
            invited_by_id=getattr(actor, "id", None),
        )
        invitation.token_digest = tokens.token_digest(invitation_token(invitation))
        db.session.add(invitation)
        db.session.flush()
        existing = db.session.scalar(
            select(Registration).where(
                Registration.event_id == event.id,
                Registration.email_key == contact.email_key,
                Registration.status != RegistrationStatus.CANCELLED,
            )
        )
        if existing is not None:  # signed up before being invited: that is a yes
            _record(invitation, Reply.YES, existing)
        emails.send_invitation(invitation, invitation_token(invitation), reminder=False)
        created.append(invitation)

    # A contact who cannot be written to is not invited at all (savepoint): inviting them again
    # once their address is corrected does it.
    bulk.send_each(
        plan.to_invite, invite, recipient=_contact_recipient, event=event, message="invitation"
    )
    audit.record(
        "invitations.sent",
        actor=actor,
        actor_label=actor_label,
        event=event,
        details={"invited": len(created), "emails": [i.contact.email for i in created]},
    )
    return created


def _contact_recipient(contact: Contact) -> bulk.Recipient:
    return bulk.Recipient(contact.formal_name, contact.email)


def to_remind(event: Event) -> list[Invitation]:
    """Every invitee without a reply (and not opted out), and only them; nobody once the event
    is cancelled."""
    if event.status == EventStatus.CANCELLED:
        return []
    return [
        i
        for i in invitations_of(event)
        if effective_reply(i) == Reply.NONE and i.contact.opted_out_at is None
    ]


def remind(
    event: Event, invitations: list[Invitation], *, actor=None, actor_label: str | None = None
) -> int:
    def send(invitation: Invitation) -> None:
        invitation.reminders += 1
        invitation.last_reminded_at = utcnow()
        db.session.flush()
        emails.send_invitation(invitation, invitation_token(invitation), reminder=True)

    unsent = bulk.send_each(
        invitations,
        send,
        recipient=lambda invitation: _contact_recipient(invitation.contact),
        event=event,
        message="reminder",
    )
    reminded = len(invitations) - len(unsent)
    if reminded:
        audit.record(
            "invitations.reminded",
            actor=actor,
            actor_label=actor_label,
            event=event,
            details={"reminded": reminded},
        )
    return reminded


def due_for_reminder(now: datetime | None = None) -> list[Event]:
    """Open events whose automatic reminder is due (N days before registration closes)."""
    now = now or utcnow()
    events = db.session.scalars(
        select(Event)
        .where(
            Event.reminder_days_before.is_not(None),
            Event.auto_reminder_sent_at.is_(None),
            Event.registration_closes_at.is_not(None),
            Event.status == EventStatus.OPEN,
        )
        # Two workers checking at once: the second waits, then finds it sent (PostgreSQL).
        .with_for_update()
    )
    return [
        event
        for event in events
        if event.registration_closes_at - timedelta(days=event.reminder_days_before)
        <= now
        < event.registration_closes_at
    ]


def remind_due(now: datetime | None = None) -> dict[str, int]:
    """Send the automatic reminders due; each event's only once. Returns slug -> reminders."""
    sent = {}
    for event in due_for_reminder(now):
        sent[event.slug] = remind(event, to_remind(event), actor_label=audit.COMMAND_LINE)
        event.auto_reminder_sent_at = now or utcnow()
    db.session.flush()
    return sent


def reminders_due() -> dict[str, int]:
    """The automatic reminders that are due, in their own transaction: a periodic job of the
    delivery loop (``mail.worker``) and ``flask invitations remind-due``."""
    begin_write(db.session)
    sent = remind_due()
    db.session.commit()
    return sent


def update_settings(event: Event, *, invitation_only: bool, reminder_days_before: int | None):
    if reminder_days_before != event.reminder_days_before:
        event.auto_reminder_sent_at = None
    event.invitation_only = invitation_only
    event.reminder_days_before = reminder_days_before
    db.session.flush()


# Replies.
#
# A reply changes or cancels only the registrations that this invitation's replies created
# (recorded as ``CreatedRegistration``): never one made another way, so that naming someone
# already registered as one's representative cannot touch their registration.


class RegisteredElsewhere(InvitationError):
    """The invitee is registered another way (public form, organiser, import, another
    organiser's invitation): the reply does not change that registration; the person does it
    from the personal link they received when registering."""

    def __init__(self):
        super().__init__(
            _l(
                "Vous êtes déjà inscrit·e à cet événement par ailleurs : pour ne plus venir, "
                "annulez cette inscription avec le lien personnel reçu par courriel, puis "
                "répondez ici."
            )
        )


@dataclass(frozen=True)
class ReplyResult:
    registration: Registration | None
    # The person (the invitee, or the representative named) was already registered another way:
    # the reply changed nothing of that registration.
    already_registered: bool = False


def effective_reply(invitation: Invitation) -> str:
    """The reply as it stands: a yes whose registration was cancelled (from the personal page,
    or by the organiser) now counts as a no."""
    registration = invitation.registration
    if (
        invitation.reply in (Reply.YES, Reply.REPRESENTED)
        and registration is not None
        and registration.status == RegistrationStatus.CANCELLED
    ):
        return Reply.NO
    return invitation.reply


def _command(invitation: Invitation, change: registrations.ChangeCommand):
    contact = invitation.contact
    return registrations.SignupCommand(
        first_name=contact.first_name,
        last_name=contact.last_name,
        organisation=contact.organisation,
        email_typed=contact.email,
        email=contact.email,
        email_key=contact.email_key,
        **vars(change),
    )


def _active_registration(invitation: Invitation) -> Registration | None:
    registration = invitation.registration
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return None
    return registration


def created_by(invitation: Invitation, registration: Registration | None) -> bool:
    """Whether one of this invitation's replies created the registration."""
    if registration is None or registration.id is None:
        return False
    mark = db.session.get(CreatedRegistration, registration.id)
    return mark is not None and mark.invitation_id == invitation.id


def _mark_created(invitation: Invitation, registration: Registration) -> None:
    mark = db.session.get(CreatedRegistration, registration.id)
    if mark is None:
        db.session.add(
            CreatedRegistration(registration_id=registration.id, invitation_id=invitation.id)
        )
    else:
        mark.invitation_id = invitation.id
    db.session.flush()


def _ours(invitation: Invitation) -> Registration | None:
    """The invitation's active registration, if one of its replies created it."""
    registration = _active_registration(invitation)
    return registration if created_by(invitation, registration) else None


def _own_registration(invitation: Invitation) -> Registration | None:
    """The invitee's own registration made by this invitation (what « je participerai »
    changes)."""
    registration = _ours(invitation)
    if registration is not None and registration.email_key == invitation.contact.email_key:
        return registration
    return None


def registered_elsewhere(invitation: Invitation) -> Registration | None:
    """The invitee's active registration made another way than this invitation's replies."""
    registration = db.session.scalar(
        select(Registration).where(
            Registration.event_id == invitation.event_id,
            Registration.email_key == invitation.contact.email_key,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )
    if registration is None or created_by(invitation, registration):
        return None
    return registration


def _cancel(invitation: Invitation, registration: Registration, reply: str) -> None:
    """Cancel a registration this invitation created, logged with the reply that caused it
    (and the people it promoted from the waiting list, as any cancellation)."""
    manage.cancel_by_participant(
        registration,
        because={
            "because": "invitation.replied",
            "invitation": invitation.public_id,
            "reply": reply,
        },
    )


def reply_yes(
    invitation: Invitation, change: registrations.ChangeCommand, *, locale: str
) -> ReplyResult:
    """« Je participerai »: register (or change the parts of) the invitee's own registration;
    a representative this invitation registered no longer comes.

    An invitee already registered another way gets their yes recorded and that registration
    left as it is. Raises the registration service's errors (closed, no room) for the view.
    """
    own = _own_registration(invitation)
    if own is not None:
        manage.change_by_participant(own, change)
        _record(invitation, Reply.YES, own)
        return ReplyResult(own)
    ours = _ours(invitation)
    if ours is not None:  # a representative was sent: they no longer come
        _cancel(invitation, ours, Reply.YES)
    elsewhere = registered_elsewhere(invitation)
    if elsewhere is None:
        try:
            registration = registrations.register(
                invitation.event, _command(invitation, change), locale=locale
            ).registration
        except registrations.AlreadyRegistered as already:  # registered meanwhile
            elsewhere = already.registration
        else:
            _mark_created(invitation, registration)
            _record(invitation, Reply.YES, registration)
            return ReplyResult(registration)
    _record(invitation, Reply.YES, elsewhere)
    return ReplyResult(elsewhere, already_registered=True)


def reply_no(invitation: Invitation, message: str) -> None:
    """« Je ne pourrai pas participer »: excused; a registration this invitation created (the
    invitee's, or their representative's) is cancelled. Raises :class:`RegisteredElsewhere`."""
    if registered_elsewhere(invitation) is not None:
        raise RegisteredElsewhere()
    ours = _ours(invitation)
    if ours is not None:
        _cancel(invitation, ours, Reply.NO)
    # Keep the link only to what this invitation created (now cancelled), for the history.
    linked = invitation.registration if created_by(invitation, invitation.registration) else None
    _record(invitation, Reply.NO, linked)
    invitation.message = message


@dataclass(frozen=True)
class Representative:
    first_name: str
    last_name: str
    function: str
    email: CheckedEmail

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def reply_represented(
    invitation: Invitation, representative: Representative, *, locale: str
) -> ReplyResult:
    """« Je me ferai représenter par… »: the representative is registered in their own name
    (the whole event; they may change it from their personal link) and gets the confirmation
    and the invite; a registration this invitation made earlier (the invitee's, another
    representative's) is cancelled.

    A representative already registered another way keeps their registration untouched and
    unlinked: the reply records the name given, nothing of theirs changes.
    """
    if representative.email.key == invitation.contact.email_key:
        raise InvitationError(
            _l("Indiquez l'adresse de la personne qui vous représente, pas la vôtre.")
        )
    if registered_elsewhere(invitation) is not None:
        raise RegisteredElsewhere()
    ours = _ours(invitation)
    already_registered = False
    if ours is not None and ours.email_key == representative.email.key:
        registration = ours
    else:
        if ours is not None:
            _cancel(invitation, ours, Reply.REPRESENTED)
        command = registrations.SignupCommand(
            first_name=representative.first_name,
            last_name=representative.last_name,
            organisation=invitation.contact.organisation,
            email_typed=representative.email.typed,
            email=representative.email.normalised,
            email_key=representative.email.key,
            full_day=True,
        )
        try:
            registration = registrations.register(
                invitation.event, command, locale=locale
            ).registration
        except registrations.AlreadyRegistered as already:
            if created_by(invitation, already.registration):
                registration = already.registration
            else:
                registration, already_registered = None, True
        else:
            _mark_created(invitation, registration)
    _record(invitation, Reply.REPRESENTED, registration)
    invitation.representative_name = representative.name
    invitation.representative_function = representative.function
    invitation.representative_email = representative.email.normalised
    db.session.flush()
    return ReplyResult(registration, already_registered=already_registered)


def _record(invitation: Invitation, reply: str, registration: Registration | None) -> None:
    unchanged = invitation.reply == reply and invitation.registration is registration
    if not unchanged:
        audit.record(
            "invitation.replied",
            actor_label=audit.PARTICIPANT,
            event=invitation.event,
            registration=registration,
            details={
                "invitation": invitation.public_id,
                "reply": reply,
                "before": invitation.reply,
            },
        )
    invitation.reply = reply
    invitation.replied_at = utcnow()
    invitation.registration = registration
    if reply != Reply.NO:
        invitation.message = ""
    if reply != Reply.REPRESENTED:
        invitation.representative_name = ""
        invitation.representative_function = ""
        invitation.representative_email = ""
    db.session.flush()


def registration_created(registration: Registration, **_) -> None:
    """Receiver of ``signals.registration_created`` (sent by ``registrations.service.register``):
    an invited contact who signs up by any way (the public form, the organiser) counts as having
    replied yes.

    Every (re)registration starts unmarked: one made again by another way after an invitation
    had created it is no longer that invitation's (the reply that creates one marks it after).
    """
    mark = db.session.get(CreatedRegistration, registration.id)
    if mark is not None:
        db.session.delete(mark)
        db.session.flush()
    invitations = db.session.scalars(
        select(Invitation)
        .join(Contact, Contact.id == Invitation.contact_id)
        .where(
            Invitation.event_id == registration.event_id,
            Contact.email_key == registration.email_key,
        )
    ).all()
    for invitation in invitations:
        if invitation.registration_id == registration.id and invitation.reply == Reply.YES:
            continue
        _record(invitation, Reply.YES, registration)


def unsubscribe(invitation: Invitation) -> None:
    contact = invitation.contact
    if contact.opted_out_at is None:
        contact.opted_out_at = utcnow()
        db.session.flush()
        audit.record(
            "contact.unsubscribed", actor_label=audit.PARTICIPANT, details={"contact": contact.id}
        )


# Attachments.


def attachments_of(event: Event) -> list[EventAttachment]:
    return list(
        db.session.scalars(
            select(EventAttachment)
            .where(EventAttachment.event_id == event.id)
            .order_by(EventAttachment.id)
        )
    )


def add_attachment(event: Event, filename: str, content_type: str, data: bytes):
    limit = current_app.config["INVITATION_ATTACHMENT_MAX_BYTES"]
    if not data:
        raise InvitationError(_l("Ce fichier est vide : choisissez le document à joindre."))
    if len(data) > limit:
        raise InvitationError(
            _l(
                "Ce fichier dépasse %(size)d Ko : joignez une version plus légère (PDF compressé).",
                size=limit // 1024,
            )
        )
    if len(attachments_of(event)) >= current_app.config["INVITATION_ATTACHMENTS_MAX"]:
        raise InvitationError(
            _l("Trop de pièces jointes : retirez-en une avant d'en ajouter une autre.")
        )
    attachment = EventAttachment(
        event_id=event.id,
        filename=filename[-255:] or "document",
        content_type=content_type or "application/octet-stream",
        size=len(data),
        content=data,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def remove_attachment(event: Event, attachment_id: int) -> None:
    attachment = db.session.get(EventAttachment, attachment_id)
    if attachment is None or attachment.event_id != event.id:
        abort(404)
    db.session.delete(attachment)
    db.session.flush()


# Following replies.


@dataclass(frozen=True)
class InviteeState:
    invitation: Invitation
    reply: str
    parts: list  # the parts the invitee (or their representative) comes to
    waitlisted: bool


@dataclass(frozen=True)
class OrganisationCount:
    organisation: str
    invited: int
    yes: int
    no: int
    represented: int
    no_reply: int


@dataclass(frozen=True)
class Follow:
    states: list[InviteeState]
    invited: int
    replied: int
    counts: Counter
    by_organisation: list[OrganisationCount]

    @property
    def reply_rate(self) -> int:
        """Percentage of invitees who replied, rounded down."""
        return 100 * self.replied // self.invited if self.invited else 0


def follow(event: Event) -> Follow:
    states = []
    for invitation in invitations_of(event):
        reply = effective_reply(invitation)
        registration = _active_registration(invitation)
        parts = registration.attended_parts if registration is not None else []
        waitlisted = (
            registration is not None and registration.status == RegistrationStatus.WAITLISTED
        )
        states.append(InviteeState(invitation, reply, parts, waitlisted))
    counts = Counter(state.reply for state in states)
    groups: dict[str, list[InviteeState]] = {}
    for state in states:
        name = state.invitation.contact.organisation.strip()
        groups.setdefault(name.casefold(), []).append(state)
    by_organisation = []
    for _key, members in sorted(groups.items()):
        replies = Counter(state.reply for state in members)
        by_organisation.append(
            OrganisationCount(
                members[0].invitation.contact.organisation.strip(),
                len(members),
                replies[Reply.YES],
                replies[Reply.NO],
                replies[Reply.REPRESENTED],
                replies[Reply.NONE],
            )
        )
    return Follow(
        states,
        len(states),
        len(states) - counts[Reply.NONE],
        counts,
        by_organisation,
    )


# The presence list of the minutes.


def presence_list(event: Event) -> presence.PresenceList:
    from ..attendance.service import attendees

    checked_in = attendees(event)
    if checked_in:
        present_registrations = checked_in
    else:
        present_registrations = list(
            db.session.scalars(
                select(Registration).where(
                    Registration.event_id == event.id,
                    Registration.status == RegistrationStatus.CONFIRMED,
                )
            )
        )
    present_ids = {r.id for r in present_registrations}
    invitations = invitations_of(event)
    by_registration = {i.registration_id: i for i in invitations if i.registration_id}

    def person_of(contact: Contact) -> presence.Person:
        return presence.Person(contact.formal_name, contact.function, contact.organisation)

    present = []
    for registration in present_registrations:
        invitation = by_registration.get(registration.id)
        if invitation is None:
            present.append(
                presence.Person(registration.display_name, "", registration.organisation)
            )
        elif invitation.reply == Reply.REPRESENTED:
            present.append(
                presence.Person(
                    registration.display_name,
                    invitation.representative_function,
                    invitation.contact.organisation or registration.organisation,
                )
            )
        else:
            present.append(person_of(invitation.contact))
    present.sort(key=lambda p: p.name.casefold())
    excused, represented = [], []
    for invitation in invitations:
        reply = effective_reply(invitation)
        if reply == Reply.REPRESENTED and invitation.registration_id in present_ids:
            registration = invitation.registration
            represented.append(
                presence.Represented(
                    person_of(invitation.contact),
                    presence.Person(
                        registration.display_name,
                        invitation.representative_function,
                        invitation.contact.organisation,
                    ),
                )
            )
        elif reply in (Reply.NO, Reply.REPRESENTED):
            excused.append(presence.Excused(person_of(invitation.contact), invitation.message))
    return presence.PresenceList(present, excused, represented, bool(checked_in))
