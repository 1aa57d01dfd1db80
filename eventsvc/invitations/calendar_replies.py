"""Replies from the calendar: the iTIP REPLY a member's calendar sends when they click Accepter,
Refuser or Peut-être in the invitation (:mod:`emails`), applied to the reply slip.

* ACCEPTED: « je participerai », the whole event (:func:`replies.reply_yes`: registration,
  confirmation with its own REQUEST); already « oui » on the reply slip, their choice of parts
  stays as it is;
* DECLINED: excused (:func:`replies.reply_no`: what the invitation registered is cancelled);
* TENTATIVE: noted in the journal, the reply slip stays « sans réponse » (or as it was).

A reply is applied only when its UID is one of our invitations, its ATTENDEE is the invitee and
its ORGANIZER is our address (:func:`itip_replies.organiser_address`): anything else is left
alone, logged, and written in the event's journal when an invitation is named. A reply is never
applied twice (the same Message-ID, or the same SEQUENCE and DTSTAMP), and one older than the
last reply (its SEQUENCE, then its DTSTAMP; or a DTSTAMP before a reply given on the reply slip)
changes nothing.

Each applied reply records ``invitation.calendar_replied`` (and the reply slip's own
``invitation.replied``); each one set aside ``invitation.calendar_reply_ignored`` with its
reason. Operations flush and let the caller commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..audit import service as audit
from ..common.errors import DomainError
from ..extensions import db
from ..registrations import operations as registrations
from . import event_changes, replies
from .calendar_models import CalendarReply
from .itip_replies import (
    ItipReply,
    invitation_public_id,
    itip_replies,
    organiser_address,
    reply_order,
    same_address,
)
from .models import Invitation, Reply

log = logging.getLogger(__name__)

LOCALE = "fr"  # invitations are French: contacts have no language

# What became of a reply.
APPLIED = "applied"
NOTED = "noted"  # TENTATIVE
DUPLICATE = "duplicate"
STALE = "stale"
UNKNOWN = "unknown"  # not one of our invitations
NOT_INVITEE = "not_invitee"
FORGED = "forged"  # ORGANIZER is not our address
REFUSED = "refused"  # the reply slip refused it (closed, no room, registered elsewhere)
UNSUPPORTED = "unsupported"  # a PARTSTAT other than ACCEPTED, DECLINED, TENTATIVE


@dataclass(frozen=True)
class Outcome:
    reply: ItipReply | None
    result: str
    invitation: Invitation | None = None


def apply_message(message: EmailMessage) -> list[Outcome]:
    """Every calendar reply the message carries, applied or set aside. A message that is not a
    calendar reply gives ``[Outcome(None, UNKNOWN)]`` (logged)."""
    found = itip_replies(message)
    message_id = str(message.get("Message-ID", "")).strip()[:250]
    if not found:
        log.warning(
            "calendar replies: message %s is not an iTIP REPLY, left alone", message_id or "?"
        )
        return [Outcome(None, UNKNOWN)]
    return [apply_reply(reply, message_id=message_id) for reply in found]


def apply_reply(reply: ItipReply, *, message_id: str = "") -> Outcome:
    public_id = invitation_public_id(reply.uid)
    invitation = (
        db.session.scalar(select(Invitation).where(Invitation.public_id == public_id))
        if public_id
        else None
    )
    if invitation is None:
        log.warning(
            "calendar reply for an unknown UID %r from %s, left alone", reply.uid, reply.attendee
        )
        return Outcome(reply, UNKNOWN)
    if not same_address(reply.organizer, organiser_address(current_app.config)):
        return _ignored(invitation, reply, FORGED)
    if not same_address(reply.attendee, invitation.contact.email):
        return _ignored(invitation, reply, NOT_INVITEE)
    if _already_applied(invitation, reply, message_id):
        log.info("calendar reply %s of %s already applied", reply.uid, reply.attendee)
        return Outcome(reply, DUPLICATE, invitation)
    if _stale(invitation, reply):
        return _ignored(invitation, reply, STALE)
    if reply.partstat not in ("ACCEPTED", "DECLINED", "TENTATIVE"):
        return _ignored(invitation, reply, UNSUPPORTED)
    try:
        with db.session.begin_nested():
            _apply(invitation, reply)
    except (DomainError, registrations.RegistrationError) as refusal:
        log.warning("calendar reply %s of %s refused: %s", reply.uid, reply.attendee, refusal)
        if reply.partstat == "ACCEPTED":
            with force_locale(LOCALE):
                reason = _refusal_reason(refusal)
            event_changes.refused_acceptance(invitation, reason, reply.sequence)
        return _ignored(invitation, reply, REFUSED)
    db.session.add(
        CalendarReply(
            invitation_id=invitation.id,
            message_id=message_id,
            sequence=reply.sequence,
            dtstamp=reply.dtstamp,
            partstat=reply.partstat,
        )
    )
    audit.record(
        "invitation.calendar_replied",
        actor_label=audit.PARTICIPANT,
        event=invitation.event,
        registration=invitation.registration,
        details={
            "invitation": invitation.public_id,
            "partstat": reply.partstat,
            "sequence": reply.sequence,
        },
    )
    db.session.flush()
    return Outcome(reply, NOTED if reply.partstat == "TENTATIVE" else APPLIED, invitation)


def _refusal_reason(refusal: Exception) -> str:
    """What the member is told, in the invitation's language (French)."""
    if isinstance(refusal, registrations.NoRoom):
        return _("il n'y a plus de place")
    if isinstance(refusal, registrations.RegistrationClosed):
        return _("les inscriptions sont closes")
    if (
        isinstance(refusal, DomainError)
        and refusal.message
        and not isinstance(refusal, registrations.RegistrationError)
    ):
        return str(refusal.message)
    return _("la réponse n'a pas pu être prise en compte")


def _apply(invitation: Invitation, reply: ItipReply) -> None:
    if reply.partstat == "ACCEPTED":
        if invitation.reply != Reply.YES:
            replies.reply_yes(invitation, registrations.ChangeCommand(full_day=True), locale=LOCALE)
    elif reply.partstat == "DECLINED" and invitation.reply != Reply.NO:
        replies.reply_no(invitation, "")


def _already_applied(invitation: Invitation, reply: ItipReply, message_id: str) -> bool:
    known = db.session.scalars(
        select(CalendarReply).where(CalendarReply.invitation_id == invitation.id)
    ).all()
    return any(
        (message_id and row.message_id == message_id)
        or (row.sequence == reply.sequence and row.dtstamp == reply.dtstamp)
        for row in known
    )


def _stale(invitation: Invitation, reply: ItipReply) -> bool:
    """Older than the last calendar reply applied (SEQUENCE, then DTSTAMP), or stamped before
    the reply given on the reply slip since."""
    known = db.session.scalars(
        select(CalendarReply).where(CalendarReply.invitation_id == invitation.id)
    ).all()
    newest = max((reply_order(row.sequence, row.dtstamp) for row in known), default=None)
    if newest is not None and reply.order < newest:
        return True
    return (
        invitation.replied_at is not None
        and reply.dtstamp is not None
        # DTSTAMP has whole seconds: a click in the same second as the slip's reply is not older.
        and reply.dtstamp < invitation.replied_at.replace(microsecond=0)
        and not any(row.applied_at >= invitation.replied_at for row in known)
    )


def _ignored(invitation: Invitation, reply: ItipReply, reason: str) -> Outcome:
    log.warning(
        "calendar reply %s (%s) of %s left alone: %s",
        reply.uid,
        reply.partstat,
        reply.attendee,
        reason,
    )
    audit.record(
        "invitation.calendar_reply_ignored",
        actor_label=audit.PARTICIPANT,
        event=invitation.event,
        details={
            "invitation": invitation.public_id,
            "attendee": reply.attendee[:320],
            "partstat": reply.partstat[:20],
            "reason": reason,
        },
    )
    db.session.flush()
    return Outcome(reply, reason, invitation)
