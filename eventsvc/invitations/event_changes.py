"""When a meeting moves or is cancelled, the members invited who have no registration of their
own still hold the invitation's entry in their calendar (the meeting request): it is updated
(REQUEST, the event's raised SEQUENCE) or cancelled (CANCEL), with an email saying so.

Registered invitees get theirs from the registrations' own announcement, whose invites carry the
invitation's UID (``emails.calendar_entry_of``): nobody gets two messages for one change."""

from __future__ import annotations

from email.message import EmailMessage

from flask_babel import lazy_gettext as _l

from .. import calendars
from ..database import utcnow
from ..links import external_url
from ..mail import bulk, outbox
from ..mail.compose import finish
from . import emails
from .greetings import salutation
from .itip_replies import invitation_uid
from .models import Invitation
from .queries import invitation_token, invitations_of

CHANGED, CANCELLED = "changed", "cancelled"


def _holding_the_request(event) -> list[Invitation]:
    """Invitations whose entry no registration updates: no registration of the invitee's own
    (a representative's does not count), contact still willing to hear from us."""
    return [
        invitation
        for invitation in invitations_of(event)
        if invitation.contact.opted_out_at is None
        and (
            invitation.registration is None or not emails.calendar_entry_of(invitation.registration)
        )
    ]


def _calendar(invitation: Invitation, what: str, reply_url: str) -> bytes | None:
    if what == CHANGED:
        return emails.meeting_request(invitation, reply_url)
    event = invitation.event
    parts = sorted(event.parts, key=lambda part: part.local_start)
    if not parts:
        return None
    occurrence = calendars.Occurrence(
        uid=invitation_uid(invitation.public_id),
        start=parts[0].local_start,
        end=max(part.local_end for part in parts),
        summary=event.title,
    )
    return calendars.cancel(
        [occurrence],
        organizer=emails.organiser_of(event),
        attendee=calendars.Person(invitation.contact.formal_name, invitation.contact.email),
        sequence=event.calendar_sequence,
        zone=event.timezone,
        stamp=utcnow(),
    )


def composed(invitation: Invitation, what: str) -> EmailMessage:
    event = invitation.event
    contact = invitation.contact
    token = invitation_token(invitation)
    reply_url = external_url("invitations.reply", token=token)
    context = {
        "event": event,
        "greeting": salutation(contact.civility, contact.function, emails.LOCALE),
        "what": what,
        "reply_url": reply_url,
        "unsubscribe_url": external_url("invitations.unsubscribe", token=token),
    }
    subject = (
        _l("Invitation modifiée : %(title)s", title=event.title)
        if what == CHANGED
        else _l("Réunion annulée : %(title)s", title=event.title)
    )
    message = emails.to_contact(invitation, subject, "invitation_update", context)
    message["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
    calendar = _calendar(invitation, what, reply_url)
    if calendar is not None:
        method = "REQUEST" if what == CHANGED else "CANCEL"
        message.add_alternative(
            calendar,
            maintype="text",
            subtype="calendar",
            params={"method": method, "charset": "UTF-8"},
        )
    return finish(message, emails.LOCALE)


def _announce(event, what: str) -> list[bulk.Unsent]:
    def send(invitation: Invitation) -> None:
        key = f"invitation_{what}:{invitation.public_id}:{event.calendar_sequence}"
        method = "REQUEST" if what == CHANGED else "CANCEL"
        outbox.enqueue(key, composed(invitation, what), calendar_method=method)

    return bulk.send_each(
        _holding_the_request(event),
        send,
        recipient=lambda i: bulk.Recipient(i.contact.formal_name, i.contact.email),
        event=event,
        message=f"invitation_{what}",
    )


def announce_change(event, **_) -> list[bulk.Unsent]:
    """Receiver of ``signals.event_rescheduled`` (the event's sequence already raised)."""
    return _announce(event, CHANGED)


def announce_cancellation(event, **_) -> list[bulk.Unsent]:
    """Receiver of ``signals.event_cancelled``."""
    return _announce(event, CANCELLED)


def refused_acceptance(invitation: Invitation, reason: str, sequence: int) -> bool:
    """A member accepted in their calendar but the reply slip could not register them (sign-ups
    closed, no room...): their calendar says « accepté », so they are told it did not count."""
    event = invitation.event
    contact = invitation.contact
    token = invitation_token(invitation)
    context = {
        "event": event,
        "greeting": salutation(contact.civility, contact.function, emails.LOCALE),
        "reason": reason,
        "reply_url": external_url("invitations.reply", token=token),
    }
    subject = _l("Votre réponse n'a pas pu être enregistrée : %(title)s", title=event.title)
    message = emails.to_contact(invitation, subject, "calendar_reply_refused", context)
    key = f"calendar_reply_refused:{invitation.public_id}:{sequence}:{utcnow():%Y%m%d%H%M}"
    return outbox.enqueue(key, finish(message, emails.LOCALE))
