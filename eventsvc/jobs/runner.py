"""Queue, claim, run item by item with a heartbeat, finish or fail.

Why not a job library: RQ, Celery and Dramatiq keep their queue in Redis (or RabbitMQ), which the
embedded default does not have, and none can enqueue in the caller's database transaction: a job
queued for a change that then rolls back would run anyway, and one queued after the commit is lost
if the process dies in between. A table does both, on SQLite and PostgreSQL, like the outbox.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app, has_request_context
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from sqlalchemy import and_, exists, or_, select

from ..audit import service as audit
from ..common.errors import DomainError
from ..database import begin_write, utcnow
from ..extensions import db
from ..mail.outbox import worker_name
from . import kinds
from .models import Job, JobStatus

log = logging.getLogger(__name__)

THREAD = "eventsvc.jobs_thread"


class LeaseLost(Exception):
    """Another worker took the job over (this one stalled longer than its lease): stop here."""


@dataclass(frozen=True)
class Policy:
    lease: timedelta = timedelta(seconds=30)
    max_attempts: int = 5

    @classmethod
    def from_config(cls, config) -> Policy:
        return cls(
            lease=timedelta(seconds=float(config["JOBS_LEASE_SECONDS"])),
            max_attempts=int(config["JOBS_MAX_ATTEMPTS"]),
        )


def enqueue(kind: str, *, organiser, event=None, params: dict[str, Any] | None = None) -> Job:
    """Queue a job in the caller's transaction (it exists only if the caller commits), with the
    audit line that says who started it."""
    registered = kinds(current_app).get(kind)
    if registered is None:
        raise LookupError(f"no job kind {kind!r} registered")
    job = Job(
        kind=kind,
        organiser_id=organiser.id,
        event_id=event.id if event is not None else None,
        params=params or {},
        locale=str(
            (has_request_context() and get_locale()) or current_app.config["BABEL_DEFAULT_LOCALE"]
        ),
        status=JobStatus.QUEUED,
        done=0,
        result={},
        attempts=0,
        created_at=utcnow(),
    )
    db.session.add(job)
    db.session.flush()
    with force_locale("fr"):  # the journal renders its values as they were written
        title = str(registered.title)
    details = {"job": job.id, "title": title}
    audit.record("job.started", actor=organiser, event=event, details=details)
    return job


def active(kind: str, event_id: int) -> Job | None:
    """A job of this kind for this event still queued or running (a second click joins it)."""
    return db.session.scalars(
        select(Job)
        .where(
            Job.kind == kind,
            Job.event_id == event_id,
            Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)),
        )
        .order_by(Job.id.desc())
        .limit(1)
    ).first()


def _due(policy: Policy, now: datetime):
    return or_(
        Job.status == JobStatus.QUEUED,
        and_(Job.status == JobStatus.RUNNING, Job.claimed_at < now - policy.lease),
    )


def claim(policy: Policy, worker: str, now: datetime | None = None) -> int | None:
    """Take the oldest due job (queued, or running under a lease that ran out: its worker died),
    in a short transaction of its own; its id, or None. ``FOR UPDATE SKIP LOCKED`` lets workers
    claim side by side on PostgreSQL; SQLite's write lock does the same."""
    while True:
        now = now or utcnow()
        db.session.commit()
        begin_write(db.session)
        job = db.session.scalars(
            select(Job)
            .where(_due(policy, now))
            .order_by(Job.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if job is None:
            db.session.commit()
            return None
        job.attempts += 1
        if job.attempts > policy.max_attempts:
            with force_locale(job.locale):
                _finish(job, JobStatus.FAILED, _interrupted_message(job))
            db.session.commit()
            continue
        job.status = JobStatus.RUNNING
        job.claimed_by = worker
        job.claimed_at = now
        job.started_at = job.started_at or now
        db.session.commit()
        return job.id


def _interrupted_message(job: Job) -> str:
    return _(
        "Ce travail a été interrompu %(num)d fois sans pouvoir se terminer (le serveur qui le "
        "faisait s'est arrêté). Ce qui était fait est conservé et ne sera pas refait : relancez-le "
        "pour terminer ce qui reste ; si cela se reproduit, transmettez à l'administrateur la "
        "référence du travail n° %(id)d.",
        num=job.attempts - 1,
        id=job.id,
    )


def _finish(job: Job, status: JobStatus, error: str | None = None) -> None:
    job.status = status
    job.error = error
    job.claimed_by = None
    job.finished_at = utcnow()


class Progress:
    """What a job function reports its work through. Each :meth:`item` commits the item's work
    together with the count that records it and the renewed lease (the heartbeat); a job taken
    over resumes after ``job.done`` items."""

    def __init__(self, job_id: int, worker: str):
        self.job_id = job_id
        self.worker = worker
        self.finished = False

    def _own(self) -> Job:
        """The job, locked, if still ours; else the transaction is dropped and LeaseLost."""
        job = db.session.scalars(
            select(Job)
            .where(Job.id == self.job_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if job.claimed_by != self.worker or job.status != JobStatus.RUNNING:
            db.session.rollback()
            raise LeaseLost(self.job_id)
        return job

    def start(self, total: int, *, restart: bool = False, **result: Any) -> None:
        """How many items there are (the bar's end: ``done`` out of ``total``), and values of
        the result known from the start. ``restart``: the work starts again from nothing (a file
        written in one pass, whose half-written copy a dead worker left is of no use)."""
        db.session.commit()
        begin_write(db.session)
        job = self._own()
        job.total = total
        if restart:
            job.done = 0
        job.result = {**(job.result or {}), **result}
        job.claimed_at = utcnow()
        db.session.commit()

    @contextmanager
    def finish(self) -> Iterator[None]:
        """The job's last writes (its audit line), committed with its end: done once."""
        db.session.commit()
        begin_write(db.session)
        try:
            yield
        except BaseException:
            db.session.rollback()
            raise
        _finish(self._own(), JobStatus.DONE)
        db.session.commit()
        self.finished = True

    @contextmanager
    def item(self, count: int = 1) -> Iterator[dict[str, Any]]:
        """One item's writes (or ``count`` items done together: a batch of people): prepare what
        can be read beforehand outside the block (the write lock of SQLite is held only inside
        it). The dict yielded collects what the item adds to the result: numbers are added up,
        lists extended."""
        db.session.commit()  # what was read to prepare the item
        begin_write(db.session)
        added: dict[str, Any] = {}
        try:
            yield added
        except BaseException:
            db.session.rollback()
            raise
        job = self._own()
        job.done += count
        job.result = merged(job.result or {}, added)
        job.claimed_at = utcnow()
        db.session.commit()


def merged(result: dict[str, Any], added: dict[str, Any]) -> dict[str, Any]:
    result = dict(result)
    for name, value in added.items():
        if isinstance(value, list):
            result[name] = [*result.get(name, []), *value]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            result[name] = result.get(name, 0) + value
        else:
            result[name] = value
    return result


def run_one(job_id: int, worker: str) -> None:
    """Run a claimed job to its end: done, or failed with a message for the organiser."""
    job = db.session.get(Job, job_id)
    kind = kinds(current_app).get(job.kind)
    progress = Progress(job_id, worker)
    locale = job.locale
    try:
        with force_locale(locale):
            if kind is None:
                raise DomainError(
                    _(
                        "Ce travail ne peut plus être fait par cette version du service. "
                        "Relancez-le depuis la page d'où vous l'aviez commencé."
                    )
                )
            # What the job read stays loaded across its items' commits (each item would reload
            # the event and its parts otherwise); the job's own row is read afresh when locked.
            session = db.session()
            session.expire_on_commit = False
            try:
                kind.run(job, progress)
            finally:
                session.expire_on_commit = True
            if not progress.finished:
                with progress.finish():
                    pass
    except LeaseLost:
        db.session.rollback()
        log.warning("job %s was taken over by another worker: this one stops", job_id)
    except Exception as error:  # noqa: BLE001 - recorded on the job, shown to the organiser
        db.session.rollback()
        with force_locale(locale):
            if isinstance(error, DomainError):
                message = error.message
                # A pure module's Message renders itself; a lazy string translates when read.
                message = message.render(_, locale) if hasattr(message, "render") else str(message)
            else:
                log.exception("job %s failed", job_id)
                message = _(
                    "Ce travail s'est arrêté sur une erreur inattendue. Ce qui était fait est "
                    "conservé et ne sera pas refait : relancez-le pour terminer ce qui reste ; si "
                    "l'erreur revient, transmettez à l'administrateur la référence du travail "
                    "n° %(id)d.",
                    id=job_id,
                )
        _fail(job_id, worker, message)


def _fail(job_id: int, worker: str, message: str) -> None:
    begin_write(db.session)
    job = db.session.scalars(
        select(Job)
        .where(Job.id == job_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if job.claimed_by == worker and job.status == JobStatus.RUNNING:
        _finish(job, JobStatus.FAILED, message)
    db.session.commit()


def run_due(policy: Policy | None = None) -> int:
    """Run due jobs one after the other until none is left; how many were run."""
    policy = policy or Policy.from_config(current_app.config)
    worker = f"{worker_name()}:{uuid.uuid4().hex[:8]}"
    count = 0
    while (job_id := claim(policy, worker)) is not None:
        run_one(job_id, worker)
        count += 1
    return count


def any_due(policy: Policy) -> bool:
    return bool(db.session.scalar(select(exists().where(_due(policy, utcnow())))))


def run_in_background() -> None:
    """For the delivery loop: if jobs are due and none is being run by this process, run them in
    a thread beside delivery, so that a long job never holds up confirmations."""
    app = current_app._get_current_object()
    thread = app.extensions.get(THREAD)
    if thread is not None and thread.is_alive():
        return
    due = any_due(Policy.from_config(app.config))
    db.session.commit()
    if not due:
        return
    thread = threading.Thread(target=_thread, args=(app,), name="eventsvc-jobs", daemon=True)
    app.extensions[THREAD] = thread
    thread.start()


def _thread(app) -> None:
    with app.app_context():
        try:
            run_due()
        except Exception:  # a database hiccup: the next pass of the loop tries again
            log.exception("jobs pass failed")
            db.session.rollback()
        finally:
            db.session.remove()
