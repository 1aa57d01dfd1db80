"""A message to one participant: the organiser's subject and text, and around it what eventsvc
writes in the person's language (greeting, the event, the personal link).

Structure::

    multipart/alternative
      text/plain   (the organiser's text as plain text: links written out)
      text/html    (the organiser's text as HTML: the Markdown subset, nothing typed as HTML)
"""

from __future__ import annotations

from email.message import EmailMessage

from flask import render_template
from flask_babel import force_locale

from ..events.models import Event
from ..links import external_url, personal_url
from ..mail.compose import address, finish, new_message
from ..registrations import participant_rights
from ..registrations.models import Registration


def composed(event: Event, registration: Registration, subject: str, body: str) -> EmailMessage:
    """The email this person gets (also the preview's, for a sample person)."""
    context = {
        "event": event,
        "registration": registration,
        "body": body,
        "link": personal_url(registration),
        "link_offer": participant_rights.link_offer(registration),
        "event_url": external_url("public.event_page", slug=event.slug),
        "locale": registration.locale,
    }
    with force_locale(registration.locale):
        text = render_template("email/message.txt", **context)
        html = render_template("email/message.html", **context)
    message = new_message(
        subject=subject,
        to=address(registration.display_name, registration.email),
        event=event,
        text=text,
        html=html,
    )
    return finish(message, registration.locale)
