"""Delivery loops: a ``flask mail worker`` process, or a thread beside the embedded web server."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, current_app

from ..extensions import db
from . import outbox
from .backends import backend_from_config

log = logging.getLogger(__name__)


def deliver_once() -> dict[str, int]:
    config = current_app.config
    return outbox.deliver_all_due(backend_from_config(config), outbox.Policy.from_config(config))


@dataclass(frozen=True)
class PeriodicJob:
    run: Callable[[], object]  # runs and commits its own transaction
    every: str  # the setting that holds its period in seconds (0: never, leave it to cron)


def add_periodic_job(app: Flask, run: Callable[[], object], *, every: str) -> None:
    """Have the delivery loop also run ``run`` every ``app.config[every]`` seconds, before the
    delivery pass (what it queues goes out in the same pass). Domains register their jobs at
    wiring time (the invitations' automatic reminders): the mail package knows none of them."""
    app.extensions.setdefault(PERIODIC_JOBS, []).append(PeriodicJob(run, every))


PERIODIC_JOBS = "eventsvc.periodic_jobs"
DELIVERIES = "eventsvc.deliveries"


def add_delivery(app: Flask, name: str, run: Callable[[], dict[str, int]]) -> None:
    """Have every delivery pass (the loop, ``flask mail send``) also deliver another queue after
    the emails: ``run`` delivers what is due, commits, and returns its counts (the webhooks).
    Mail knows none of them."""
    app.extensions.setdefault(DELIVERIES, []).append((name, run))


def deliver_others() -> dict[str, dict[str, int]]:
    """The other queues' passes, each on its own: one failing does not stop the next."""
    results = {}
    for name, run in current_app.extensions.get(DELIVERIES, ()):
        try:
            results[name] = run()
        except Exception:  # a receiver down is the queue's business; a database hiccup is ours
            log.exception("%s delivery pass failed", name)
            db.session.rollback()
    return results


def run(app: Flask, stop: threading.Event, interval: float) -> None:
    """Deliver what is due, wait, again, until ``stop`` is set. Errors never end the loop.

    Periodic jobs registered with :func:`add_periodic_job` run first when their time has come."""
    jobs = [
        (job, float(app.config.get(job.every) or 0))
        for job in app.extensions.get(PERIODIC_JOBS, ())
    ]
    jobs = [(job, every) for job, every in jobs if every]
    next_runs = [time.monotonic()] * len(jobs)
    while not stop.is_set():
        with app.app_context():
            try:
                for index, (job, every) in enumerate(jobs):
                    if time.monotonic() >= next_runs[index]:
                        next_runs[index] = time.monotonic() + every
                        job.run()
                deliver_once()
                deliver_others()
            except Exception:  # a database hiccup: log it, try again at the next tick
                log.exception("mail delivery pass failed")
                db.session.rollback()
            finally:
                db.session.remove()
        stop.wait(interval)


class BackgroundDelivery:
    """The delivery thread of the embedded default; ``stop()`` ends it after its current pass."""

    def __init__(self, app: Flask):
        self._stop = threading.Event()
        interval = float(app.config["MAIL_WORKER_INTERVAL"])
        self.thread = threading.Thread(
            target=run, args=(app, self._stop, interval), name="eventsvc-mail", daemon=True
        )

    def start(self) -> BackgroundDelivery:
        self.thread.start()
        return self

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        self.thread.join(timeout)


def start_background_thread(app: Flask) -> BackgroundDelivery:
    """For the embedded default (`make run`): one delivery thread in the web process."""
    return BackgroundDelivery(app).start()
