"""How each participant said they would come, as the sign-in sheet needs it, without importing
the compensation domain (which sits above attendance and imports it).

The sheet's transport column has four boxes; the one matching a participant's declaration is
printed ticked, so the person only checks it on the day. The declarations belong to
compensation: it registers its read here at wiring time (``compensation.sheet_transport.wire``,
called by ``create_app``), the way registrations answer ``events.audience``. Only the box to tick
(and a word of detail) crosses the boundary, never a declaration row.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..events.models import Event


class Box(enum.StrEnum):
    """The boxes of the sheet's transport column, in their printed order."""

    CAR = "car"
    CARPOOL = "carpool"
    PUBLIC_TRANSPORT = "public_transport"
    OTHER = "other"


@dataclass(frozen=True)
class Declared:
    box: Box
    detail: object = ""  # printed after « Autre » (e.g. « vélo ou à pied »): a str or lazy string


_read: Callable[[Event], dict[int, Declared]] | None = None


def register(read: Callable[[Event], dict[int, Declared]]) -> None:
    """From the compensation domain's wiring: registration id → the declared box, for the
    registrations of an event that declared how they come."""
    global _read
    _read = read


def declared(event: Event) -> dict[int, Declared]:
    if _read is None:  # a programming error: blank boxes would silently drop declarations
        raise RuntimeError("attendance.declared_transport: compensation has not registered")
    return _read(event)
