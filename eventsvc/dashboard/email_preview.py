"""The preview of an event's confirmation and invitation emails with the organiser's texts:
composed by the very functions that queue them (``registrations.notifications.composed``,
``invitations.emails.composed``) for a sample person, then serialised and parsed back as a mail
program reads them. It shows both domains' emails, hence its place in the dashboard shell."""

from __future__ import annotations

from flask import request

from ..events.lookups import organiser_event
from ..invitations import emails as invitation_emails
from ..invitations.models import Contact, Invitation
from ..mail.compose import as_received
from ..registrations import notifications
from ..web import OrganiserPages, render

pages = OrganiserPages("email_preview")

LOCALES = ("fr", "en")
SAMPLE_TOKEN = "apercu"  # noqa: S105 - not a secret: the sample's links open nothing


@pages.route("/events/<int:event_id>/emails/confirmation", methods=["GET"])
def confirmation_preview(event_id: int):
    event = organiser_event(event_id)
    locale = request.args.get("locale", "fr")
    locale = locale if locale in LOCALES else "fr"
    sample = notifications.sample_registration(event, locale)
    message = notifications.composed("confirmed", sample, method="REQUEST").message
    return _page(event, "confirmation", locale, message)


@pages.route("/events/<int:event_id>/emails/invitation", methods=["GET"])
def invitation_preview(event_id: int):
    """Invitations are written in French (contacts have no language)."""
    event = organiser_event(event_id)
    contact = Contact(
        civility="Mme",
        first_name=notifications.SAMPLE_NAME[0],
        last_name=notifications.SAMPLE_NAME[1],
        function="",
        organisation="",
        email="camille.exemple@example.org",
    )
    invitation = Invitation(event=event, contact=contact, public_id=SAMPLE_TOKEN, reminders=0)
    message = invitation_emails.composed(invitation, SAMPLE_TOKEN, reminder=False)
    return _page(event, "invitation", invitation_emails.LOCALE, message)


def _page(event, kind: str, locale: str, message):
    return render(
        "email_preview.html",
        event=event,
        kind=kind,
        locale=locale,
        locales=LOCALES if kind == "confirmation" else (),
        received=as_received(message),
    )
