"""The organiser's actions on claims, one operation per action: recompute one claim, enter a
checked distance or the transport receipts, correct a line, mark the receipts, validate.

Each takes the actor (``actor=`` a User or ``actor_label=`` as for :func:`audit.record`), flushes
and records its own audit line, so the dashboard and the command line leave the same trace;
callers commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .. import signals
from ..audit import service as audit
from ..common.wording import N_
from ..database import utcnow
from ..extensions import db
from . import declarations
from .claim_review import blocking_problems, review_checks, state_of
from .claims import ClaimError, NeedsChecking, compute_for, validation_opens
from .models import Claim, ClaimLine, ClaimStatus
from .rules import LineKind, money

ZERO = Decimal(0)


def _lock(claim: Claim) -> None:
    """Hold the claim's row and read its current state before deciding anything on it."""
    db.session.refresh(claim, with_for_update=True)


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


def set_childcare_aside(
    claim: Claim,
    reason: str,
    *,
    by: str,
    actor=None,
    actor_label: str | None = None,
) -> Claim | None:
    """The organiser decides not to pay the childcare declared, which the event's scale does not
    pay (the claim was « à compléter »), and says why; the claim is computed again without it."""
    reason = reason.strip()
    if not reason:
        raise ClaimError(N_("Indiquez pourquoi la garde d'enfants n'est pas payée."))
    declaration = declarations.declaration_of(claim.registration)
    if declaration is None or not declaration.childcare_needed:
        raise ClaimError(N_("Aucune garde d'enfants n'est déclarée dans cette demande."))
    declarations.set_childcare_aside(claim.registration, reason)
    return _declared(claim, "claim.childcare_set_aside", by, actor, actor_label, reason=reason)


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
    """Freeze the claim. Refused before the event's last part has ended, while a declared cost
    is not priced (« à compléter »), while it is stale or refused by the rules: none of these
    can be accepted. Its checks (and missing receipts) must be accepted explicitly with
    ``accept_checks``."""
    _lock(claim)
    _must_be_draft(claim)
    _event_must_have_ended(claim.event)
    if (state := state_of(claim)).to_complete:
        raise ToComplete(claim, list(state.reasons))
    if blocking := blocking_problems(claim):
        raise NeedsChecking(claim, blocking)
    if (checks := review_checks(claim, state)) and not accept_checks:
        raise NeedsChecking(claim, checks)
    claim.status = ClaimStatus.VALIDATED
    claim.validated_at = utcnow()
    claim.validated_by = by
    db.session.flush()
    signals.claim_validated.send(claim)
    _record(
        "claim.validated",
        claim,
        actor,
        actor_label,
        total=claim.total,
        accepted_checks=accept_checks,
    )


class ToComplete(NeedsChecking):
    """Validation refused: a declared cost is not priced yet (``reasons``)."""

    def __init__(self, claim: Claim, reasons: list):
        ClaimError.__init__(
            self,
            N_(
                "L'indemnité de %(name)s est à compléter : %(reasons)s",
                name=claim.payee_name,
                reasons=" ".join(reason.render() for reason in reasons),
            ),
        )
        self.claim = claim
        self.checks = reasons


def _event_must_have_ended(event) -> None:
    if (not_yet := validation_opens(event)) is not None:
        raise ClaimError(not_yet)


@dataclass
class ValidationReport:
    validated: list[Claim] = field(default_factory=list)
    refused: list[NeedsChecking] = field(default_factory=list)
    already: list[Claim] = field(default_factory=list)
    to_complete: list[ToComplete] = field(default_factory=list)  # skipped: costs not priced


def validate_many(
    claims: list[Claim],
    *,
    by: str,
    accept_checks: bool = False,
    actor=None,
    actor_label: str | None = None,
) -> ValidationReport:
    """Validate what can be; report the rest with the reasons (nothing half-done per claim):
    the claims « à compléter » are skipped and reported apart. Refused as a whole before the
    end of an event of these claims."""
    report = ValidationReport()
    for event in {claim.event_id: claim.event for claim in claims}.values():
        _event_must_have_ended(event)
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
        except ToComplete as skipped:
            report.to_complete.append(skipped)
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
