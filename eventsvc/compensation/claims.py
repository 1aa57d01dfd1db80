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
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from ..attendance import service as attendance
from ..attendance.rules import sheet_reference
from ..audit import service as audit
from ..common.wording import N_, Message
from ..database import utcnow
from ..events.models import Event
from ..extensions import db
from ..registrations.models import Registration
from . import catalogue, declarations, rules
from .declarations import CompensationNotOffered
from .models import Claim, ClaimLine, ClaimStatus, TravelDeclaration
from .rules import CompensationError, LineKind, Scale, TransportMode, money
from .stored import message_from_json, message_to_json

ZERO = Decimal(0)
FROZEN = (ClaimStatus.VALIDATED, ClaimStatus.PAID)


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
    line in the audit log (``actor`` or ``actor_label`` as for :func:`audit.record`)."""
    scale_of(event)
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
        elif registration in checked_in:
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
    periods = attendance.attended_periods(registration)
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


def recompute(
    claim: Claim,
    *,
    by: str = "",
    reset_corrections: bool = False,
    actor=None,
    actor_label: str | None = None,
) -> Claim | None:
    """Compute one claim again (:func:`compute_for`), with its line in the audit log; None when
    the person no longer attends or declares anything (the draft is deleted)."""
    claim_id, event, registration = claim.id, claim.event, claim.registration
    result = compute_for(registration, by=by, reset_corrections=reset_corrections)
    audit.record(
        "compensation.computed",
        actor=actor,
        actor_label=actor_label,
        event=event,
        registration=registration,
        details={"claim": claim_id},
    )
    return result


def check_distance(
    claim: Claim,
    round_trip_km: Decimal,
    *,
    by: str,
    actor=None,
    actor_label: str | None = None,
) -> Claim | None:
    """The organiser checked (or corrected) the declared distance; the claim is computed again."""
    declarations.check_distance(claim.registration, round_trip_km, by)
    return _declared(
        claim, "claim.distance_checked", by, actor, actor_label, round_trip_km=round_trip_km
    )


def set_public_transport_receipt(
    claim: Claim,
    amount: Decimal | None,
    *,
    by: str,
    actor=None,
    actor_label: str | None = None,
) -> Claim | None:
    """The organiser entered the total of the transport receipts; the claim is computed again."""
    declarations.set_public_transport_receipt(claim.registration, amount, by)
    return _declared(claim, "claim.transport_receipt", by, actor, actor_label, amount=amount)


def _declared(claim: Claim, action: str, by: str, actor, actor_label, **details) -> Claim | None:
    """After a value of the declaration entered by the organiser: compute again, audit."""
    claim_id, event, registration = claim.id, claim.event, claim.registration
    recomputed = compute_for(registration, by=by)
    audit.record(
        action,
        actor=actor,
        actor_label=actor_label,
        event=event,
        registration=registration,
        details={"claim": claim_id, **details},
    )
    return recomputed


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
            declaration.childcare_hours or ZERO if declaration.childcare_needed else ZERO
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
    present = attendance.checked_in_part_ids(registration)
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


def _lock(claim: Claim) -> None:
    """Hold the claim's row and read its current state before deciding anything on it."""
    db.session.refresh(claim, with_for_update=True)


def claims_of(event: Event) -> list[Claim]:
    """The claims of an event, by name."""
    claims = db.session.scalars(select(Claim).where(Claim.event_id == event.id)).all()
    return sorted(claims, key=lambda c: (c.payee_name.casefold(), c.id))


def get_claim(claim_id: int) -> Claim | None:
    return db.session.get(Claim, claim_id)


def description(line: ClaimLine) -> Message:
    """The line's description as a message, to show in the reader's language."""
    if not line.description_msgid:
        return Message(line.description)
    return message_from_json({"msgid": line.description_msgid, "params": line.description_params})


def stored_checks(claim: Claim) -> list[Message]:
    return [message_from_json(check) for check in claim.checks or []]


def error_of(claim: Claim) -> Message | None:
    return message_from_json(claim.error) if claim.error else None


def is_stale(claim: Claim) -> bool:
    """A draft whose inputs moved since it was computed: recompute before validating."""
    if claim.frozen:
        return False
    registration = claim.registration
    declaration = declarations.declaration_of(registration)
    if declaration is None or declaration.updated_at > claim.computed_at:
        return True
    if {p["part_id"] for p in claim.attended} != attendance.checked_in_part_ids(registration):
        return True
    if claim.first_day is not None:
        before = km_reimbursed_before(claim.person_key, claim.first_day, claim.registration_id)
        if before != claim.km_before:
            return True
    return False


def needs_receipts(claim: Claim) -> bool:
    kinds = {line.kind for line in claim.lines if line.amount > 0}
    return bool(kinds & {LineKind.PUBLIC_TRANSPORT, LineKind.CHILDCARE})


STALE = N_(
    "Les présences, la déclaration ou les kilomètres déjà remboursés cette année ont changé "
    "depuis le calcul : recalculez cette indemnité."
)


def blocking_problems(claim: Claim) -> list[Message]:
    """What no one can accept: a refusal of the rules, or inputs that moved since computed."""
    problems = []
    if (error := error_of(claim)) is not None:
        problems.append(error)
    if is_stale(claim):
        problems.append(STALE)
    return problems


def review_checks(claim: Claim) -> list[Message]:
    """What the organiser must look at and may accept: the checks of the rules (a distance not
    from the table...) and receipts not yet received."""
    checks = stored_checks(claim)
    if needs_receipts(claim) and claim.receipts_received_at is None:
        checks.append(
            N_(
                "Justificatifs (transports, garde d'enfants) pas encore reçus : marquez-les "
                "reçus une fois vérifiés."
            )
        )
    return checks


def pending_checks(claim: Claim) -> list[Message]:
    """Everything that stops a plain validation."""
    return [*blocking_problems(claim), *review_checks(claim)]


def required_documents(claim: Claim) -> list[Message]:
    """What finance must collect before paying (bank details are never stored here)."""
    kinds = {line.kind for line in claim.lines if line.amount > 0}
    transfer = any(
        line.amount > 0 and line.payment_form == rules.PaymentForm.BANK_TRANSFER
        for line in claim.lines
    )
    documents = []
    if transfer:
        documents.append(N_("RIB"))
    if kinds & {LineKind.MILEAGE, LineKind.TWO_WHEELER}:
        documents.append(N_("carte grise du véhicule"))
    if LineKind.PUBLIC_TRANSPORT in kinds:
        documents.append(N_("justificatifs de transport"))
    if LineKind.CHILDCARE in kinds:
        documents.append(N_("facture ou attestation de garde d'enfants"))
    return documents


# --- Organiser's actions -------------------------------------------------------------------------


def correct_line(
    line: ClaimLine,
    *,
    reason: str,
    by: str,
    quantity: Decimal | None = None,
    rate: Decimal | None = None,
    actor=None,
    actor_label: str | None = None,
) -> ClaimLine:
    """Change a line's quantity and/or rate, with the reason; amount = quantity × rate, rounded.

    What the rules computed is kept on the line (``computed_*``), with who, when and why; the
    change has its line in the audit log.
    """
    claim = line.claim
    _lock(claim)
    _must_be_draft(claim)
    if not reason.strip():
        raise ClaimError(N_("Indiquez la raison de la correction : elle est gardée avec la ligne."))
    if quantity is None and rate is None:
        raise ClaimError(N_("Indiquez la quantité ou le taux corrigé."))
    if any(
        value is not None and (not value.is_finite() or value < 0) for value in (quantity, rate)
    ):
        raise ClaimError(N_("Une quantité ou un taux ne peut pas être négatif : corrigez-le."))
    before = {"quantity": line.quantity, "rate": line.rate, "amount": line.amount}
    if not line.corrected:
        line.computed_quantity, line.computed_rate = line.quantity, line.rate
        line.computed_amount = line.amount
    if quantity is not None:
        line.quantity = quantity
    if rate is not None:
        line.rate = rate
    line.amount = money(line.quantity * line.rate)
    line.corrected = True
    line.correction_reason = reason.strip()
    line.corrected_by = by
    line.corrected_at = utcnow()
    _refresh_totals(claim)
    db.session.flush()
    after = {"quantity": line.quantity, "rate": line.rate, "amount": line.amount}
    _record(
        "claim.line_corrected",
        claim,
        actor,
        actor_label,
        line=line.id,
        changes=audit.changes(before, after),
        reason=line.correction_reason,
    )
    return line


def _record(action: str, claim: Claim, actor, actor_label: str | None, **details) -> None:
    """The audit line of a change to one claim, on its event and its person's registration."""
    audit.record(
        action,
        actor=actor,
        actor_label=actor_label,
        event=claim.event,
        registration=claim.registration,
        details={"claim": claim.id, **details},
    )


def mark_receipts_received(
    claim: Claim, *, by: str, received: bool = True, actor=None, actor_label: str | None = None
) -> None:
    _lock(claim)
    _must_be_draft(claim)
    claim.receipts_received_at = utcnow() if received else None
    claim.receipts_received_by = by if received else ""
    db.session.flush()
    _record(
        "claim.receipts_received" if received else "claim.receipts_not_received",
        claim,
        actor,
        actor_label,
    )


def validate(
    claim: Claim,
    *,
    by: str,
    accept_checks: bool = False,
    actor=None,
    actor_label: str | None = None,
) -> None:
    """Freeze the claim. Refused while it is stale or refused by the rules; its checks (and
    missing receipts) must be accepted explicitly with ``accept_checks``."""
    _lock(claim)
    _must_be_draft(claim)
    if blocking := blocking_problems(claim):
        raise NeedsChecking(claim, blocking)
    if (checks := review_checks(claim)) and not accept_checks:
        raise NeedsChecking(claim, checks)
    claim.status = ClaimStatus.VALIDATED
    claim.validated_at = utcnow()
    claim.validated_by = by
    db.session.flush()
    _record(
        "claim.validated",
        claim,
        actor,
        actor_label,
        total=claim.total,
        accepted_checks=accept_checks,
    )


@dataclass
class ValidationReport:
    validated: list[Claim] = field(default_factory=list)
    refused: list[NeedsChecking] = field(default_factory=list)
    already: list[Claim] = field(default_factory=list)


def validate_many(
    claims: list[Claim],
    *,
    by: str,
    accept_checks: bool = False,
    actor=None,
    actor_label: str | None = None,
) -> ValidationReport:
    """Validate what can be; report the rest with the reasons (nothing half-done per claim)."""
    report = ValidationReport()
    for claim in claims:
        if claim.frozen:
            report.already.append(claim)
            continue
        try:
            validate(
                claim,
                by=by,
                accept_checks=accept_checks,
                actor=actor,
                actor_label=actor_label,
            )
        except NeedsChecking as refused:
            report.refused.append(refused)
        else:
            report.validated.append(claim)
    return report


def _must_be_draft(claim: Claim) -> None:
    if claim.frozen:
        raise ClaimError(
            N_(
                "L'indemnité de %(name)s est déjà validée : elle ne change plus.",
                name=claim.payee_name,
            )
        )


def _refresh_totals(claim: Claim) -> None:
    claim.total = money(sum((line.amount for line in claim.lines), ZERO))
    claim.car_km = sum(
        (line.quantity for line in claim.lines if line.kind == LineKind.MILEAGE), ZERO
    )


# --- Yearly history ------------------------------------------------------------------------------


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
