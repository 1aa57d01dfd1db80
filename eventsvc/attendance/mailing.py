"""Certificates of attendance sent by email after the event, through the outbox.

One message per attendee with an address, in their language, the PDF attached. The outbox key
``certificate:<registration id>`` makes a second send queue nothing twice."""

from __future__ import annotations

from email.message import EmailMessage

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..audit import service as audit
from ..auth.models import User
from ..events.models import Event
from ..extensions import db
from ..links import external_url
from ..mail import bulk, outbox
from ..mail.compose import address, finish, new_message
from ..mail.models import OutboxMessage
from ..registrations.models import Registration
from . import documents, service

FILENAME = "attestation-de-presence.pdf"


class NotOver(service.AttendanceError):
    """Certificates are sent once the event is over, when they state every part attended."""


def key(registration: Registration) -> str:
    return f"certificate:{registration.id}"


def compose(registration: Registration, pdf: bytes) -> EmailMessage:
    event = registration.event
    certificate = documents.certificate(registration)
    with force_locale(registration.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject = _("Votre attestation de présence : %(title)s", title=event.title)
        values = dict(
            event=event,
            registration=registration,
            certificate=certificate,
            event_url=external_url("public.event_page", slug=event.slug),
        )
        text = render_template("email/certificate.txt", **values)
        html = render_template("email/certificate.html", **values)
    message = new_message(
        subject=subject,
        to=address(registration.display_name, registration.email),
        event=event,
        text=text,
        html=html,
    )
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=FILENAME)
    return finish(message, registration.locale or "fr")


def recipients(event: Event) -> list[Registration]:
    """Attendees with an address (a walk-in may have given none)."""
    return [r for r in service.attendees(event) if r.email]


def without_address(event: Event) -> list[Registration]:
    """Attendees no email can reach: the organiser hands them their certificate."""
    return [r for r in service.attendees(event) if not r.email]


def already_queued(people: list[Registration]) -> set[str]:
    keys = [key(r) for r in people]
    if not keys:
        return set()
    return set(db.session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(keys))))


def send_certificates(event: Event, *, actor: User) -> int:
    """Queue each attendee's certificate once; the number queued by this call. Someone whose
    certificate cannot be written is left out (see ``mail.bulk``), the others are queued."""
    if not service.event_is_over(event):
        raise NotOver("event not over")
    documents.check_certificates(event)  # a signatory's name above all
    people = recipients(event)
    done = already_queued(people)
    queued = 0

    def send(registration: Registration) -> None:
        nonlocal queued
        pdf = documents.certificates_pdf(event, [registration])
        if outbox.enqueue(key(registration), compose(registration, pdf)):
            queued += 1

    bulk.send_each(
        [r for r in people if key(r) not in done],
        send,
        recipient=lambda r: bulk.Recipient(r.display_name, r.email, r),
        event=event,
        message="certificate",
    )
    audit.record(
        "attendance.certificates_sent",
        actor=actor,
        event=event,
        details={"queued": queued, "already_sent": len(done)},
    )
    return queued
