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
# sender: the Registration, flushed, after a change of parts, times, answers or names.
registration_changed = _signals.signal("registration-changed")
# sender: the Registration, flushed, just cancelled.
registration_cancelled = _signals.signal("registration-cancelled")
# sender: the Registration, flushed, confirmed from the waiting list (a freed place or the
# organiser's decision).
registration_promoted = _signals.signal("registration-promoted")
# sender: the Registration; ``part``: the Part checked in at (recorded by this call, also a
# walk-in's).
checkin_recorded = _signals.signal("checkin-recorded")
# sender: the compensation Claim, flushed, just validated.
claim_validated = _signals.signal("claim-validated")
# sender: the Event, its calendar sequence already raised; receivers return a list of
# ``mail.bulk.Unsent`` (who could not be written to).
event_rescheduled = _signals.signal("event-rescheduled")
# sender: the Event, already cancelled; receivers return a list of ``Unsent``.
event_cancelled = _signals.signal("event-cancelled")
# sender: a Registration about to be sent a calendar; a receiver returns the ``calendars.Entry``
# the person already has for this event (the invitation they answered), so that the
# registration's invites update that entry instead of adding a second one.
registration_calendar_entry = _signals.signal("registration-calendar-entry")
# sender: the Event whose check-in page is drawn or whose desk counts changed; receivers return
# a list of (element id, Markup) shown on the desk and refreshed with the counts (a body's
# quorum, issue 18).
checkin_panels = _signals.signal("checkin-panels")


def returned(results) -> list:
    """The lists the receivers returned from ``signal.send()``, joined (None counts as empty)."""
    return [item for _receiver, value in results for item in (value or ())]
