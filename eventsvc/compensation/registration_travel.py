"""The travel and childcare each participant declared, as the registrations table shows it in a
row's details (see ``registrations.declared_travel``): registered at wiring time, since
registrations may not import compensation."""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from ..events.models import Event
from ..extensions import db
from ..i18n import amount, number
from ..registrations import declared_travel
from ..registrations.declared_travel import Line
from ..registrations.models import Registration
from .forms import TRANSPORT_LABELS
from .models import TravelDeclaration
from .rules import TransportMode


def _transport(declaration: TravelDeclaration) -> str:
    known = {mode.value for mode in TransportMode}
    if declaration.transport not in known:
        return ""
    label = str(TRANSPORT_LABELS[TransportMode(declaration.transport)])
    if declaration.fiscal_horsepower:
        label = _("%(mode)s, %(cv)s CV", mode=label, cv=declaration.fiscal_horsepower)
    return label


def _distance(declaration: TravelDeclaration) -> str:
    km = declaration.round_trip_km
    if km is None:
        return _("inconnue (lieu absent du distancier)") if declaration.origin else ""
    if declaration.distance_checked_by:
        return _("%(km)s km, vérifiée par l'organisation", km=number(km))
    if declaration.distance_from_table:
        return _("%(km)s km, d'après le distancier", km=number(km))
    return _("%(km)s km, déclarée", km=number(km))


def _tickets(declaration: TravelDeclaration) -> str:
    if declaration.transport != TransportMode.PUBLIC_TRANSPORT.value:
        return ""
    if declaration.public_transport_receipt is None:
        return _("montant à saisir d'après les justificatifs")
    return amount(declaration.public_transport_receipt)


def _childcare(declaration: TravelDeclaration) -> str:
    if not declaration.childcare_needed:
        return ""
    if declaration.childcare_hours is None:
        return _("oui, heures non précisées")
    return _("%(hours)s h par jour", hours=number(declaration.childcare_hours))


def lines(declaration: TravelDeclaration) -> list[Line]:
    """The declaration in the words of the registrations page, empty values left out."""
    values = [
        (_("Trajet"), _transport(declaration)),
        (_("Au départ de"), declaration.origin),
        (_("Distance aller-retour"), _distance(declaration)),
        (_("Billets"), _tickets(declaration)),
        (_("Garde d'enfants"), _childcare(declaration)),
        (_("Note sur les frais"), declaration.note),
    ]
    return [Line(term, value) for term, value in values if value]


def declared_lines(event: Event, registration_ids: list[int]) -> dict[int, list[Line]]:
    """Registration id → the lines of its declaration, in one query for the page's rows."""
    rows = db.session.scalars(
        select(TravelDeclaration)
        .join(Registration, Registration.id == TravelDeclaration.registration_id)
        .where(
            Registration.event_id == event.id,
            TravelDeclaration.registration_id.in_(registration_ids),
        )
    ).all()
    result = {row.registration_id: lines(row) for row in rows}
    return {registration_id: found for registration_id, found in result.items() if found}


def wire() -> None:
    """From ``create_app``: answer the registrations table's question."""
    declared_travel.register(declared_lines)
