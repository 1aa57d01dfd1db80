"""The invitation and its reminders: text and HTML in French, the event's attachments, and the
programme as a calendar with METHOD:PUBLISH (not a REQUEST: the person has not said yes yet).

They open as French letters to an elected office do (:mod:`greetings`: « Monsieur le Maire, »,
« Madame, Monsieur, »), in the language they are written in (French: contacts have no language).

Reply buttons are plain links to the personal reply page (fragments pick the section); no
tracking pixel, no tracked link: we do not know who opened an email.

Structure::

    multipart/mixed
      multipart/alternative
        text/plain
        text/html
      application/pdf ...             (the organiser's attachments)
      text/calendar; method=PUBLISH   (invitation.ics)
"""

from __future__ import annotations

from email.message import EmailMessage

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from ..links import external_url
from ..mail import outbox
from ..mail.compose import address, finish, new_message
from ..registrations.calendar_files import event_calendar
from .greetings import salutation

LOCALE = "fr"


def send_invitation(invitation, token: str, *, reminder: bool) -> bool:
    message = composed(invitation, token, reminder=reminder)
    kind = f"reminder:{invitation.public_id}:{invitation.reminders}" if reminder else "invitation"
    key = kind if reminder else f"invitation:{invitation.public_id}"
    return outbox.enqueue(key, message, calendar_method="PUBLISH")


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
    with force_locale(LOCALE):
        subject = (
            _("Relance — invitation : %(title)s", title=event.title)
            if reminder
            else _("Invitation : %(title)s", title=event.title)
        )
        text = render_template("email/invitation.txt", **context)
        html = render_template("email/invitation.html", **context)
    message = new_message(
        subject=subject,
        to=address(contact.formal_name, contact.email),
        event=event,
        text=text,
        html=html,
    )
    message["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
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
    message.add_attachment(
        event_calendar(event),
        maintype="text",
        subtype="calendar",
        params={"method": "PUBLISH", "charset": "UTF-8"},
        filename="invitation.ics",
    )
    return finish(message, LOCALE)
