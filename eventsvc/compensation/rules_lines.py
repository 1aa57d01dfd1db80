"""The compensation rules one kind of line at a time: mileage split by yearly distance band,
two-wheelers, carpooling, meals, childcare, time, public transport. The simulator calls these
directly; ``rules.compute_claim`` puts them together. Pure: no Flask, no database.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ..common.wording import N_, Amount
from .rules_terms import (
    BAND_LIMITS,
    CENT,
    ZERO,
    AttendedDay,
    ClaimLine,
    DistanceBand,
    HorsepowerBand,
    InvalidDeclaration,
    LineKind,
    MissingRate,
    Scale,
    TimeBasis,
    TransportMode,
    Unit,
    make_line,
    money,
)

# --- Rules, one kind at a time (the simulator calls these directly) -------------------------------


def split_by_distance_band(km_before: Decimal, km: Decimal) -> list[tuple[DistanceBand, Decimal]]:
    """Kilometres of a trip per yearly band, given the kilometres already reimbursed this year.

    ``split_by_distance_band(1950, 120)`` → 50 km up to 2,000 and 70 km from 2,001 to 10,000.
    """
    segments = []
    start, end, lower = km_before, km_before + km, ZERO
    for band, upper in zip(DistanceBand, (*BAND_LIMITS, None), strict=True):
        low = max(start, lower)
        high = end if upper is None else min(end, upper)
        if high > low:
            segments.append((band, high - low))
        lower = upper if upper is not None else lower
    return segments


def mileage_lines(
    scale: Scale,
    fiscal_horsepower: int,
    km: Decimal,
    km_before: Decimal,
    day: date | None = None,
) -> list[ClaimLine]:
    """One car trip of ``km`` by its driver: a line per yearly band the trip touches."""
    check_not_negative(km, km_before)
    if fiscal_horsepower is None or fiscal_horsepower < 1:
        raise InvalidDeclaration(
            N_(
                "Indiquez la puissance fiscale de la voiture (en chevaux fiscaux, « CV », "
                "sur la carte grise) pour calculer l'indemnité kilométrique."
            )
        )
    band = HorsepowerBand.of(fiscal_horsepower)
    rates = scale.car_rates.get(band)
    if rates is None:
        raise MissingRate(
            N_(
                "Le barème %(scale)s ne définit pas de taux pour les voitures de %(band)s : "
                "choisissez un autre barème ou complétez celui-ci.",
                scale=scale.id,
                band=band.label,
            )
        )
    return [
        make_line(
            LineKind.MILEAGE,
            N_(
                "Indemnité kilométrique, voiture de %(band)s, %(distance_band)s",
                band=band.label,
                distance_band=distance_band.label,
            ),
            quantity,
            Unit.KM,
            rates[distance_band.index],
            day,
        )
        for distance_band, quantity in split_by_distance_band(km_before, km)
    ]


def two_wheeler_line(
    scale: Scale, mode: TransportMode, km: Decimal, day: date | None = None
) -> ClaimLine:
    check_not_negative(km)
    if mode == TransportMode.MOTORCYCLE:
        rate = scale.motorcycle_rate
        vehicle = N_("motocyclette de plus de 125 cm³")
    else:
        rate = scale.moped_rate
        vehicle = N_("vélomoteur ou autre véhicule à moteur")
    if rate is None:
        raise MissingRate(
            N_(
                "Le barème %(scale)s ne définit pas de taux pour : %(vehicle)s. Choisissez un "
                "autre barème ou complétez celui-ci.",
                scale=scale.id,
                vehicle=vehicle,
            )
        )
    description = N_("Indemnité kilométrique, %(vehicle)s", vehicle=vehicle)
    return make_line(LineKind.TWO_WHEELER, description, km, Unit.KM, rate, day)


def carpooling_line(km: Decimal | None, day: date | None = None) -> ClaimLine:
    """A passenger's trip, at zero: kept so that carpooling shows on the claim and in exports."""
    description = N_("Covoiturage, passager : seul le conducteur reçoit l'indemnité kilométrique")
    return make_line(LineKind.CARPOOLING, description, km or ZERO, Unit.KM, ZERO, day)


def meal_line(scale: Scale, meals: int, day: date | None = None) -> ClaimLine:
    if scale.meal_rate is None:
        raise MissingRate(
            N_(
                "Le barème %(scale)s ne prévoit pas d'indemnité de repas : choisissez un autre "
                "barème ou complétez celui-ci.",
                scale=scale.id,
            )
        )
    description = N_("Indemnité de repas (déjeuner non fourni)")
    return make_line(LineKind.MEAL, description, Decimal(meals), Unit.MEAL, scale.meal_rate, day)


def childcare_line(scale: Scale, hours: Decimal, day: date | None = None) -> ClaimLine:
    """Hours of childcare for one day, at the hourly rate, capped in hours per day."""
    check_not_negative(hours)
    rule = scale.childcare
    if rule is None:
        raise MissingRate(
            N_(
                "Le barème %(scale)s ne prévoit pas la garde d'enfants : choisissez un autre "
                "barème ou complétez celui-ci.",
                scale=scale.id,
            )
        )
    cap = rule.max_hours_per_day
    if cap is not None and hours > cap:
        description = N_(
            "Garde d'enfants (%(declared)s h déclarées, plafonnées à %(cap)s h par jour)",
            declared=hours,
            cap=cap,
        )
        hours = cap
    else:
        description = N_("Garde d'enfants")
    return make_line(LineKind.CHILDCARE, description, hours, Unit.HOUR, rule.hourly_rate, day)


def time_line(scale: Scale, day: AttendedDay) -> ClaimLine | None:
    rule = scale.time
    if rule is None:
        return None
    if rule.basis == TimeBasis.PER_PART:
        quantity, unit = Decimal(len(day.parts)), Unit.PART
        description = N_(
            "Temps passé, forfait par partie suivie, en %(form)s", form=rule.payment_form.label
        )
    else:
        hours = sum((part.hours for part in day.parts), ZERO)
        quantity, unit = hours.quantize(CENT, rounding=ROUND_HALF_UP), Unit.HOUR
        description = N_(
            "Temps passé, à l'heure de présence, en %(form)s", form=rule.payment_form.label
        )
    return make_line(
        LineKind.TIME, description, quantity, unit, rule.rate, day.day, rule.payment_form
    )


def public_transport_line(scale: Scale, receipt: Decimal, days: int) -> ClaimLine:
    check_not_negative(receipt)
    rule = scale.public_transport
    if rule is None:
        raise MissingRate(
            N_(
                "Le barème %(scale)s ne prévoit pas le remboursement des transports en commun : "
                "choisissez un autre barème ou complétez celui-ci.",
                scale=scale.id,
            )
        )
    amount = money(receipt)
    description = N_("Transports en commun, sur justificatif")
    if rule.cap_per_day is not None and amount > rule.cap_per_day * days:
        cap = money(rule.cap_per_day * days)
        description = N_(
            "Transports en commun, sur justificatif de %(receipt)s, plafonné à %(cap)s "
            "(%(cap_per_day)s par jour de présence)",
            receipt=Amount(amount),
            cap=Amount(cap),
            cap_per_day=Amount(rule.cap_per_day),
        )
        amount = cap
    return make_line(LineKind.PUBLIC_TRANSPORT, description, Decimal(1), Unit.RECEIPT, amount)


def check_not_negative(*values: Decimal | None) -> None:
    if any(value is not None and value < 0 for value in values):
        raise InvalidDeclaration(
            N_("Les distances, heures et montants ne peuvent pas être négatifs : corrigez-les.")
        )
