"""Inviting and reminding: the invitations of an event, each with its personal email queued in the
outbox, the reminders (by the organiser, a command or the automatic one before registration
closes), the event's invitation settings and the attachments that go with every invitation.

Operations take the actor (``actor=`` the organiser, or ``actor_label=`` for a command), flush,
record their audit line (``invitations.sent``, ``invitations.reminded``,
``invitations.settings_changed``, ``invitations.attachment_added`` / ``_removed``) and let the
caller commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import service as audit
from ..common import tokens
from ..database import begin_write, utcnow
from ..events.models import Event, EventStatus
from ..extensions import db
from ..mail import bulk
from ..registrations.models import Registration, RegistrationStatus
from . import emails
from .errors import InvitationError
from .models import Contact, EventAttachment, Invitation, Reply
from .queries import attachments_of, invitation_token, to_remind
from .replies import record_reply


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
            record_reply(invitation, Reply.YES, existing)
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


def update_settings(
    event: Event,
    *,
    invitation_only: bool,
    reminder_days_before: int | None,
    actor=None,
    actor_label: str | None = None,
) -> None:
    before = {
        "invitation_only": event.invitation_only,
        "reminder_days_before": event.reminder_days_before,
    }
    if reminder_days_before != event.reminder_days_before:
        event.auto_reminder_sent_at = None
    event.invitation_only = invitation_only
    event.reminder_days_before = reminder_days_before
    db.session.flush()
    diff = audit.changes(
        before,
        {"invitation_only": invitation_only, "reminder_days_before": reminder_days_before},
    )
    if diff:
        audit.record(
            "invitations.settings_changed",
            actor=actor,
            actor_label=actor_label,
            event=event,
            details={"changes": diff},
        )


# Attachments.


def add_attachment(
    event: Event,
    filename: str,
    content_type: str,
    data: bytes,
    *,
    actor=None,
    actor_label: str | None = None,
) -> EventAttachment:
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
    audit.record(
        "invitations.attachment_added",
        actor=actor,
        actor_label=actor_label,
        event=event,
        details=_attachment_details(attachment),
    )
    return attachment


def remove_attachment(
    attachment: EventAttachment, *, actor=None, actor_label: str | None = None
) -> None:
    """The page finds it among the event's first (``lookups.attachment_or_404``)."""
    details = _attachment_details(attachment)
    event = db.session.get(Event, attachment.event_id)
    db.session.delete(attachment)
    db.session.flush()
    audit.record(
        "invitations.attachment_removed",
        actor=actor,
        actor_label=actor_label,
        event=event,
        details=details,
    )


def _attachment_details(attachment: EventAttachment) -> dict:
    return {"attachment": attachment.id, "filename": attachment.filename, "size": attachment.size}
