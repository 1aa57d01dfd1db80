"""The terms the compensation rules speak in: money, refusals, kinds of transport and lines,
scales (``Scale`` and its rates, the version in force on a day), the inputs (``Attendance``,
``Declaration``) and the output (``Claim`` and its ``ClaimLine``). Pure: no Flask, no database.

The rules themselves are in ``rules_lines`` (one kind of line at a time) and ``rules`` (whole
claims and quotes), which re-exports these names.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal

from ..common.errors import DomainError
from ..common.wording import N_, Message

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


def make_line(kind, description, quantity, unit, rate, day=None, payment_form=None) -> ClaimLine:
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
