"""A large import (more than ``IMPORT_JOB_THRESHOLD`` rows) done by a job after the preview.

The preview stays in the request; the organiser's confirmation queues the job with the upload's
id (the file is kept in the database, ``SignupImport.content``, until the job ends, then
dropped), their corrections and whether to send invitations. The rows are imported in batches,
each committed with the count that records it: a job taken over after a dead worker resumes
after the last batch and imports nobody twice. Unlike a small import (all rows or none), a row
that can no longer be imported (the person signed up since the preview) is left out and named on
the job's page, and the others are imported: thousands of rows are not undone for one."""

from __future__ import annotations

from datetime import time

from flask import url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..auth.models import User
from ..common.errors import DomainError
from ..events.models import Event
from ..extensions import db
from ..jobs import runner
from ..jobs.models import Job
from . import importing, operations
from .models import RegistrationStatus, SignupImport

JOB = "registrations.import"
BATCH = 50


def start(
    event: Event,
    upload: SignupImport,
    corrections: dict[int, importing.Attendance],
    *,
    send_invitations: bool,
    actor: User,
) -> Job:
    """Queue the import (or join the one already under way for this file: a second click)."""
    job = runner.active(JOB, event.id)
    if job is not None and job.params.get("upload") == upload.id:
        return job
    params = {
        "upload": upload.id,
        "send_invitations": send_invitations,
        "corrections": {str(line): _plain(a) for line, a in corrections.items()},
    }
    return runner.enqueue(JOB, organiser=actor, event=event, params=params)


def _plain(attendance: importing.Attendance) -> dict:
    return {
        "full_day": attendance.full_day,
        "part_ids": list(attendance.part_ids),
        "arrival": attendance.arrival.isoformat() if attendance.arrival else None,
        "departure": attendance.departure.isoformat() if attendance.departure else None,
        "source": attendance.source,
    }


def _attendance(values: dict) -> importing.Attendance:
    return importing.Attendance(
        values["full_day"],
        list(values["part_ids"]),
        time.fromisoformat(values["arrival"]) if values["arrival"] else None,
        time.fromisoformat(values["departure"]) if values["departure"] else None,
        values["source"],
    )


def run_job(job: Job, progress) -> None:
    event = db.session.get(Event, job.event_id)
    upload = importing.find_upload(event, job.params.get("upload", 0))
    if upload is None or upload.imported_at is not None or not upload.content:
        raise DomainError(_("Le fichier importé a disparu : déposez-le à nouveau."))
    options = importing.options_of(upload)
    if job.total is None:
        preview = importing.preview(event, upload.content, options)
        if not preview.can_import:
            raise DomainError(_("Rien à importer : corrigez d'abord les problèmes signalés."))
        progress.start(
            len(preview.planned),
            lines=[planned.row.line for planned in preview.planned],
            refused_lines=[row.line for row in preview.refused],
            suggestions=len(preview.suggestions),
        )
    result = db.session.get(Job, job.id).result
    lines = set(result["lines"])
    # Read as at the start: the rows this job imported are not duplicates of themselves.
    planned = [
        row
        for row in importing.preview(event, upload.content, options, existing_keys=set()).planned
        if row.row.line in lines
    ]
    corrections = {int(k): _attendance(v) for k, v in job.params.get("corrections", {}).items()}
    send_invitations = bool(job.params.get("send_invitations"))
    actor = db.session.get(User, job.organiser_id) if job.organiser_id else None
    for start in range(job.done, len(planned), BATCH):
        batch = planned[start : start + BATCH]
        with progress.item(len(batch)) as added:
            added.update(imported=0, waitlisted=0)
            for row in batch:
                attendance = corrections.get(row.row.line, row.attendance)
                try:
                    with db.session.begin_nested():
                        registration = importing.import_row(
                            event,
                            row,
                            attendance,
                            send_invitations=send_invitations,
                            actor=actor,
                        )
                except importing.ImportRefused as refusal:
                    added.setdefault("left_out", []).append(_left_out(row, refusal))
                    continue
                added["imported"] += 1
                added["waitlisted"] += registration.status == RegistrationStatus.WAITLISTED
    with progress.finish():
        result = db.session.get(Job, job.id).result
        importing.record_import(
            event,
            db.session.get(SignupImport, upload.id),
            imported=result.get("imported", 0),
            waitlisted=result.get("waitlisted", 0),
            refused_lines=result.get("refused_lines", []),
            suggestions=result.get("suggestions", 0),
            send_invitations=send_invitations,
            actor=actor,
        )


def _left_out(row: importing.PlannedRow, refusal: importing.ImportRefused) -> str:
    if isinstance(refusal.__cause__, operations.AlreadyRegistered):
        return _(
            "Ligne %(line)d : %(email)s s'est inscrit·e depuis l'aperçu : ligne laissée de côté.",
            line=row.row.line,
            email=row.row.email.normalised,
        )
    return str(refusal.message)


def job_summary(job: Job) -> list[str]:
    result = job.result or {}
    imported = result.get("imported", 0)
    lines = []
    if job.status == "done" or imported:
        lines.append(
            ngettext(
                "%(num)d inscription importée depuis %(file)s (dont %(waitlisted)d sur liste "
                "d'attente).",
                "%(num)d inscriptions importées depuis %(file)s (dont %(waitlisted)d sur "
                "liste d'attente).",
                imported,
                file=_filename(job),
                waitlisted=result.get("waitlisted", 0),
            )
        )
        if not job.params.get("send_invitations"):
            lines.append(_("Aucun message n'a été envoyé."))
    if left_out := result.get("left_out", []):
        lines.append(
            ngettext(
                "%(num)d ligne n'a pas pu être importée :",
                "%(num)d lignes n'ont pas pu être importées :",
                len(left_out),
            )
        )
        lines.extend(left_out[:50])
    return lines


def _filename(job: Job) -> str:
    upload = db.session.get(SignupImport, job.params.get("upload", 0))
    return (upload.filename if upload is not None else "") or "CSV"


def back(job: Job) -> tuple[str, str]:
    return url_for("dashboard.registrations", event_id=job.event_id), _("Retour aux inscriptions")
