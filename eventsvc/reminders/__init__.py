"""Reminders: the email each confirmed participant gets before the event (by default 24 hours
before the first part they attend), with the practical information and their personal link.

``rules`` says what is due (pure), ``operations`` sends it once (even with several workers),
``emails`` writes it, ``cli`` is ``flask reminders send-due``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wiring, from ``create_app``: the delivery loop sends the reminders due every
    ``REMINDERS_EVERY`` seconds (0: leave it to cron running ``flask reminders send-due``)."""
    from ..mail import worker
    from . import operations

    worker.add_periodic_job(app, operations.send_due_automatically, every="REMINDERS_EVERY")
