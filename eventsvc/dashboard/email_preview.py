"""The preview of an event's confirmation and invitation emails with the organiser's texts:
composed by the very functions that queue them (``registrations.notifications.composed``,
``invitations.emails.composed``) for a sample person, then serialised and parsed back as a mail
program reads them. It shows both domains' emails, hence its place in the dashboard shell."""

from __future__ import annotations

from flask import abort, request

from ..events.lookups import organiser_event
from ..invitations import emails as invitation_emails
from ..invitations.models import Contact, Invitation
from ..mail.compose import as_received
from ..registrations import notifications
from ..web import OrganiserPages, render

pages = OrganiserPages("email_preview")

KINDS = ("confirmation", "invitation")
LOCALES = ("fr", "en")
SAMPLE_TOKEN = "apercu"  # noqa: S105 - not a secret: the sample's links open nothing


@pages.route("/events/<int:event_id>/emails/<kind>", methods=["GET"])
def email_preview(event_id: int, kind: str):
    event = organiser_event(event_id)
    if kind not in KINDS:
        abort(404)
    locale = request.args.get("locale", "fr")
    locale = locale if locale in LOCALES else "fr"
    if kind == "confirmation":
        sample = notifications.sample_registration(event, locale)
        message = notifications.composed("confirmed", sample, method="REQUEST").message
    else:
        locale = invitation_emails.LOCALE  # invitations are written in French
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
    return render(
        "email_preview.html",
        event=event,
        kind=kind,
        locale=locale,
        locales=LOCALES if kind == "confirmation" else (),
        received=as_received(message),
    )
