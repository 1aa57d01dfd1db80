"""Stored compensation: declarations, the distance table, claims, their lines and batches.

Money, distances and rates are ``Decimal`` (``ExactDecimal`` columns). Texts shown to people (line
descriptions, checks) are stored rendered in French *and* as message id + parameters
(``stored.py``), so that a page can show them in English and a validated claim never depends on a
later change of wording.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from ..database import ExactDecimal, UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import db
from ..registrations.models import Registration

KM = ExactDecimal(10, 2)
HOURS = ExactDecimal(6, 2)
MONEY = ExactDecimal(12, 2)
QUANTITY = ExactDecimal(12, 4)
RATE = ExactDecimal(12, 4)


class ClaimStatus(enum.StrEnum):
    DRAFT = "draft"  # computed, may be recomputed or corrected
    VALIDATED = "validated"  # frozen: never changes again
    PAID = "paid"  # its batch was paid


class TravelDeclaration(db.Model):
    """What a participant declared: where from, how, horsepower, distance, childcare, a note.

    One per registration. The participant changes it from the personal page until the organiser
    validates the claim. ``public_transport_receipt`` and ``distance_checked_*`` are the
    organiser's, after looking at receipts or checking a distance the table did not have.
    """

    __tablename__ = "travel_declarations"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), unique=True
    )
    origin: Mapped[str] = mapped_column(String(300), default="")  # commune or address
    transport: Mapped[str] = mapped_column(String(24), default="")  # rules.TransportMode
    fiscal_horsepower: Mapped[int | None] = mapped_column(Integer)
    round_trip_km: Mapped[Decimal | None] = mapped_column(KM)
    # True when round_trip_km is the table's (filled in, or typed and equal to it).
    distance_from_table: Mapped[bool] = mapped_column(Boolean, default=False)
    # What the table said when the person declared (None: origin not in the table).
    table_round_trip_km: Mapped[Decimal | None] = mapped_column(KM)
    childcare_needed: Mapped[bool] = mapped_column(Boolean, default=False)
    childcare_hours: Mapped[Decimal | None] = mapped_column(HOURS)  # per attended day
    # The organiser's reason for not paying the childcare a scale without childcare cannot pay
    # (« réglée à part », « pas de justificatif »...); "" while undecided. Cleared when the person
    # changes what they declared of childcare.
    childcare_set_aside: Mapped[str] = mapped_column(String(500), default="", server_default="")
    note: Mapped[str] = mapped_column(Text, default="")
    public_transport_receipt: Mapped[Decimal | None] = mapped_column(MONEY)
    distance_checked_by: Mapped[str] = mapped_column(String(320), default="")
    distance_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[Registration] = relationship()


class Distance(db.Model):
    """One pair of the organisation's distance table (distancier), one-way, as imported."""

    __tablename__ = "distances"
    __table_args__ = (UniqueConstraint("origin_key", "destination_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # distancier.commune_key of each commune: what lookups compare.
    origin_key: Mapped[str] = mapped_column(String(200), index=True)
    destination_key: Mapped[str] = mapped_column(String(200), index=True)
    origin: Mapped[str] = mapped_column(String(200))  # as spelled in the file
    destination: Mapped[str] = mapped_column(String(200))
    one_way_km: Mapped[Decimal] = mapped_column(KM)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ClaimBatch(db.Model):
    """Validated claims sent to finance together (e.g. a quarter), then paid on one date."""

    __tablename__ = "claim_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str] = mapped_column(String(320), default="")
    paid_on: Mapped[date | None] = mapped_column(Date)
    paid_recorded_by: Mapped[str] = mapped_column(String(320), default="")
    paid_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Any change to the row (paid): what the API's ``updated_since`` reads.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    claims: Mapped[list[Claim]] = relationship(back_populates="batch", order_by="Claim.id")


class Claim(db.Model):
    """What one registration is owed for one event, computed from check-ins and the declaration.

    ``person_key`` is the registration's case-folded email key: the yearly mileage history of a
    person is the sum of the car kilometres of their validated claims in the calendar year, across
    every event of this eventsvc instance (one instance serves one organisation).

    A claim is deleted with neither its registration nor its event (``RESTRICT``): money owed or
    paid must stay on record; the person's name and origin are copied onto it when computed.
    """

    __tablename__ = "claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="RESTRICT"), unique=True
    )
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="RESTRICT"), index=True)
    person_key: Mapped[str] = mapped_column(String(320), index=True)
    payee_name: Mapped[str] = mapped_column(String(210), default="")
    payee_origin: Mapped[str] = mapped_column(String(300), default="")
    # First day attended (local): the date of the claim for batches and yearly history.
    first_day: Mapped[date | None] = mapped_column(Date)
    scale_id: Mapped[str] = mapped_column(String(40))  # the version used, e.g. « fp-2023 »
    status: Mapped[str] = mapped_column(String(16), default=ClaimStatus.DRAFT, index=True)
    total: Mapped[Decimal] = mapped_column(MONEY, default=Decimal(0))
    car_km: Mapped[Decimal] = mapped_column(KM, default=Decimal(0))
    # Car km reimbursed to this person this year before this claim (the mileage band start).
    km_before: Mapped[Decimal] = mapped_column(KM, default=Decimal(0))
    # What the organiser must look at before validating: [{"msgid", "params", "text"}].
    checks: Mapped[list] = mapped_column(JSON, default=list)
    # A refusal of the rules (a rate the scale lacks...): such a claim cannot be validated.
    error: Mapped[dict | None] = mapped_column(JSON)
    # The inputs as computed, kept for the record: checked-in parts (sign-in proof) and the
    # declaration.
    attended: Mapped[list] = mapped_column(JSON, default=list)
    declared: Mapped[dict] = mapped_column(JSON, default=dict)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    computed_by: Mapped[str] = mapped_column(String(320), default="")
    receipts_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receipts_received_by: Mapped[str] = mapped_column(String(320), default="")
    validated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    validated_by: Mapped[str] = mapped_column(String(320), default="")
    batch_id: Mapped[int | None] = mapped_column(
        ForeignKey("claim_batches.id", ondelete="RESTRICT"), index=True
    )
    paid_on: Mapped[date | None] = mapped_column(Date)
    # Set when the payee's personal data (name, origin, email key, declaration copy) was erased
    # at the end of the legal retention of the claim (see eventsvc/retention).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Any change to the row (computed again, corrected, validated, batched, paid, anonymised):
    # what the API's ``updated_since`` reads.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    registration: Mapped[Registration] = relationship()
    event: Mapped[Event] = relationship()
    batch: Mapped[ClaimBatch | None] = relationship(back_populates="claims")
    lines: Mapped[list[ClaimLine]] = relationship(
        back_populates="claim", order_by="ClaimLine.position", cascade="all, delete-orphan"
    )

    @property
    def frozen(self) -> bool:
        return self.status != ClaimStatus.DRAFT

    @property
    def corrected(self) -> bool:
        return any(line.corrected for line in self.lines)


class ClaimLine(db.Model):
    """A line of a claim: kind, description, quantity × rate = amount (rounded half up)."""

    __tablename__ = "claim_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("claims.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(24))  # rules.LineKind
    description: Mapped[str] = mapped_column(Text)  # rendered in French
    description_msgid: Mapped[str] = mapped_column(Text, default="")
    description_params: Mapped[dict] = mapped_column(JSON, default=dict)
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit: Mapped[str] = mapped_column(String(16))  # rules.Unit
    rate: Mapped[Decimal] = mapped_column(RATE)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    day: Mapped[date | None] = mapped_column(Date)
    payment_form: Mapped[str] = mapped_column(String(24))  # rules.PaymentForm
    # A correction by the organiser: what the rules computed, who changed it, when and why.
    corrected: Mapped[bool] = mapped_column(Boolean, default=False)
    correction_reason: Mapped[str] = mapped_column(Text, default="")
    corrected_by: Mapped[str] = mapped_column(String(320), default="")
    corrected_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    computed_quantity: Mapped[Decimal | None] = mapped_column(QUANTITY)
    computed_rate: Mapped[Decimal | None] = mapped_column(RATE)
    computed_amount: Mapped[Decimal | None] = mapped_column(MONEY)

    claim: Mapped[Claim] = relationship(back_populates="lines")


class FrozenClaim(RuntimeError):
    """A validated or paid claim was about to change: a bug in the caller, never allowed."""


# What may still change on a validated claim: being batched, then paid.
_FROZEN_CLAIM_MAY_CHANGE = frozenset({"status", "batch_id", "batch", "paid_on"})


def _committed_status(claim: Claim) -> str | None:
    history = inspect(claim).attrs.status.history
    if history.deleted:
        return history.deleted[0]
    return claim.status


def refuse_changes_to_frozen_claims(session, _flush_context, _instances) -> None:
    """Last line of defence behind the services: a validated claim never changes again."""
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, ClaimLine):
            claim = obj.claim
            if claim is not None and _committed_status(claim) not in (None, ClaimStatus.DRAFT):
                raise FrozenClaim(f"claim {claim.id} is {claim.status}: its lines cannot change")
        elif isinstance(obj, Claim) and obj not in session.new:
            if _committed_status(obj) == ClaimStatus.DRAFT:
                continue
            if obj in session.deleted:
                raise FrozenClaim(f"claim {obj.id} is {obj.status}: it cannot be deleted")
            state = inspect(obj)
            changed = {
                attr.key
                for attr in state.attrs
                if attr.key not in _FROZEN_CLAIM_MAY_CHANGE and attr.history.has_changes()
            }
            if changed:
                raise FrozenClaim(
                    f"claim {obj.id} is {obj.status}: {sorted(changed)} cannot change"
                )


event.listen(Session, "before_flush", refuse_changes_to_frozen_claims)
