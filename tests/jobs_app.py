"""The application with a test-only kind of job, ``test.slow``: ``items`` items of ``delay``
seconds each, every item leaving one audit line (``test_job.item``), so that a test counts what
was done, and done twice. ``flask --app tests.jobs_app:create_app jobs run`` runs it for real in a
process a test can kill."""

from __future__ import annotations

import os
import time

from eventsvc import create_app as create_eventsvc
from eventsvc import jobs
from eventsvc.audit import service as audit
from eventsvc.common.errors import DomainError

SLOW = "test.slow"
FAILING = "test.failing"


def slow_items(job, progress) -> None:
    count, delay = int(job.params["items"]), float(job.params["delay"])
    if job.total is None:
        progress.start(count)
    for index in range(job.done, count):
        time.sleep(delay)  # the item's slow part, outside the write lock
        with progress.item() as added:
            details = {"job": job.id, "item": index, "pid": os.getpid()}
            audit.record("test_job.item", actor_label="test", details=details)
            added["items"] = 1


def failing(job, progress) -> None:
    progress.start(3)
    with progress.item() as added:
        added["items"] = 1
    if job.params.get("unexpected"):
        raise RuntimeError("a bug")
    raise DomainError("Le fichier importé a disparu : déposez-le à nouveau.")


def summary(job) -> list[str]:
    return [f"{job.result.get('items', 0)} éléments faits"]


def register(app) -> None:
    jobs.register_kind(app, SLOW, jobs.Kind(run=slow_items, title="Travail lent", summary=summary))
    jobs.register_kind(app, FAILING, jobs.Kind(run=failing, title="Travail raté", summary=summary))


def create_app():
    app = create_eventsvc()
    register(app)
    return app
