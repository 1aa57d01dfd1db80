"""Domain events: how a package reacts to another's change without importing it.

A lower domain sends (``registrations`` after a sign-up, ``events`` after a reschedule); the
domains that care subscribe in their ``init_app``, called from ``create_app``. Receivers run
synchronously inside the sender's transaction, so what they write (audit lines, outbox messages)
commits or rolls back with the change. A signal whose senders need an answer (who could not be
written to) collects what the receivers return: :func:`returned`.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# sender: the Registration, flushed (it has an id); ``new``: True when it was just inserted (not
# a cancelled one signed up again).
registration_created = _signals.signal("registration-created")
# sender: the Event, its calendar sequence already raised; receivers return a list of
# ``mail.bulk.Unsent`` (who could not be written to).
event_rescheduled = _signals.signal("event-rescheduled")
# sender: the Event, already cancelled; receivers return a list of ``Unsent``.
event_cancelled = _signals.signal("event-cancelled")
# sender: the Event whose check-in page is drawn or whose desk counts changed; receivers return
# a list of (element id, Markup) shown on the desk and refreshed with the counts (a body's
# quorum, issue 18).
checkin_panels = _signals.signal("checkin-panels")


def returned(results) -> list:
    """The lists the receivers returned from ``signal.send()``, joined (None counts as empty)."""
    return [item for _receiver, value in results for item in (value or ())]
