"""The transport each participant declared, as the sign-in sheet prints it (see
``attendance.declared_transport``): registered at wiring time, since attendance may not import
compensation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..attendance import declared_transport
from ..attendance.declared_transport import Box, Declared
from ..events.models import Event
from ..extensions import db
from ..registrations.models import Registration
from .models import TravelDeclaration
from .rules import TransportMode

BOXES = {
    TransportMode.CAR_DRIVER: Declared(Box.CAR),
    TransportMode.CAR_PASSENGER: Declared(Box.CARPOOL),
    TransportMode.PUBLIC_TRANSPORT: Declared(Box.PUBLIC_TRANSPORT),
    TransportMode.MOTORCYCLE: Declared(Box.OTHER, _l("moto")),
    TransportMode.MOPED: Declared(Box.OTHER, _l("deux-roues à moteur")),
    TransportMode.BIKE_OR_FOOT: Declared(Box.OTHER, _l("vélo ou à pied")),
    TransportMode.OTHER: Declared(Box.OTHER),
}


def declared_boxes(event: Event) -> dict[int, Declared]:
    """Registration id → the box to tick, for those of the event who said how they come (a
    declaration of childcare alone names no transport: nothing ticked)."""
    rows = db.session.execute(
        select(TravelDeclaration.registration_id, TravelDeclaration.transport)
        .join(Registration, Registration.id == TravelDeclaration.registration_id)
        .where(Registration.event_id == event.id, TravelDeclaration.transport != "")
    ).all()
    known = {mode.value for mode in TransportMode}
    return {
        registration_id: BOXES[TransportMode(mode)]
        for registration_id, mode in rows
        if mode in known
    }


def wire() -> None:
    """From ``create_app``: answer the sign-in sheet's question."""
    declared_transport.register(declared_boxes)
