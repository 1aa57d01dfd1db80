"""Reads of the invitations domain for pages, commands and operations: finding an invitation by
its link, the invitations of an event and their replies as they stand, who is to be reminded, the
attachments, following the replies, and the presence list of the minutes."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from ..attendance import service as attendance
from ..common import tokens
from ..events.models import Event, EventStatus
from ..extensions import db
from ..registrations.models import Registration, RegistrationStatus
from . import presence
from .models import Contact, EventAttachment, Invitation, Reply


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


def active_registration(invitation: Invitation) -> Registration | None:
    registration = invitation.registration
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return None
    return registration


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


def attachments_of(event: Event) -> list[EventAttachment]:
    return list(
        db.session.scalars(
            select(EventAttachment)
            .where(EventAttachment.event_id == event.id)
            .order_by(EventAttachment.id)
        )
    )


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
        registration = active_registration(invitation)
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
    checked_in = attendance.attendees(event)
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
