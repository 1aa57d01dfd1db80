"""Reads of jobs for the dashboard: one job's page, an event's recent jobs."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..extensions import db
from . import kinds
from .models import Job, JobStatus


def get(job_id: int) -> Job | None:
    return db.session.get(Job, job_id)


def recent_for_event(event_id: int, limit: int = 5) -> list[Job]:
    return list(
        db.session.scalars(
            select(Job).where(Job.event_id == event_id).order_by(Job.id.desc()).limit(limit)
        )
    )


@dataclass(frozen=True)
class JobView:
    """A job as its page and its JSON show it, in the reader's language."""

    id: int
    title: str
    status: str
    status_text: str
    done: int
    total: int | None
    count: str  # « 120 sur 300 »
    lines: list[str]
    error: str | None
    finished: bool
    back: tuple[str, str] | None
    download: tuple[str, str] | None = None

    def as_json(self) -> dict:
        return {
            "id": self.id,
            "status": self.status,
            "status_text": self.status_text,
            "done": self.done,
            "total": self.total,
            "count": self.count,
            "lines": self.lines,
            "error": self.error,
            "finished": self.finished,
        }


STATUS_TEXTS = {
    JobStatus.QUEUED: lambda: _("En attente : le travail commence dans quelques secondes."),
    JobStatus.RUNNING: lambda: _("En cours…"),
    JobStatus.DONE: lambda: _("Terminé."),
    JobStatus.FAILED: lambda: _("Interrompu par une erreur."),
}


def view(job: Job) -> JobView:
    kind = kinds(current_app).get(job.kind)
    total = job.total
    count = (
        _("%(done)d sur %(total)d", done=job.done, total=total)
        if total is not None
        else _("%(done)d faits", done=job.done)
    )
    lines = kind.summary(job) if kind is not None and job.finished else []
    return JobView(
        id=job.id,
        title=str(kind.title) if kind is not None else job.kind,
        status=job.status,
        status_text=STATUS_TEXTS[JobStatus(job.status)](),
        done=job.done,
        total=total,
        count=count,
        lines=lines,
        error=job.error,
        finished=job.finished,
        back=kind.back(job) if kind is not None and kind.back else None,
        download=kind.download(job)
        if kind is not None and kind.download and job.finished
        else None,
    )
