"""What a participant is owed: pure rules, no Flask, no database.

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

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from ..common.errors import DomainError
from ..common.wording import N_, Amount, Message

CENT = Decimal("0.01")
ZERO = Decimal(0)
# Upper limits of the first two yearly distance bands, in km; the third band has none.
BAND_LIMITS = (Decimal(2000), Decimal(10000))
# Present at or before noon and until 2 pm or later on the same day: attended across lunch.
LUNCH_START, LUNCH_END = time(12), time(14)


def money(value: Decimal) -> Decimal:
    """Round to the cent, half up: 12.345 → 12.35."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class CompensationError(DomainError, ValueError):
    """A refusal with a message for the organiser; ``message`` is a translatable ``Message``."""

    def __init__(self, message: Message):
        super().__init__(message.render())
        self.message = message


class MissingRate(CompensationError):
    """The scale does not define the rate this case needs; no rate is ever invented."""


class NoScaleInForce(CompensationError):
    """No version of the scale applies yet on that date."""


class InvalidDeclaration(CompensationError):
    """The declaration cannot be computed (negative distance, driver without horsepower...)."""


class TransportMode(enum.StrEnum):
    CAR_DRIVER = "car_driver"
    CAR_PASSENGER = "car_passenger"  # carpooling: recorded, not paid
    MOTORCYCLE = "motorcycle"  # motocyclette, over 125 cm³
    MOPED = "moped"  # vélomoteur and other motor two-wheelers
    PUBLIC_TRANSPORT = "public_transport"
    BIKE_OR_FOOT = "bike_or_foot"
    OTHER = "other"


class HorsepowerBand(enum.StrEnum):
    UP_TO_5 = "5cv_or_less"
    FROM_6_TO_7 = "6_7cv"
    FROM_8 = "8cv_or_more"

    @classmethod
    def of(cls, fiscal_horsepower: int) -> HorsepowerBand:
        if fiscal_horsepower <= 5:
            return cls.UP_TO_5
        return cls.FROM_6_TO_7 if fiscal_horsepower <= 7 else cls.FROM_8

    @property
    def label(self) -> Message:
        return {
            HorsepowerBand.UP_TO_5: N_("5 CV et moins"),
            HorsepowerBand.FROM_6_TO_7: N_("6 et 7 CV"),
            HorsepowerBand.FROM_8: N_("8 CV et plus"),
        }[self]


class DistanceBand(enum.StrEnum):
    UP_TO_2000 = "up_to_2000"
    FROM_2001_TO_10000 = "2001_to_10000"
    BEYOND_10000 = "beyond_10000"

    @property
    def index(self) -> int:
        """Position of this band's rate in a scale's triple of car rates."""
        return list(DistanceBand).index(self)

    @property
    def label(self) -> Message:
        return {
            DistanceBand.UP_TO_2000: N_("jusqu'à 2 000 km dans l'année"),
            DistanceBand.FROM_2001_TO_10000: N_("de 2 001 à 10 000 km dans l'année"),
            DistanceBand.BEYOND_10000: N_("au-delà de 10 000 km dans l'année"),
        }[self]


class LineKind(enum.StrEnum):
    MILEAGE = "mileage"  # car driven by the person: the only kind that counts in yearly bands
    TWO_WHEELER = "two_wheeler"
    CARPOOLING = "carpooling"
    MEAL = "meal"
    CHILDCARE = "childcare"
    TIME = "time"
    PUBLIC_TRANSPORT = "public_transport"


class Unit(enum.StrEnum):
    KM = "km"
    MEAL = "meal"
    HOUR = "hour"
    PART = "part"
    RECEIPT = "receipt"

    @property
    def label(self) -> Message:
        return {
            Unit.KM: N_("km"),
            Unit.MEAL: N_("repas"),
            Unit.HOUR: N_("h"),
            Unit.PART: N_("partie(s)"),
            Unit.RECEIPT: N_("justificatif"),
        }[self]


class PaymentForm(enum.StrEnum):
    BANK_TRANSFER = "bank_transfer"
    VOUCHERS = "vouchers"  # bons d'achat
    SERVICE_TICKETS = "service_tickets"  # titres-services (CESU...)

    @property
    def label(self) -> Message:
        return {
            PaymentForm.BANK_TRANSFER: N_("virement"),
            PaymentForm.VOUCHERS: N_("bons d'achat"),
            PaymentForm.SERVICE_TICKETS: N_("titres-services"),
        }[self]


class TimeBasis(enum.StrEnum):
    PER_PART = "per_part"
    PER_HOUR = "per_hour"


# --- Scales ---------------------------------------------------------------------------------------

CarRates = tuple[Decimal, Decimal, Decimal]  # € per km: up to 2,000 / 2,001-10,000 / beyond


@dataclass(frozen=True)
class ChildcareRate:
    hourly_rate: Decimal
    max_hours_per_day: Decimal | None = None  # e.g. 3 h a day for children under 3


@dataclass(frozen=True)
class TimeCompensation:
    basis: TimeBasis
    rate: Decimal  # € per attended part, or per attended hour
    payment_form: PaymentForm = PaymentForm.BANK_TRANSFER


@dataclass(frozen=True)
class PublicTransport:
    """Tickets reimbursed on receipt; the organiser enters the amount after checking it."""

    cap_per_day: Decimal | None = None  # per attended day; None: the whole receipt


@dataclass(frozen=True)
class Scale:
    """One version of a scale. Versions of the same scale share a ``family``.

    A part left as None (or a horsepower band missing from ``car_rates``) is not defined by this
    scale: the rules refuse to pay it rather than guess a rate.
    """

    id: str
    family: str
    name: str
    valid_from: date
    reference: str  # the legal text or deliberation the rates come from
    car_rates: Mapping[HorsepowerBand, CarRates] = field(default_factory=dict)
    motorcycle_rate: Decimal | None = None
    moped_rate: Decimal | None = None
    meal_rate: Decimal | None = None
    childcare: ChildcareRate | None = None
    time: TimeCompensation | None = None
    public_transport: PublicTransport | None = None
    not_defined: tuple[str, ...] = ()  # what the source text leaves out, in its own words


def scale_in_force(versions: Iterable[Scale], on: date) -> Scale:
    """The version of one scale that applies on ``on``: the latest valid from that day or before."""
    versions = sorted(versions, key=lambda scale: scale.valid_from)
    if not versions:
        raise ValueError("no scale version given")
    if len({scale.family for scale in versions}) > 1:
        raise ValueError("versions of different scales given")
    applicable = [scale for scale in versions if scale.valid_from <= on]
    if not applicable:
        first = versions[0]
        raise NoScaleInForce(
            N_(
                "Le barème %(scale)s ne s'applique pas le %(day)s : sa première version est en "
                "vigueur à partir du %(first)s. Choisissez une date plus tardive ou un autre "
                "barème.",
                scale=first.family,
                day=on,
                first=first.valid_from,
            )
        )
    return applicable[-1]


# --- Inputs ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AttendedPart:
    """A part the person attended; start and end in local wall-clock time of the event."""

    label: str
    start: datetime
    end: datetime

    @property
    def hours(self) -> Decimal:
        return Decimal(int((self.end - self.start).total_seconds()) // 60) / 60


@dataclass(frozen=True)
class AttendedDay:
    day: date
    parts: tuple[AttendedPart, ...]

    @property
    def across_lunch(self) -> bool:
        """There in the morning and in the afternoon (at or before noon, until 2 pm or later)."""
        return (
            min(part.start.time() for part in self.parts) <= LUNCH_START
            and max(part.end.time() for part in self.parts) >= LUNCH_END
        )


@dataclass(frozen=True)
class Attendance:
    """Only the parts actually attended; no day at all is a no-show."""

    days: tuple[AttendedDay, ...] = ()
    lunch_provided: bool = False

    @classmethod
    def of(cls, parts: Iterable[AttendedPart], lunch_provided: bool = False) -> Attendance:
        by_day: dict[date, list[AttendedPart]] = {}
        for part in sorted(parts, key=lambda part: part.start):
            by_day.setdefault(part.start.date(), []).append(part)
        days = tuple(AttendedDay(day, tuple(parts)) for day, parts in sorted(by_day.items()))
        return cls(days, lunch_provided)


@dataclass(frozen=True)
class Declaration:
    """What the person declared, and what the organiser entered after checking receipts."""

    transport: TransportMode = TransportMode.OTHER
    fiscal_horsepower: int | None = None  # chevaux fiscaux, when driving a car
    round_trip_km: Decimal | None = None  # None: unknown, the claim is flagged
    # Car kilometres this organisation already reimbursed to this person since 1 January.
    km_this_year: Decimal = ZERO
    # False when the distance was typed by the person because the distancier lacks the pair.
    distance_from_table: bool = True
    childcare_hours: Decimal = ZERO  # per attended day
    public_transport_receipt: Decimal | None = None  # total of the receipts, in €


# --- Output ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimLine:
    kind: LineKind
    description: Message
    quantity: Decimal
    unit: Unit
    rate: Decimal
    amount: Decimal
    day: date | None = None
    payment_form: PaymentForm = PaymentForm.BANK_TRANSFER


@dataclass(frozen=True)
class Claim:
    scale_id: str
    lines: tuple[ClaimLine, ...] = ()
    # What the organiser must look at before validating (a distance not from the table...).
    checks: tuple[Message, ...] = ()

    @property
    def total(self) -> Decimal:
        return money(sum((line.amount for line in self.lines), ZERO))

    @property
    def car_km(self) -> Decimal:
        """Kilometres this claim adds to the person's yearly car mileage."""
        return sum((line.quantity for line in self.lines if line.kind == LineKind.MILEAGE), ZERO)


def _line(kind, description, quantity, unit, rate, day=None, payment_form=None) -> ClaimLine:
    return ClaimLine(
        kind=kind,
        description=description,
        quantity=quantity,
        unit=unit,
        rate=rate,
        amount=money(quantity * rate),
        day=day,
        payment_form=payment_form or PaymentForm.BANK_TRANSFER,
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
    _check_not_negative(km, km_before)
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
        _line(
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
    _check_not_negative(km)
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
    return _line(LineKind.TWO_WHEELER, description, km, Unit.KM, rate, day)


def carpooling_line(km: Decimal | None, day: date | None = None) -> ClaimLine:
    """A passenger's trip, at zero: kept so that carpooling shows on the claim and in exports."""
    description = N_("Covoiturage, passager : seul le conducteur reçoit l'indemnité kilométrique")
    return _line(LineKind.CARPOOLING, description, km or ZERO, Unit.KM, ZERO, day)


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
    return _line(LineKind.MEAL, description, Decimal(meals), Unit.MEAL, scale.meal_rate, day)


def childcare_line(scale: Scale, hours: Decimal, day: date | None = None) -> ClaimLine:
    """Hours of childcare for one day, at the hourly rate, capped in hours per day."""
    _check_not_negative(hours)
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
    return _line(LineKind.CHILDCARE, description, hours, Unit.HOUR, rule.hourly_rate, day)


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
    return _line(LineKind.TIME, description, quantity, unit, rule.rate, day.day, rule.payment_form)


def public_transport_line(scale: Scale, receipt: Decimal, days: int) -> ClaimLine:
    _check_not_negative(receipt)
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
    return _line(LineKind.PUBLIC_TRANSPORT, description, Decimal(1), Unit.RECEIPT, amount)


def _check_not_negative(*values: Decimal | None) -> None:
    if any(value is not None and value < 0 for value in values):
        raise InvalidDeclaration(
            N_("Les distances, heures et montants ne peuvent pas être négatifs : corrigez-les.")
        )


# --- Whole claims ---------------------------------------------------------------------------------


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
    _check_not_negative(
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
        checks.append(
            N_("Distance du trajet inconnue : indiquez-la pour calculer l'indemnité kilométrique.")
        )
    elif travels_by_road and not declaration.distance_from_table:
        checks.append(
            N_(
                "Distance déclarée par la personne, absente du distancier : vérifiez-la avant "
                "de valider."
            )
        )
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
        checks.append(
            N_(
                "Garde d'enfants déclarée, mais le barème %(scale)s ne la prévoit pas : "
                "réglez-la à part ou changez de barème.",
                scale=scale.id,
            )
        )
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
    _check_not_negative(Decimal(meals), childcare_hours)
    lines = mileage_lines(scale, fiscal_horsepower, km, km_this_year)
    if meals:
        lines.append(meal_line(scale, meals))
    if childcare_hours:
        lines.append(childcare_line(scale, childcare_hours))
    return Claim(scale.id, tuple(lines))
