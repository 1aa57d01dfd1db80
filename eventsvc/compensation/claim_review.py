"""What the organiser reviews on a claim before validating it: its lines in words, the refusals
and checks of the rules, whether it went stale, the receipts and the documents finance needs.
Reads only."""

from __future__ import annotations

from ..common.wording import N_, Message
from . import declarations, rules, rules_states
from .claim_history import km_reimbursed_before
from .claims import counted_part_ids, scale_of
from .models import Claim, ClaimLine
from .rules import LineKind
from .stored import message_from_json


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
    if {p["part_id"] for p in claim.attended} != counted_part_ids(registration):
        return True
    if claim.first_day is not None:
        before = km_reimbursed_before(claim.person_key, claim.first_day, claim.registration_id)
        if before != claim.km_before:
            return True
    return False


def state_of(claim: Claim) -> rules_states.StateOfClaim:
    """« À compléter » while a declared cost is not priced yet (``rules_states``); a frozen claim,
    or a draft without declaration (stale anyway), is complete."""
    declaration = None if claim.frozen else declarations.declaration_of(claim.registration)
    if declaration is None:
        return rules_states.StateOfClaim(rules_states.ClaimState.COMPLETE)
    try:
        scale = scale_of(claim.event)
    except rules.CompensationError:
        scale = None
    return rules_states.claim_state(
        rules_states.DeclaredCosts(
            transport=declaration.transport or "",
            public_transport_receipt=declaration.public_transport_receipt,
            round_trip_km=declaration.round_trip_km,
            distance_in_table=(
                declaration.distance_from_table or declaration.table_round_trip_km is not None
            ),
            distance_checked=declaration.distance_checked_at is not None,
            childcare_needed=declaration.childcare_needed,
            childcare_hours=declaration.childcare_hours,
            scale_id=scale.id if scale is not None else claim.scale_id,
            scale_pays_childcare=scale is None or scale.childcare is not None,
            childcare_set_aside=bool(declaration.childcare_set_aside),
        )
    )


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


def review_checks(claim: Claim, state: rules_states.StateOfClaim | None = None) -> list[Message]:
    """What the organiser must look at and may accept: the checks of the rules (a distance not
    from the table...) and receipts not yet received; less those that a reason « à compléter »
    of the claim's ``state`` (computed when not given) already says."""
    checks = rules_states.checks_beside(state or state_of(claim), stored_checks(claim))
    if needs_receipts(claim) and claim.receipts_received_at is None:
        checks.append(
            N_(
                "Justificatifs (transports, garde d'enfants) pas encore reçus : marquez-les "
                "reçus une fois vérifiés."
            )
        )
    return checks


def pending_checks(claim: Claim, state: rules_states.StateOfClaim | None = None) -> list[Message]:
    """Everything that stops a plain validation."""
    return [*blocking_problems(claim), *review_checks(claim, state)]


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
