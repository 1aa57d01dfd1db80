"""Who signed up to an event, as the events domain needs to know it, without importing the
registrations domain (which sits above events and imports it).

Three organiser changes depend on the people registered: one that moves the event asks first and
says how many people it concerns (:class:`ConfirmationNeeded`), an event with registrations does
not go back to draft, and a part that someone chose cannot be deleted. Those are two counts, which
the registrations domain answers: it registers its reads here at wiring time
(``registrations.init_app``, called by ``create_app``), the way it subscribes to
``signals.event_rescheduled``. A query rather than a domain event, because events needs the
answer before it decides; and only counts cross the boundary, never registration rows.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import Event, Part

_active: Callable[[Event], int] | None = None
_choosing: Callable[[Part], int] | None = None


def register(*, active: Callable[[Event], int], choosing: Callable[[Part], int]) -> None:
    """From the registrations domain's ``init_app``: how many people are registered (confirmed
    or waiting) to an event, and how many of them chose a given part (registered for some parts
    only)."""
    global _active, _choosing
    _active, _choosing = active, choosing


def active_registrations(event: Event) -> int:
    """People registered to ``event``, confirmed or on the waiting list."""
    return _wired(_active)(event)


def chosen_by(part: Part) -> int:
    """People registered (confirmed or waiting) who chose ``part`` among the parts."""
    return _wired(_choosing)(part)


def _wired(read):
    if read is None:  # a programming error: counting as zero would let changes through unasked
        raise RuntimeError("events.audience: the registrations domain has not registered its reads")
    return read
