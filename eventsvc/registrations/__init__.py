"""Sign-ups: the public form, the personal link, capacity and the waiting list."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wiring, from ``create_app``: people registered hear of their event's reschedule or
    cancellation (the receivers return who could not be written to); the mail worker composes
    their emails."""
    from .. import signals
    from ..mail import recipes
    from . import event_audience, notifications, operations

    signals.event_rescheduled.connect(operations.announce_event_change)
    signals.event_cancelled.connect(operations.announce_event_cancellation)
    # events asks how many people a change concerns (it may not import registrations).
    event_audience.wire()
    # The worker composes the registration emails queued as recipes (compose at delivery).
    recipes.register(notifications.RECIPE, notifications.compose_recipe)
