"""Webhooks: an organiser's endpoints (URL, the event types sent there, a signing secret) and
the deliveries queued for them when a registration is created, changed, cancelled or promoted,
a check-in recorded or a claim validated; signed as Standard Webhooks says, delivered by the
mail workers with retries.

``queueing`` hears the domain events (``signals``) and queues in the change's transaction,
``delivery`` claims and sends, ``addresses`` keeps deliveries off private networks, ``rules`` is
pure, ``operations`` the organiser's audited actions, ``organiser`` the dashboard pages, ``cli``
``flask webhooks``.
"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wiring, from ``create_app``: the receivers of the domain events, and the delivery of due
    webhooks in every pass of the mail loop and of ``flask mail send``."""
    from .. import signals
    from ..mail import worker
    from . import delivery, queueing

    signals.registration_created.connect(queueing.registration_created)
    signals.registration_changed.connect(queueing.registration_changed)
    signals.registration_cancelled.connect(queueing.registration_cancelled)
    signals.registration_promoted.connect(queueing.registration_promoted)
    signals.checkin_recorded.connect(queueing.checkin_recorded)
    signals.claim_validated.connect(queueing.claim_validated)
    worker.add_delivery(app, "webhooks", delivery.deliver_all_due)
