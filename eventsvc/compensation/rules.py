"""What a participant is owed: pure rules, no Flask, no database.

Here: whole claims and quotes; the terms (money, errors, kinds, scales, inputs, outputs) are in
``rules_terms``, the rules of each kind of line in ``rules_lines``; every public name of both is
imported from here.

Inputs are plain dataclasses (a ``Scale`` version, an ``Attendance``, a ``Declaration``); the
output is a ``Claim``: lines (kind, description, quantity, unit, rate, amount) and a total. Money is
``Decimal``, each line rounded to the cent, half up, and every line satisfies
``amount == round(quantity × rate)``. The same inputs always give the same claim.

Mileage follows the public-service scale (arrêté du 3 juillet 2006 fixant les taux des indemnités
kilométriques): a rate per fiscal horsepower band (chevaux fiscaux, the « CV » of the carte grise)
and per band of kilometres reimbursed to this person by this organisation since 1 January,
« jusqu'à 2 000 km », « de 2 001 à 10 000 km », « après 10 000 km ». Each kilometre is paid at the
rate of the band it falls in, so a trip that crosses a threshold is split there: the 2,001st
kilometre of the year is the first one paid at the middle rate.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from ..common.wording import N_, Message
from .rules_lines import (
    carpooling_line,
    check_not_negative,
    childcare_line,
    meal_line,
    mileage_lines,
    public_transport_line,
    split_by_distance_band,
    time_line,
    two_wheeler_line,
)
from .rules_terms import (
    BAND_LIMITS,
    CENT,
    LUNCH_END,
    LUNCH_START,
    ZERO,
    Attendance,
    AttendedDay,
    AttendedPart,
    CarRates,
    ChildcareRate,
    Claim,
    ClaimLine,
    CompensationError,
    Declaration,
    DistanceBand,
    HorsepowerBand,
    InvalidDeclaration,
    LineKind,
    MissingRate,
    NoScaleInForce,
    PaymentForm,
    PublicTransport,
    Scale,
    TimeBasis,
    TimeCompensation,
    TransportMode,
    Unit,
    money,
    scale_in_force,
)

__all__ = [
    "Attendance",
    "AttendedDay",
    "AttendedPart",
    "BAND_LIMITS",
    "CENT",
    "CarRates",
    "ChildcareRate",
    "Claim",
    "ClaimLine",
    "CompensationError",
    "Declaration",
    "DistanceBand",
    "HorsepowerBand",
    "InvalidDeclaration",
    "LUNCH_END",
    "LUNCH_START",
    "LineKind",
    "MissingRate",
    "NoScaleInForce",
    "PaidCosts",
    "PaymentForm",
    "PublicTransport",
    "Scale",
    "TimeBasis",
    "TimeCompensation",
    "TransportMode",
    "Unit",
    "ZERO",
    "carpooling_line",
    "childcare_line",
    "compute_claim",
    "meal_line",
    "mileage_lines",
    "money",
    "paid_costs",
    "paid_costs_sentence",
    "public_transport_line",
    "quote",
    "scale_in_force",
    "split_by_distance_band",
    "time_line",
    "two_wheeler_line",
]


# --- Whole claims ---------------------------------------------------------------------------------

# Checks that ``rules_states`` may say more plainly as a reason « à compléter » (and then hides).
CHECK_DISTANCE_UNKNOWN = N_(
    "Distance du trajet inconnue : indiquez-la pour calculer l'indemnité kilométrique."
)
CHECK_DISTANCE_NOT_IN_TABLE = N_(
    "Distance déclarée par la personne, absente du distancier : vérifiez-la avant de valider."
)
CHECK_CHILDCARE_NOT_IN_SCALE = N_(  # with the scale's id as %(scale)s
    "Garde d'enfants déclarée, mais le barème %(scale)s ne la prévoit pas : réglez-la à part "
    "ou changez de barème."
)


def compute_claim(scale: Scale, attendance: Attendance, declaration: Declaration) -> Claim:
    """The claim of one person for one event: only attended days count; a no-show gets nothing.

    Per attended day: one round trip (the driver's kilometres advance the yearly count, which
    restarts at zero on 1 January), a meal when present across lunch and lunch is not provided,
    childcare hours capped per day, time compensation. Then public transport on receipt, capped per
    attended day. Raises ``MissingRate`` when the scale lacks the driver's horsepower band.
    """
    if not attendance.days:
        return Claim(scale.id)
    lines: list[ClaimLine] = []
    checks: list[Message] = []
    mode, km = declaration.transport, declaration.round_trip_km
    check_not_negative(
        km,
        declaration.km_this_year,
        declaration.childcare_hours,
        declaration.public_transport_receipt,
    )
    travels_by_road = mode in {
        TransportMode.CAR_DRIVER,
        TransportMode.MOTORCYCLE,
        TransportMode.MOPED,
    }
    if travels_by_road and km is None:
        checks.append(CHECK_DISTANCE_UNKNOWN)
    elif travels_by_road and not declaration.distance_from_table:
        checks.append(CHECK_DISTANCE_NOT_IN_TABLE)
    km_before, year = declaration.km_this_year, attendance.days[0].day.year
    for attended in attendance.days:
        day = attended.day
        if day.year != year:
            km_before, year = ZERO, day.year
        if mode == TransportMode.CAR_DRIVER and km is not None:
            lines += mileage_lines(scale, declaration.fiscal_horsepower, km, km_before, day)
            km_before += km
        elif mode in {TransportMode.MOTORCYCLE, TransportMode.MOPED} and km is not None:
            lines.append(two_wheeler_line(scale, mode, km, day))
        elif mode == TransportMode.CAR_PASSENGER:
            lines.append(carpooling_line(km, day))
        if attended.across_lunch and not attendance.lunch_provided and scale.meal_rate is not None:
            lines.append(meal_line(scale, 1, day))
        if declaration.childcare_hours > 0 and scale.childcare is not None:
            lines.append(childcare_line(scale, declaration.childcare_hours, day))
        if (time_spent := time_line(scale, attended)) is not None:
            lines.append(time_spent)
    if declaration.childcare_hours > 0 and scale.childcare is None:
        checks.append(replace(CHECK_CHILDCARE_NOT_IN_SCALE, params=(("scale", scale.id),)))
    receipt = declaration.public_transport_receipt
    if receipt:
        if scale.public_transport is None:
            checks.append(
                N_(
                    "Justificatif de transport saisi, mais le barème %(scale)s ne prévoit pas "
                    "le remboursement des transports en commun.",
                    scale=scale.id,
                )
            )
        else:
            lines.append(public_transport_line(scale, receipt, len(attendance.days)))
    return Claim(scale.id, tuple(lines), tuple(checks))


def quote(
    scale: Scale,
    fiscal_horsepower: int,
    km: Decimal,
    km_this_year: Decimal,
    meals: int = 0,
    childcare_hours: Decimal = ZERO,
) -> Claim:
    """What one day would pay a driver (the simulator): one trip, ``meals`` meals, childcare.

    Unlike a claim, what is asked for explicitly and not defined by the scale is refused.
    """
    check_not_negative(Decimal(meals), childcare_hours)
    lines = mileage_lines(scale, fiscal_horsepower, km, km_this_year)
    if meals:
        lines.append(meal_line(scale, meals))
    if childcare_hours:
        lines.append(childcare_line(scale, childcare_hours))
    return Claim(scale.id, tuple(lines))


# --- What a scale pays (what the participant's form asks) ---------------------------------------


@dataclass(frozen=True)
class PaidCosts:
    """Which costs a scale version pays: the declaration asks only about these."""

    public_transport: bool = False
    car: bool = False
    two_wheelers: bool = False
    meals: bool = False
    childcare: bool = False
    time: bool = False

    @property
    def distance(self) -> bool:
        """Is a round-trip distance worth asking (paid per kilometre)?"""
        return self.car or self.two_wheelers

    @property
    def anything(self) -> bool:
        return any(vars(self).values())


def paid_costs(scale: Scale) -> PaidCosts:
    """What ``scale`` pays: a table the scale leaves out is not paid (carpooling never is)."""
    return PaidCosts(
        public_transport=scale.public_transport is not None,
        car=bool(scale.car_rates),
        two_wheelers=scale.motorcycle_rate is not None or scale.moped_rate is not None,
        meals=scale.meal_rate is not None,
        childcare=scale.childcare is not None,
        time=scale.time is not None,
    )


def paid_costs_sentence(costs: PaidCosts) -> Message:
    """« Les organisateurs indemnisent : le transport en commun, les kilomètres en voiture et le
    repas. », in the order a participant thinks of them (getting there, then the day)."""
    items: list[Message] = []
    if costs.public_transport:
        items.append(N_("le transport en commun"))
    if costs.car and costs.two_wheelers:
        items.append(N_("les kilomètres en voiture ou en deux-roues motorisé"))
    elif costs.car:
        items.append(N_("les kilomètres en voiture"))
    elif costs.two_wheelers:
        items.append(N_("les kilomètres en deux-roues motorisé"))
    if costs.meals:
        items.append(N_("le repas"))
    if costs.childcare:
        items.append(N_("la garde d'enfants"))
    if costs.time:
        items.append(N_("le temps passé"))
    if not items:
        return N_("Le barème de cet événement n'indemnise aucun frais.")
    listed = items[-1]
    if len(items) > 1:
        listed = N_("%(first)s et %(last)s", first=items[-2], last=items[-1])
        for item in reversed(items[:-2]):
            listed = N_("%(first)s, %(rest)s", first=item, rest=listed)
    return N_("Les organisateurs indemnisent : %(costs)s.", costs=listed)
