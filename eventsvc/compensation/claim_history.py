"""A person's compensation over a calendar year: the car km already reimbursed (what the mileage
bands count) and the yearly history the organiser sees. Reads only."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ..extensions import db
from .models import Claim, ClaimLine, ClaimStatus
from .rules import LineKind

ZERO = Decimal(0)
FROZEN = (ClaimStatus.VALIDATED, ClaimStatus.PAID)


def km_reimbursed_before(
    person_key: str, day: date, exclude_registration_id: int | None
) -> Decimal:
    """Car km of the person's validated (or paid) claims on days of ``day``'s year before it."""
    query = (
        select(func.coalesce(func.sum(ClaimLine.quantity), 0))
        .join(Claim, Claim.id == ClaimLine.claim_id)
        .where(
            Claim.person_key == person_key,
            Claim.status.in_(FROZEN),
            ClaimLine.kind == LineKind.MILEAGE,
            ClaimLine.day >= date(day.year, 1, 1),
            ClaimLine.day < day,
        )
    )
    if exclude_registration_id is not None:
        query = query.where(Claim.registration_id != exclude_registration_id)
    return Decimal(str(db.session.scalar(query))).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class HistoryEntry:
    claim: Claim
    event_title: str
    day: date | None
    status: str
    car_km: Decimal
    total: Decimal


@dataclass(frozen=True)
class PersonYear:
    """A person's compensation in one calendar year.

    Entries, pending km and amounts cover the events shown (all of them, or those of
    ``event_ids``); ``km_reimbursed`` counts every event, because the mileage bands do, and
    ``km_other_events`` is the part of it from the events not shown: the only thing an organiser
    learns of another organiser's events.
    """

    person_key: str
    year: int
    entries: list[HistoryEntry]
    km_reimbursed: Decimal  # car km of validated and paid claims, every event: what the bands count
    km_pending: Decimal  # car km of drafts, not counted yet
    totals_by_kind: dict[str, Decimal]  # validated and paid
    total_validated: Decimal  # validated, not yet paid
    total_paid: Decimal
    km_other_events: Decimal = ZERO  # validated and paid car km on the events not shown


def yearly_history(person_key: str, year: int, *, event_ids: set[int] | None = None) -> PersonYear:
    """``event_ids``: the events whose claims are shown (an organiser's own); None for all."""
    claims = db.session.scalars(
        select(Claim)
        .where(
            Claim.person_key == person_key,
            Claim.first_day >= date(year, 1, 1),
            Claim.first_day <= date(year, 12, 31),
        )
        .order_by(Claim.first_day, Claim.id)
    ).all()
    entries, by_kind = [], defaultdict(lambda: ZERO)
    km_done = km_pending = km_other = total_validated = total_paid = ZERO
    for claim in claims:
        km = sum(
            (
                line.quantity
                for line in claim.lines
                if line.kind == LineKind.MILEAGE and line.day and line.day.year == year
            ),
            ZERO,
        )
        if event_ids is not None and claim.event_id not in event_ids:
            if claim.frozen:
                km_other += km
            continue
        entries.append(
            HistoryEntry(claim, claim.event.title, claim.first_day, claim.status, km, claim.total)
        )
        if claim.frozen:
            km_done += km
            for line in claim.lines:
                by_kind[line.kind] += line.amount
            if claim.status == ClaimStatus.PAID:
                total_paid += claim.total
            else:
                total_validated += claim.total
        else:
            km_pending += km
    return PersonYear(
        person_key=person_key,
        year=year,
        entries=entries,
        km_reimbursed=km_done + km_other,
        km_pending=km_pending,
        totals_by_kind=dict(by_kind),
        total_validated=total_validated,
        total_paid=total_paid,
        km_other_events=km_other,
    )
