"""What each participant declared of their travel and childcare, as the registrations table shows
it in a row's details, without importing the compensation domain (which sits above registrations
and imports it).

Compensation registers its read here at wiring time (``compensation.registration_travel.wire``,
called by ``create_app``), the way it answers ``attendance.declared_transport``. Only worded lines
(a term and its value) cross the boundary, never a declaration row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..events.models import Event


@dataclass(frozen=True)
class Line:
    """One line of a row's details: « Trajet » → « En voiture, je conduis, 5 CV »."""

    term: object  # a str or lazy string
    value: str


Read = Callable[["Event", list[int]], dict[int, list[Line]]]
_read: Read | None = None


def register(read: Read) -> None:
    """From the compensation domain's wiring: registration id → the lines of its declaration,
    for those of the given registrations (of this event) that declared something."""
    global _read
    _read = read


def declared(event: Event, registration_ids: list[int]) -> dict[int, list[Line]]:
    if _read is None:  # a programming error: the details would silently lose the declarations
        raise RuntimeError("registrations.declared_travel: compensation has not registered")
    return _read(event, registration_ids) if registration_ids else {}
