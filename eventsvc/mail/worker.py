"""Delivery loops: a ``flask mail worker`` process, or a thread beside the embedded web server."""

from __future__ import annotations

import logging
import threading

from flask import Flask, current_app

from ..extensions import db
from . import outbox
from .backends import backend_from_config

log = logging.getLogger(__name__)


def deliver_once() -> dict[str, int]:
    config = current_app.config
    return outbox.deliver_all_due(backend_from_config(config), outbox.Policy.from_config(config))


def run(app: Flask, stop: threading.Event, interval: float) -> None:
    """Deliver what is due, wait, again, until ``stop`` is set. Errors never end the loop."""
    while not stop.is_set():
        with app.app_context():
            try:
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
