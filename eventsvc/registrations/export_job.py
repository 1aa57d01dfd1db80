"""A large export (more than ``EXPORT_JOB_THRESHOLD`` registrations) written by a job to a file
under the instance path, then downloaded from the job's page (``jobs.files``).

The file is written in one pass, with the job's heartbeat every batch of rows; a job taken over
after a dead worker writes it again from the start (``progress.start(restart=True)``: a file half
written is of no use, and writing it twice sends nothing to anyone). The rows, their order and the
formula neutralising are the same as the direct download's (``export.rows``, ``exports.tabular``).
Starting an export removes the event's previous export files."""

from __future__ import annotations

import os

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from ..audit import service as audit
from ..auth.models import User
from ..events.models import Event
from ..exports import tabular
from ..extensions import db
from ..jobs import files, runner
from ..jobs.models import Job
from . import export, queries
from .models import Registration

JOB = "registrations.export"
BATCH = 1000
FORMATS = ("csv", "xlsx")


def too_large(event: Event, filters: queries.Filters) -> int | None:
    """How many registrations the export has, when more than the request should write."""
    count = queries.count(event, filters)
    return count if count > current_app.config["EXPORT_JOB_THRESHOLD"] else None


def start(event: Event, args: MultiDict, kind: str, *, actor: User) -> Job:
    """Queue the export of the filter given by the page's ``args`` (and the CSV's separator);
    the event's previous export files are removed, and anyone's past their keeping time."""
    files.remove_stale()
    for previous in db.session.scalars(
        select(Job).where(Job.kind == JOB, Job.event_id == event.id)
    ):
        files.remove(previous)
    params = {"args": [[key, value] for key, value in args.items(multi=True)], "format": kind}
    return runner.enqueue(JOB, organiser=actor, event=event, params=params)


def run_job(job: Job, progress) -> None:
    event = db.session.get(Event, job.event_id)
    args = MultiDict(job.params.get("args", []))
    filters = queries.Filters.from_args(args)
    kind = job.params.get("format", "csv")
    ids = list(db.session.scalars(queries.query(event, filters).with_only_columns(Registration.id)))
    progress.start(len(ids), restart=True)
    name = files.new_name(job, kind)
    part = files.directory() / f"{name}.part"

    def rows():
        for start in range(0, len(ids), BATCH):
            batch = ids[start : start + BATCH]
            yield from export.rows(event, filters, batch)
            with progress.item(len(batch)):
                pass  # the heartbeat: the batch is written, the lease renewed

    try:
        with part.open("wb") as target:
            if kind == "xlsx":
                tabular.write_xlsx(
                    target,
                    export.header(event),
                    rows(),
                    sheet_title=_("Inscriptions"),
                    column_widths=export.column_widths(event),
                )
            else:
                delimiter = "," if args.get("delimiter") == "comma" else ";"
                for chunk in tabular.iter_csv(
                    export.header(event),
                    rows(),
                    delimiter=delimiter,
                    decimal_separator="." if delimiter == "," else ",",
                ):
                    target.write(chunk)
        os.replace(part, files.directory() / name)
    finally:
        part.unlink(missing_ok=True)
    actor = db.session.get(User, job.organiser_id) if job.organiser_id else None
    with progress.finish():
        row = db.session.get(Job, job.id)
        row.result = {
            **(row.result or {}),
            "file": name,
            "rows": len(ids),
            "format": kind,
            "filename": f"inscriptions-{event.slug}.{kind}",
        }
        audit.record(
            "registrations.exported",
            actor=actor,
            event=event,
            details={"rows": len(ids), "format": kind.upper()},
        )


def job_summary(job: Job) -> list[str]:
    result = job.result or {}
    if job.status != "done":
        return []
    lines = [
        ngettext(
            "%(num)d inscription dans le fichier.",
            "%(num)d inscriptions dans le fichier.",
            result.get("rows", 0),
        )
    ]
    if files.path_of(job) is None:
        lines.append(_("Le fichier n'est plus disponible : lancez un nouvel export."))
    else:
        lines.append(
            _(
                "Le fichier est gardé %(hours)d heures, ou jusqu'au prochain export.",
                hours=int(current_app.config["EXPORT_FILE_HOURS"]),
            )
        )
    return lines


def download(job: Job) -> tuple[str, str] | None:
    if files.path_of(job) is None:
        return None
    label = _("Télécharger le fichier %(format)s", format=job.result.get("format", "").upper())
    return url_for("dashboard.job_file", job_id=job.id), label


def back(job: Job) -> tuple[str, str]:
    return url_for("dashboard.registrations", event_id=job.event_id), _("Retour aux inscriptions")
