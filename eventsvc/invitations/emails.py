"""The invitation and its reminders: text and HTML in French, the event's attachments, and the
meeting as an iTIP REQUEST asking for an answer (the member as ATTENDEE, PARTSTAT=NEEDS-ACTION,
RSVP=TRUE; ORGANIZER the mailbox that :mod:`mailbox` reads), so that Accepter / Refuser in the
member's calendar answers the reply slip (:mod:`calendar_replies`). One VEVENT per invitation,
from the first part's start to the last one's end, its UID stable (the reminders update it).

They open as French letters to an elected office do (:mod:`greetings`: « Monsieur le Maire, »,
« Madame, Monsieur, »), in the language they are written in (French: contacts have no language).

Reply buttons are plain links to the personal reply page (fragments pick the section); no
tracking pixel, no tracked link: we do not know who opened an email.

Structure::

    multipart/mixed
      multipart/alternative
        text/plain
        text/html
        text/calendar; method=REQUEST (what calendars answer)
      application/pdf ...             (the organiser's attachments)
      text/calendar; method=REQUEST   (invitation.ics, the same calendar as a file)
"""

from __future__ import annotations

from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from .. import calendars
from ..database import utcnow
from ..extensions import db
from ..links import external_url
from ..mail import outbox
from ..mail.compose import address, finish, new_message
from .greetings import salutation
from .itip_replies import invitation_uid, organiser_address
from .models import Contact, Invitation

LOCALE = "fr"


def send_invitation(invitation, token: str, *, reminder: bool) -> bool:
    message = composed(invitation, token, reminder=reminder)
    kind = f"reminder:{invitation.public_id}:{invitation.reminders}" if reminder else "invitation"
    key = kind if reminder else f"invitation:{invitation.public_id}"
    return outbox.enqueue(key, message, calendar_method="REQUEST")


def to_contact(invitation, subject, template: str, context: dict) -> EmailMessage:
    """An email to the invited contact, in the invitations' language: ``subject`` (a lazy
    string, read in that language) and ``email/<template>.txt`` and ``.html``."""
    contact = invitation.contact
    with force_locale(LOCALE):
        subject = str(subject)
        text = render_template(f"email/{template}.txt", **context)
        html = render_template(f"email/{template}.html", **context)
    return new_message(
        subject=subject,
        to=address(contact.formal_name, contact.email),
        event=invitation.event,
        text=text,
        html=html,
    )


def composed(invitation, token: str, *, reminder: bool) -> EmailMessage:
    """The invitation (or its reminder) as it is queued; also what the organiser's preview
    shows, for a sample contact."""
    from .models import EventAttachment

    event = invitation.event
    contact = invitation.contact
    reply_url = external_url("invitations.reply", token=token)
    context = {
        "event": event,
        "contact": contact,
        "greeting": salutation(contact.civility, contact.function, LOCALE),
        "invitation": invitation,
        "reminder": reminder,
        "reply_url": reply_url,
        "unsubscribe_url": external_url("invitations.unsubscribe", token=token),
        "organiser_text": event.invitation_text,
    }
    subject = (
        _l("Relance — invitation : %(title)s", title=event.title)
        if reminder
        else _l("Invitation : %(title)s", title=event.title)
    )
    message = to_contact(invitation, subject, "invitation", context)
    message["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
    calendar = meeting_request(invitation, reply_url)
    if calendar is not None:
        message.add_alternative(
            calendar,
            maintype="text",
            subtype="calendar",
            params={"method": "REQUEST", "charset": "UTF-8"},
        )
    attachments = db.session.scalars(
        select(EventAttachment)
        .where(EventAttachment.event_id == event.id)
        .order_by(EventAttachment.id)
    )
    for attachment in attachments:
        maintype, _slash, subtype = attachment.content_type.partition("/")
        message.add_attachment(
            attachment.content,
            maintype=maintype or "application",
            subtype=subtype or "octet-stream",
            filename=attachment.filename,
        )
    if calendar is not None:
        message.add_attachment(
            calendar,
            maintype="text",
            subtype="calendar",
            params={"method": "REQUEST", "charset": "UTF-8"},
            filename="invitation.ics",
        )
    return finish(message, LOCALE)


def organiser_of(event) -> calendars.Person:
    """The ORGANIZER of the meeting requests: where calendars send their replies."""
    return calendars.Person(
        event.organiser_name or current_app.config["ORGANISATION_NAME"],
        organiser_address(current_app.config),
    )


def calendar_entry_of(registration, **_) -> list[calendars.Entry]:
    """Receiver of ``signals.registration_calendar_entry``: an invitee's own registration updates
    the invitation's entry in their calendar (one entry, whether they answered from the calendar
    or the reply slip) instead of adding a second one. A representative never got the request."""
    invitation = db.session.scalar(
        select(Invitation)
        .join(Contact, Contact.id == Invitation.contact_id)
        .where(
            Invitation.registration_id == registration.id,
            Contact.email_key == registration.email_key,
        )
    )
    # Signed up before being invited: their calendar holds the registration's own entries.
    if invitation is None or registration.queued_at < invitation.invited_at:
        return []
    return [calendars.Entry(invitation_uid(invitation.public_id), organiser_of(invitation.event))]


def meeting_request(invitation, reply_url: str) -> bytes | None:
    """The invitation as METHOD:REQUEST: the whole event as one entry, the member asked to
    answer; the event's calendar sequence, so that a change of the event updates it."""
    event = invitation.event
    contact = invitation.contact
    parts = sorted(event.parts, key=lambda part: part.local_start)
    if not parts:
        return None
    location = ", ".join(
        x for x in (event.venue_name, event.venue_address, event.venue_commune) if x
    )
    occurrence = calendars.Occurrence(
        uid=invitation_uid(invitation.public_id),
        start=parts[0].local_start,
        end=max(part.local_end for part in parts),
        summary=event.title,
        location=location,
        description=reply_url,
        url=reply_url,
    )
    organiser = organiser_of(event)
    return calendars.invite(
        occurrence,
        organizer=organiser,
        attendee=calendars.Person(contact.formal_name, contact.email),
        sequence=event.calendar_sequence,
        zone=event.timezone,
        stamp=utcnow(),
    )
