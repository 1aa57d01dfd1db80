"""Delivery loops: a ``flask mail worker`` process, or a thread beside the embedded web server."""

from __future__ import annotations

import logging
import threading
import time

from flask import Flask, current_app

from ..extensions import db
from . import outbox
from .backends import backend_from_config

log = logging.getLogger(__name__)


def deliver_once() -> dict[str, int]:
    config = current_app.config
    return outbox.deliver_all_due(backend_from_config(config), outbox.Policy.from_config(config))


def reminders_due() -> dict[str, int]:
    """The automatic invitation reminders that are due (``flask invitations remind-due``)."""
    from ..database import begin_write
    from ..invitations.service import remind_due

    begin_write(db.session)
    sent = remind_due()
    db.session.commit()
    return sent


def run(app: Flask, stop: threading.Event, interval: float) -> None:
    """Deliver what is due, wait, again, until ``stop`` is set. Errors never end the loop.

    Every ``INVITATION_REMINDERS_EVERY`` seconds (0: never, leave it to cron) the loop also sends
    the automatic invitation reminders that are due."""
    every = float(app.config.get("INVITATION_REMINDERS_EVERY") or 0)
    next_reminders = time.monotonic()
    while not stop.is_set():
        with app.app_context():
            try:
                if every and time.monotonic() >= next_reminders:
                    next_reminders = time.monotonic() + every
                    reminders_due()
                deliver_once()
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
