"""Claims: computed from check-ins and declarations, corrected, validated, then frozen.

A claim is computed by the pure rules (``rules.compute_claim``) from:

- the parts the person was checked in at, in the event's local time, narrowed by their declared
  arrival and departure (``attendance.service.attended_periods``, as on the certificate);
- their declaration (no declaration: no claim; nobody is paid who asked for nothing);
- the version of the event's scale in force on the event's first day;
- the car kilometres already reimbursed to the person this calendar year by *validated* claims
  of earlier days (``km_reimbursed_before``): the person is the case-folded email key, across
  every event of this eventsvc instance (one instance serves one organisation).

Computing again gives the same claim from the same inputs. A draft may be recomputed as often as
needed; a draft corrected by hand is kept as it is unless the caller asks to start again. A
validated claim never changes again: not when scales, check-ins or declarations change (the
models refuse it at flush time too). Functions flush; the caller commits.

Here: computing and finding claims. What the organiser reviews is in ``claim_review``, their
actions (recompute one, correct, receipts, validate) in ``claim_operations``, the yearly history
and the km already reimbursed in ``claim_history``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select

from ..attendance import rules as attendance_rules
from ..attendance import service as attendance
from ..attendance.rules import sheet_reference
from ..audit import service as audit
from ..common.wording import N_, Message
from ..database import utcnow
from ..events.models import Event
from ..extensions import db
from ..registrations.models import Registration
from . import catalogue, declarations, rules, rules_states
from .claim_history import km_reimbursed_before
from .declarations import CompensationNotOffered
from .models import Claim, ClaimLine, TravelDeclaration
from .rules import CompensationError, Scale, TransportMode
from .stored import message_to_json

ZERO = Decimal(0)


class ClaimError(CompensationError):
    """A refusal with a message for the organiser."""


class NeedsChecking(ClaimError):
    """Validation refused: what the organiser must look at first (``checks``)."""

    def __init__(self, claim: Claim, checks: list[Message]):
        super().__init__(
            N_(
                "L'indemnité de %(name)s demande une vérification avant validation : %(checks)s",
                name=claim.payee_name,
                checks=" ".join(check.render() for check in checks),
            )
        )
        self.claim = claim
        self.checks = checks


# --- When claims open ---------------------------------------------------------------------------


def part_ends(event: Event) -> list[rules_states.PartEnd]:
    return [rules_states.PartEnd(part.label, part.local_end) for part in event.parts]


def ended_part_ids(event: Event, now=None) -> set[int]:
    now = now or utcnow()
    return {part.id for part in event.parts if rules_states.part_ended(part.ends_at, now)}


def compute_opens(event: Event, now=None) -> Message | None:
    """None once a part of the event has ended; else when its claims can be computed."""
    return rules_states.compute_opens(part_ends(event), now or utcnow())


def validation_opens(event: Event, now=None) -> Message | None:
    """None once the event's last part has ended; else when its claims can be validated."""
    return rules_states.validation_opens(part_ends(event), now or utcnow())


def counted_part_ids(registration: Registration, now=None) -> set[int]:
    """The parts a claim counts: checked in, and ended."""
    return attendance.checked_in_part_ids(registration) & ended_part_ids(registration.event, now)


def _counted_periods(registration: Registration) -> list[attendance_rules.AttendedPeriod]:
    """As on the certificate (``attendance.attended_periods``), of the ended parts only."""
    counted = counted_part_ids(registration)
    parts = [
        (p.label, p.local_start, p.local_end) for p in registration.event.parts if p.id in counted
    ]
    return attendance_rules.attended_periods(
        parts, registration.arrival_time, registration.departure_time
    )


# --- Computing -----------------------------------------------------------------------------------


@dataclass
class ComputeReport:
    computed: list[Claim] = field(default_factory=list)
    frozen: list[Claim] = field(default_factory=list)  # validated or paid: left untouched
    kept_corrected: list[Claim] = field(default_factory=list)  # drafts corrected by hand
    removed: list[str] = field(default_factory=list)  # drafts of people no longer attending
    # Checked in, but declared nothing: no claim (the organiser may declare for them).
    undeclared: list[Registration] = field(default_factory=list)


def scale_of(event: Event) -> Scale:
    """The version of the event's scale in force on its first day; refuses a misconfiguration."""
    if not event.compensation_offered:
        raise CompensationNotOffered(event)
    day = event.days[0] if event.days else None
    if not event.compensation_scale or day is None:
        raise ClaimError(
            N_(
                "Choisissez le barème de l'événement %(slug)s (par exemple fp) et ses parties "
                "avant de calculer les indemnités.",
                slug=event.slug,
            )
        )
    return catalogue.resolve(event.compensation_scale, day)


def compute_event(
    event: Event,
    *,
    by: str = "",
    reset_corrections: bool = False,
    actor=None,
    actor_label: str | None = None,
) -> ComputeReport:
    """Compute or recompute the claims of every person checked in or holding a claim, with its
    line in the audit log (``actor`` or ``actor_label`` as for :func:`audit.record`).

    Refused before any part of the event has ended; only the ended parts count."""
    scale_of(event)
    if (not_yet := compute_opens(event)) is not None:
        raise ClaimError(not_yet)
    report = ComputeReport()
    checked_in = set(attendance.attendees(event))
    with_claims = set(
        db.session.scalars(
            select(Registration)
            .join(Claim, Claim.registration_id == Registration.id)
            .where(Claim.event_id == event.id)
        )
    )
    people = sorted(checked_in | with_claims, key=lambda r: (r.last_name.casefold(), r.id))
    for registration in people:
        existing = claim_of(registration)
        if existing is not None and existing.frozen:
            report.frozen.append(existing)
            continue
        if existing is not None and existing.corrected and not reset_corrections:
            report.kept_corrected.append(existing)
            continue
        claim = compute_for(registration, by=by, reset_corrections=reset_corrections)
        if claim is not None:
            report.computed.append(claim)
        elif existing is not None:
            report.removed.append(registration.display_name)
        elif registration in checked_in and counted_part_ids(registration):
            report.undeclared.append(registration)
    audit.record(
        "compensation.computed",
        actor=actor,
        actor_label=actor_label,
        event=event,
        details={
            "computed": len(report.computed),
            "frozen": len(report.frozen),
            "kept_corrected": len(report.kept_corrected),
            "removed": len(report.removed),
            "undeclared": len(report.undeclared),
        },
    )
    return report


def compute_for(
    registration: Registration, *, by: str = "", reset_corrections: bool = False
) -> Claim | None:
    """The claim of one registration, computed now; None for a no-show or no declaration.

    A frozen claim is returned as it is; a corrected draft too, unless ``reset_corrections``.
    A draft whose person is no longer checked in (or withdrew the declaration) is deleted.
    """
    event = registration.event
    scale = scale_of(event)
    claim = claim_of(registration, lock=True)
    if claim is not None and (claim.frozen or (claim.corrected and not reset_corrections)):
        return claim
    periods = _counted_periods(registration)
    declaration = declarations.declaration_of(registration)
    if not periods or declaration is None:
        if claim is not None:
            db.session.delete(claim)
            db.session.flush()
        return None
    first_day = periods[0].start.date()
    km_before = km_reimbursed_before(registration.email_key, first_day, registration.id)
    result, error = _rules_claim(scale, event, periods, declaration, km_before)
    checks = list(result.checks) + _distance_checks(declaration)

    if claim is None:
        claim = Claim(registration_id=registration.id, event_id=event.id)
        db.session.add(claim)
    claim.person_key = registration.email_key
    claim.payee_name = registration.display_name
    claim.payee_origin = declaration.origin
    claim.first_day = first_day
    claim.scale_id = scale.id
    claim.total = result.total
    claim.car_km = result.car_km
    claim.km_before = km_before
    claim.checks = [_stored(check) for check in checks]
    claim.error = _stored(error) if error is not None else None
    claim.attended = _proof(registration)
    claim.declared = declarations.snapshot(declaration)
    claim.computed_at = utcnow()
    claim.computed_by = by
    claim.lines = [_line(position, line) for position, line in enumerate(result.lines)]
    db.session.flush()
    return claim


def _rules_claim(scale, event, periods, declaration: TravelDeclaration, km_before: Decimal):
    checked = declaration.distance_checked_at is not None
    differs = _typed_differs_from_table(declaration)
    inputs = rules.Declaration(
        transport=TransportMode(declaration.transport or TransportMode.OTHER),
        fiscal_horsepower=declaration.fiscal_horsepower,
        round_trip_km=declaration.round_trip_km,
        km_this_year=km_before,
        # A distance the table lacks is flagged by the rules; one that differs from the table is
        # flagged below with both values.
        distance_from_table=declaration.distance_from_table or checked or differs,
        childcare_hours=(
            declaration.childcare_hours or ZERO
            if declaration.childcare_needed and not declaration.childcare_set_aside
            else ZERO
        ),
        public_transport_receipt=declaration.public_transport_receipt,
    )
    attended = rules.Attendance.of(
        [rules.AttendedPart(p.label, p.start, p.end) for p in periods],
        lunch_provided=event.lunch_provided,
    )
    try:
        return rules.compute_claim(scale, attended, inputs), None
    except CompensationError as error:
        return rules.Claim(scale.id), error.message


def _typed_differs_from_table(declaration: TravelDeclaration) -> bool:
    return (
        declaration.table_round_trip_km is not None
        and declaration.round_trip_km is not None
        and declaration.round_trip_km != declaration.table_round_trip_km
    )


def _distance_checks(declaration: TravelDeclaration) -> list[Message]:
    if declaration.distance_checked_at is not None or not _typed_differs_from_table(declaration):
        return []
    if declaration.transport not in (
        TransportMode.CAR_DRIVER,
        TransportMode.MOTORCYCLE,
        TransportMode.MOPED,
    ):
        return []
    return [
        N_(
            "Distance déclarée (%(typed)s km aller-retour) différente de celle du distancier "
            "(%(table)s km) : vérifiez-la avant de valider.",
            typed=declaration.round_trip_km,
            table=declaration.table_round_trip_km,
        )
    ]


def _proof(registration: Registration) -> list[dict]:
    """The checked-in parts with the reference of their sign-in sheet: the proof for finance."""
    present = counted_part_ids(registration)
    event = registration.event
    return [
        {
            "part_id": part.id,
            "label": part.label,
            "start": part.local_start.isoformat(),
            "end": part.local_end.isoformat(),
            "sheet": sheet_reference(event.id, part.id),
        }
        for part in event.parts
        if part.id in present
    ]


def _line(position: int, line: rules.ClaimLine) -> ClaimLine:
    stored = message_to_json(line.description)
    return ClaimLine(
        position=position,
        kind=line.kind.value,
        description=line.description.render(),
        description_msgid=stored["msgid"],
        description_params=stored["params"],
        quantity=line.quantity,
        unit=line.unit.value,
        rate=line.rate,
        amount=line.amount,
        day=line.day,
        payment_form=line.payment_form.value,
    )


def _stored(message: Message) -> dict:
    return {**message_to_json(message), "text": message.render()}


# --- Reading -------------------------------------------------------------------------------------


def claim_of(registration: Registration, *, lock: bool = False) -> Claim | None:
    """The registration's claim; ``lock`` holds its row until commit (PostgreSQL; on SQLite the
    write lock already serialises writers), so that computing and validating never cross."""
    query = select(Claim).where(Claim.registration_id == registration.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.scalar(query)


def claims_of(event: Event) -> list[Claim]:
    """The claims of an event, by name."""
    claims = db.session.scalars(select(Claim).where(Claim.event_id == event.id)).all()
    return sorted(claims, key=lambda c: (c.payee_name.casefold(), c.id))


def get_claim(claim_id: int) -> Claim | None:
    return db.session.get(Claim, claim_id)
