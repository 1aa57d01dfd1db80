"""Jobs: long work in the background (certificates emailed, large mailings), with progress.

Foundation, like ``mail``: it knows no domain. A domain registers its kinds of job at wiring time
(:func:`register_kind`: a function ``run(job, progress)``, a title, a summary of the result); an
operation queues a job with :func:`queue.enqueue` in its own transaction, so a job exists only if
the change that asked for it commits. The mail delivery loop (``flask mail worker`` or the embedded
thread) runs due jobs (:func:`init_app`), and so does ``flask jobs run`` (cron, tests).

A job is claimed with a short lease renewed as each item is recorded (the heartbeat); a dead
worker's job is taken over when its lease runs out and resumes after the last item recorded. Each
item's work commits with the count that records it, and job functions are idempotent per item
(the certificates' outbox keys), so nothing is done twice. See ``runner``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

KINDS = "eventsvc.job_kinds"


@dataclass(frozen=True)
class Kind:
    # run(job, progress): does the work, item by item, through ``progress.item()``.
    run: Callable[[Any, Any], object]
    # What the organiser reads as the page's title (a lazy string).
    title: Any
    # summary(job) -> lines: the result in the reader's language (« 298 attestations envoyées »).
    summary: Callable[[Any], list[str]]
    # back(job) -> (url, label): where the organiser goes from the page, or None.
    back: Callable[[Any], tuple[str, str] | None] | None = None
    # download(job) -> (url, label): the file the job wrote (an export), or None.
    download: Callable[[Any], tuple[str, str] | None] | None = None


def register_kind(app: Flask, name: str, kind: Kind) -> None:
    app.extensions.setdefault(KINDS, {})[name] = kind


def kinds(app: Flask) -> dict[str, Kind]:
    return app.extensions.get(KINDS, {})


def init_app(app: Flask) -> None:
    """The delivery loop looks for due jobs every ``JOBS_EVERY`` seconds and runs them in a
    thread beside delivery (0: leave them to cron running ``flask jobs run``)."""
    from ..mail import worker
    from . import runner

    worker.add_periodic_job(app, runner.run_in_background, every="JOBS_EVERY")
