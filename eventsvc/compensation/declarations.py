"""The participant's travel and childcare declaration: saving it, and the distance it implies.

The distance comes from the organisation's distance table when the person's commune is in it
(round trip = twice the one-way distance). A typed distance is kept; it counts as « from the
table » only when it equals the table's, otherwise the claim is flagged for the organiser to check.
The person may change the declaration until the organiser validates their claim. Functions flush;
the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal

from sqlalchemy import select

from ..audit import service as audit
from ..common.wording import N_
from ..database import utcnow
from ..events.models import Event
from ..extensions import db
from ..registrations.models import Registration
from . import catalogue, distances, presets
from .models import Claim, ClaimStatus, TravelDeclaration
from .rules import CompensationError, PaidCosts, TransportMode, paid_costs


class DeclarationLocked(CompensationError):
    """The claim was validated: the declaration is now the organiser's record."""

    def __init__(self):
        super().__init__(
            N_(
                "Vos frais ont déjà été validés par l'organisateur : pour toute correction, "
                "écrivez-lui."
            )
        )


class CompensationNotOffered(CompensationError):
    def __init__(self, event: Event):
        super().__init__(
            N_("L'événement %(slug)s ne prévoit pas d'indemnisation.", slug=event.slug)
        )


@dataclass(frozen=True)
class DeclarationInput:
    origin: str
    transport: TransportMode | None
    fiscal_horsepower: int | None = None
    round_trip_km: Decimal | None = None  # None: take it from the distance table
    childcare_needed: bool = False
    childcare_hours: Decimal | None = None
    note: str = ""

    @classmethod
    def nothing(cls) -> DeclarationInput:
        return cls(origin="", transport=None)

    @property
    def empty(self) -> bool:
        return self.transport is None and not self.origin and not self.note


def declaration_of(registration: Registration) -> TravelDeclaration | None:
    return db.session.scalar(
        select(TravelDeclaration).where(TravelDeclaration.registration_id == registration.id)
    )


def can_change(registration: Registration) -> bool:
    """Until the organiser validates the claim (and while the event offers compensation)."""
    if not registration.event.compensation_offered:
        return False
    status = db.session.scalar(select(Claim.status).where(Claim.registration_id == registration.id))
    return status in (None, ClaimStatus.DRAFT)


def paid_costs_of(event: Event) -> PaidCosts | None:
    """What the event's scale pays, in the version in force on its first day (as its claims are
    computed); None when that is not known (no compensation, no scale or no parts yet, a scale
    missing from the catalogue): then the form promises nothing in particular."""
    if not event.compensation_offered or not event.compensation_scale or not event.days:
        return None
    try:
        return paid_costs(catalogue.resolve(event.compensation_scale, event.days[0]))
    except (CompensationError, presets.InvalidScaleData):
        return None


def distance_for(event: Event, origin: str) -> Decimal | None:
    """Round trip from ``origin`` to the event's venue commune, from the table; None if unknown."""
    return distances.round_trip(origin, event.venue_commune)


def communes_for(event: Event) -> list[str]:
    """Communes the table knows a distance from to the event's venue: suggestions on the form."""
    return distances.communes_towards(event.venue_commune)


def save(
    registration: Registration,
    data: DeclarationInput,
    *,
    actor=None,
    actor_label: str | None = None,
) -> TravelDeclaration | None:
    """Record (or replace) the declaration; an empty one removes it. Returns what is stored.

    Who declares is named as for :func:`audit.record`: ``actor_label=audit.PARTICIPANT`` from the
    person's own pages, ``actor=`` an organiser's account otherwise. A change leaves one audit line,
    ``declaration.saved`` with the changed fields or ``declaration.removed``; none when nothing
    changed.
    """
    event = registration.event
    if not event.compensation_offered:
        raise CompensationNotOffered(event)
    if not can_change(registration):
        raise DeclarationLocked()
    declaration = declaration_of(registration)
    if data.empty:
        if declaration is not None:
            db.session.delete(declaration)
            db.session.flush()
            audit.record(
                "declaration.removed",
                actor=actor,
                actor_label=actor_label,
                registration=registration,
            )
        return None
    table_km = distance_for(event, data.origin)
    km, from_table = data.round_trip_km, False
    if km is None and table_km is not None:
        km, from_table = table_km, True
    elif km is not None:
        from_table = table_km is not None and km == table_km
    values = {
        "origin": data.origin,
        "transport": data.transport.value if data.transport else "",
        "fiscal_horsepower": (
            data.fiscal_horsepower if data.transport == TransportMode.CAR_DRIVER else None
        ),
        "round_trip_km": km,
        "distance_from_table": from_table,
        "table_round_trip_km": table_km,
        "childcare_needed": data.childcare_needed,
        "childcare_hours": data.childcare_hours if data.childcare_needed else None,
        "note": data.note,
    }
    if declaration is None:
        before = {}
        declaration = TravelDeclaration(registration_id=registration.id)
        db.session.add(declaration)
    elif all(getattr(declaration, name) == value for name, value in values.items()):
        return declaration  # nothing changed: the claim is not made stale
    else:
        before = {name: getattr(declaration, name) for name in values}
    if declaration.round_trip_km != km:
        declaration.distance_checked_by = ""
        declaration.distance_checked_at = None
    if (declaration.childcare_needed, declaration.childcare_hours) != (
        values["childcare_needed"],
        values["childcare_hours"],
    ):
        declaration.childcare_set_aside = ""  # a new childcare declaration: decided again
    for name, value in values.items():
        setattr(declaration, name, value)
    declaration.updated_at = utcnow()
    db.session.flush()
    audit.record(
        "declaration.saved",
        actor=actor,
        actor_label=actor_label,
        registration=registration,
        details={"changes": audit.changes(before, values)},
    )
    return declaration


def check_distance(registration: Registration, round_trip_km: Decimal, by: str) -> None:
    """The organiser checked (or corrected) a distance the table did not confirm."""
    declaration = _existing(registration)
    if round_trip_km < 0:
        raise ValueError("negative distance")
    declaration.round_trip_km = round_trip_km
    declaration.distance_checked_by = by
    declaration.distance_checked_at = utcnow()
    declaration.updated_at = utcnow()
    db.session.flush()


def set_childcare_aside(registration: Registration, reason: str) -> None:
    """The organiser will not pay the childcare declared (the scale pays none), for ``reason``."""
    declaration = _existing(registration)
    if not declaration.childcare_needed:
        raise ValueError("no childcare declared")
    declaration.childcare_set_aside = reason
    declaration.updated_at = utcnow()
    db.session.flush()


def set_public_transport_receipt(
    registration: Registration, amount: Decimal | None, by: str
) -> None:
    """The organiser enters the total of the tickets' receipts (None removes it)."""
    declaration = _existing(registration)
    if amount is not None and amount < 0:
        raise ValueError("negative amount")
    declaration.public_transport_receipt = amount
    declaration.updated_at = utcnow()
    db.session.flush()


def _existing(registration: Registration) -> TravelDeclaration:
    if not can_change(registration):
        raise DeclarationLocked()
    declaration = declaration_of(registration)
    if declaration is None:
        raise LookupError(f"registration {registration.public_id} declared nothing")
    return declaration


def snapshot(declaration: TravelDeclaration) -> dict:
    """The declaration as plain JSON, kept on the claim computed from it."""
    result = {}
    for column in fields(_Snapshot):
        value = getattr(declaration, column.name)
        result[column.name] = str(value) if isinstance(value, Decimal) else value
    return result


@dataclass
class _Snapshot:
    origin: str
    transport: str
    fiscal_horsepower: int | None
    round_trip_km: Decimal | None
    distance_from_table: bool
    table_round_trip_km: Decimal | None
    childcare_needed: bool
    childcare_hours: Decimal | None
    note: str
    public_transport_receipt: Decimal | None
    distance_checked_by: str
    childcare_set_aside: str
