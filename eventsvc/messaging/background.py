"""A message to a large audience, queued by a job (``eventsvc.jobs``): one email per person, in
batches, each batch committed with the count that records it, so a job taken over after a dead
worker resumes after the last batch and writes to nobody twice.

The job writes to the people the author saw on the preview (their ids are its parameters), less
those who cancelled or were erased since; at the end the message row gets its counts and the
audit line ``message.sent`` is written, as for a small audience sent in the request."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..audit import service as audit
from ..auth.models import User
from ..common.errors import DomainError
from ..events.models import Event
from ..extensions import db
from ..jobs.models import Job
from ..mail import bulk
from ..registrations.models import Registration, RegistrationStatus
from . import operations
from .models import Message

BATCH = 50


def run_job(job: Job, progress) -> None:
    event = db.session.get(Event, job.event_id)
    message = db.session.get(Message, job.params.get("message", 0))
    if message is None:
        raise DomainError(_("Ce message n'existe plus : rien n'est parti."))
    ids = list(job.params.get("registrations", []))
    if job.total is None:
        progress.start(len(ids))
    for start in range(job.done, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        people = [
            registration
            for registration in db.session.scalars(
                select(Registration).where(Registration.id.in_(batch)).order_by(Registration.id)
            )
            if registration.status != RegistrationStatus.CANCELLED
            and registration.anonymised_at is None
            and registration.event_id == event.id
        ]
        with progress.item(len(batch)) as added:
            unsent = operations.queue_each(event, message, people)
            added["sent"] = len(people) - len(unsent)
            added["left_out"] = len(batch) - len(people)
            if unsent:
                added["unsent"] = [
                    {"name": u.name, "email": u.email, "reason": str(u.reason)} for u in unsent
                ]
    actor = db.session.get(User, job.organiser_id) if job.organiser_id else None
    with progress.finish():
        result = db.session.get(Job, job.id).result
        message = db.session.get(Message, message.id)
        message.recipients = result.get("sent", 0)
        message.unsent = len(result.get("unsent", []))
        operations.record_sent(
            event, message, actor=actor, actor_label=None if actor else audit.COMMAND_LINE
        )


def job_summary(job: Job) -> list[str]:
    """« Message envoyé à 1 200 personnes. » and who could not be written to."""
    result = job.result or {}
    sent = result.get("sent", 0)
    lines = []
    if job.status == "done" or sent:
        lines.append(
            ngettext(
                "Message envoyé à %(num)d personne.", "Message envoyé à %(num)d personnes.", sent
            )
        )
    if left_out := result.get("left_out", 0):
        lines.append(
            ngettext(
                "%(num)d personne a annulé son inscription depuis l'aperçu : elle ne le reçoit "
                "pas.",
                "%(num)d personnes ont annulé leur inscription depuis l'aperçu : elles ne le "
                "reçoivent pas.",
                left_out,
            )
        )
    unsent = [bulk.Unsent(u["name"], u["email"], u["reason"]) for u in result.get("unsent", [])]
    return lines + bulk.summary(unsent)


def back(job: Job) -> tuple[str, str]:
    return url_for("dashboard.messages", event_id=job.event_id), _("Retour aux messages")
