"""Certificates of attendance sent by email after the event, through the outbox.

One message per attendee with an address, in their language, the PDF attached. The outbox key
``certificate:<registration id>`` makes a second send queue nothing twice.

The organiser's click queues a job (:func:`start_sending`, about 40 ms of PDF per person: 300 took
12 s inside the request); :func:`run_job` does the work item by item in the background, resumable
after a dead worker (``eventsvc.jobs``), and records the audit line when it ends."""

from __future__ import annotations

from email.message import EmailMessage

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select

from ..audit import service as audit
from ..auth.models import User
from ..events.models import Event
from ..extensions import db
from ..jobs import runner
from ..jobs.models import Job
from ..links import external_url
from ..mail import bulk, outbox
from ..mail.compose import finish, to_person
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
    message = to_person(
        registration,
        event,
        "certificate",
        _l("Votre attestation de présence : %(title)s", title=event.title),
        registration=registration,
        certificate=certificate,
        event_url=external_url("public.event_page", slug=event.slug),
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


JOB = "attendance.certificates"


def start_sending(event: Event, *, actor: User) -> Job:
    """The organiser's click: what can be refused at once is (not over, no signatory), then the
    job is queued in the caller's transaction, or the one already under way is joined."""
    if not service.event_is_over(event):
        raise NotOver("event not over")
    documents.check_certificates(event)
    return runner.active(JOB, event.id) or runner.enqueue(JOB, organiser=actor, event=event)


def _prepare(event: Event, registration: Registration) -> EmailMessage | Exception | None:
    """Read-only work of one person (the PDF, the message), outside the write lock: the
    message, None if it was already queued, or the error that made it impossible."""
    if db.session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key(registration))):
        return None
    try:
        return compose(registration, documents.certificates_pdf(event, [registration]))
    except Exception as error:  # noqa: BLE001 - reported through bulk.send_each, like before
        return error


def run_job(job: Job, progress) -> None:
    """Queue each attendee's certificate once, resuming after ``job.done`` people (ordered by
    id); the result counts ``sent``, ``already``, ``without_address`` and lists ``unsent``."""
    event = db.session.get(Event, job.event_id)
    if not service.event_is_over(event):
        raise NotOver(_("L'événement n'est pas terminé : les attestations ne peuvent pas partir."))
    documents.check_certificates(event)
    people = sorted(recipients(event), key=lambda r: r.id)
    ids = [r.id for r in people]
    if job.total is None:
        progress.start(len(ids), without_address=len(without_address(event)))
    for registration_id in ids[job.done :]:
        registration = db.session.get(Registration, registration_id)
        prepared = _prepare(event, registration)

        def send(registration: Registration, prepared=prepared) -> None:
            if isinstance(prepared, Exception):
                raise prepared
            outbox.enqueue(key(registration), prepared)

        with progress.item() as added:
            if prepared is None:
                added["already"] = 1
                continue
            unsent = bulk.send_each(
                [registration],
                send,
                recipient=lambda r: bulk.Recipient(r.display_name, r.email, r),
                event=event,
                message="certificate",
            )
            if unsent:
                added["unsent"] = [
                    {"name": u.name, "email": u.email, "reason": str(u.reason)} for u in unsent
                ]
            else:
                added["sent"] = 1
    actor = db.session.get(User, job.organiser_id) if job.organiser_id else None
    with progress.finish():
        result = db.session.get(Job, job.id).result
        audit.record(
            "attendance.certificates_sent",
            actor=actor,
            actor_label=None if actor else audit.COMMAND_LINE,
            event=event,
            details={"queued": result.get("sent", 0), "already_sent": result.get("already", 0)},
        )


def job_summary(job: Job) -> list[str]:
    """The result in the reader's language: « 298 attestations envoyées par courriel. » …"""
    result = job.result or {}
    sent, already = result.get("sent", 0), result.get("already", 0)
    unsent = [bulk.Unsent(u["name"], u["email"], u["reason"]) for u in result.get("unsent", [])]
    lines = []
    if sent:
        lines.append(
            ngettext(
                "%(num)d attestation envoyée par courriel.",
                "%(num)d attestations envoyées par courriel.",
                sent,
            )
        )
    elif not unsent and job.status == "done":
        lines.append(_("Aucune nouvelle attestation à envoyer : chacune l'a déjà été."))
    if already and sent:
        lines.append(
            ngettext(
                "%(num)d personne l'avait déjà reçue : elle ne la reçoit pas deux fois.",
                "%(num)d personnes l'avaient déjà reçue : elles ne la reçoivent pas deux fois.",
                already,
            )
        )
    if missing := result.get("without_address", 0):
        lines.append(
            ngettext(
                "%(num)d personne présente sans adresse électronique : téléchargez son "
                "attestation pour la lui remettre.",
                "%(num)d personnes présentes sans adresse électronique : téléchargez leur "
                "attestation pour la leur remettre.",
                missing,
            )
        )
    return lines + bulk.summary(unsent)
