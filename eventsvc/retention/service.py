"""Erasing personal data: the retention purge and a participant's own request.

What is kept, where and for how long is in README.md (« Données personnelles »). In short: an
erased registration keeps its event, status, parts, attendance times, check-ins and counts, and
loses everything that names or reaches the person. Validated and paid claims (compensation) keep
the payee's name and origin for the legal retention of accounting records, then lose them too.

Functions flush; the caller commits (or rolls back, for a dry run).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field, fields
from datetime import datetime

from sqlalchemy import String, and_, cast, delete, func, literal, or_, select, update

from ..audit import service as audit
from ..audit.models import AuditEvent
from ..common.errors import DomainError
from ..compensation.models import Claim, ClaimStatus, TravelDeclaration
from ..database import utcnow
from ..events.models import Event, Part
from ..extensions import db
from ..invitations.models import Invitation
from ..mail.models import MessageStatus, OutboxMessage
from ..registrations import operations as registrations
from ..registrations.models import Registration, SignupImport
from ..webhooks.models import DeliveryStatus, WebhookDelivery
from . import rules


class CannotErase(DomainError):
    """The registration can no longer be erased by its owner (the event has started)."""


@dataclass
class PurgeReport:
    events: int = 0
    registrations: int = 0
    answers: int = 0
    declarations: int = 0
    draft_claims: int = 0
    outbox_messages: int = 0
    audit_entries: int = 0
    imports: int = 0
    invitation_replies: int = 0
    claims_anonymised: int = 0
    webhook_deliveries: int = 0
    event_ids: list[int] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "event_ids"}


@dataclass(frozen=True)
class Cutoffs:
    """Events that ended before ``events``; sent mail before ``mail``; claims before ``claims``."""

    events: datetime
    mail: datetime
    claims: datetime

    @classmethod
    def from_config(cls, config, now: datetime, months: int | None = None) -> Cutoffs:
        months = config["RETENTION_MONTHS"] if months is None else months
        cutoff = rules.months_before(now, months)
        claim_years = config["CLAIM_RETENTION_YEARS"]
        return cls(events=cutoff, mail=cutoff, claims=rules.months_before(now, 12 * claim_years))


def ended_event_ids(before: datetime) -> list[int]:
    """Events whose last part ended before the cut-off (events without parts never took place)."""
    ends = (
        select(Part.event_id, func.max(Part.ends_at).label("ends_at"))
        .group_by(Part.event_id)
        .subquery()
    )
    return list(
        db.session.scalars(
            select(Event.id)
            .join(ends, ends.c.event_id == Event.id)
            .where(ends.c.ends_at < before)
            .order_by(Event.id)
        )
    )


def purge(
    cutoffs: Cutoffs,
    now: datetime | None = None,
    *,
    actor=None,
    actor_label: str | None = None,
) -> PurgeReport:
    """Erase what the retention periods no longer allow keeping. Idempotent: a second run reports
    zeros. The caller holds the write lock (``begin_write``) and commits.

    When something was erased, one audit line ``retention.purged`` names who purged (as for
    :func:`audit.record`) with the counts and cut-offs only: nothing that names a person."""
    now = now or utcnow()
    report = PurgeReport()
    for event_id in ended_event_ids(cutoffs.events):
        people = db.session.scalars(
            select(Registration)
            .where(Registration.event_id == event_id, Registration.anonymised_at.is_(None))
            .order_by(Registration.id)
        ).all()
        entries = _erase_event_audit_details(event_id)
        imports = db.session.execute(
            delete(SignupImport).where(SignupImport.event_id == event_id)
        ).rowcount
        replies = _erase_invitation_replies(event_id)
        report.invitation_replies += replies
        for registration in people:
            _anonymise(registration, now, report)
        report.outbox_messages += _delete_messages_of(people)
        if people or entries or imports or replies:
            report.events += 1
            report.event_ids.append(event_id)
        report.audit_entries += entries
        report.imports += imports
    report.outbox_messages += _delete_old_mail(cutoffs.mail)
    report.webhook_deliveries += _delete_old_webhooks(cutoffs.mail)
    report.claims_anonymised += _anonymise_old_claims(cutoffs.claims, now)
    db.session.flush()
    if any(report.counts().values()):
        audit.record(
            "retention.purged",
            actor=actor,
            actor_label=actor_label,
            details={
                "events_ended_before": cutoffs.events,
                "claims_before": cutoffs.claims.date(),
                **report.counts(),
            },
        )
    return report


def can_erase(registration: Registration, now: datetime | None = None) -> bool:
    """A participant erases their own registration until the event starts (afterwards attendance
    and compensation are records the organiser keeps; the retention purge erases them later)."""
    starts = registration.event.starts_at
    return (
        registration.anonymised_at is None
        and (starts is None or (now or utcnow()) < starts)
        and db.session.scalar(select(Claim.id).where(Claim.registration_id == registration.id))
        is None
    )


def erase_registration(registration: Registration, now: datetime | None = None) -> PurgeReport:
    """The participant's request: cancel (the waiting list moves, the CANCEL goes out), then
    anonymise. The cancellation email stays queued until sent, then ages out with sent mail."""
    if not can_erase(registration, now):
        raise CannotErase
    report = PurgeReport()
    # Earlier emails go first, sent or not (a confirmation still queued must not arrive after
    # the cancellation); one a worker is sending right now cannot be recalled and ages out.
    report.outbox_messages += db.session.execute(
        delete(OutboxMessage).where(
            _messages_of(registration), OutboxMessage.status != MessageStatus.SENDING
        )
    ).rowcount
    registrations.cancel(registration, erasing=True)
    audit.record("registration.erased", actor_label=audit.PARTICIPANT, registration=registration)
    _anonymise(registration, now or utcnow(), report)
    report.audit_entries += _erase_audit_details(
        select(AuditEvent).where(AuditEvent.registration_id == registration.id)
    )
    db.session.flush()
    return report


def _anonymise(registration: Registration, now: datetime, report: PurgeReport) -> None:
    """Empty what names or reaches the person; the callers deal with their mail and audit lines."""
    report.registrations += 1
    report.answers += len(registration.answers)
    registration.answers.clear()
    registration.first_name = ""
    registration.last_name = ""
    registration.organisation = ""
    registration.email_typed = ""
    registration.email = ""
    registration.email_key = rules.anonymised_key(registration.public_id)
    registration.comment = ""
    # A digest no token hashes to: the personal link stops opening anything.
    registration.token_digest = hashlib.sha256(secrets.token_bytes(32)).hexdigest()
    registration.created_at = rules.coarse(registration.created_at)
    registration.queued_at = rules.coarse(registration.queued_at)
    registration.cancelled_at = rules.coarse(registration.cancelled_at)
    registration.updated_at = rules.coarse(now)
    registration.anonymised_at = now
    report.declarations += db.session.execute(
        delete(TravelDeclaration).where(TravelDeclaration.registration_id == registration.id)
    ).rowcount
    # A claim never validated is owed nothing: it goes. Validated and paid ones stay (their own
    # copy of the payee's name and origin) until the legal retention ends.
    draft = db.session.scalar(
        select(Claim).where(
            Claim.registration_id == registration.id, Claim.status == ClaimStatus.DRAFT
        )
    )
    if draft is not None:
        db.session.delete(draft)
        report.draft_claims += 1


def _delete_messages_of(people: list[Registration], chunk: int = 200) -> int:
    """Every message of these registrations; a few statements (each scans the outbox by key)."""
    deleted = 0
    for start in range(0, len(people), chunk):
        mine = or_(*(_messages_of(r) for r in people[start : start + chunk]))
        deleted += db.session.execute(delete(OutboxMessage).where(mine)).rowcount
    return deleted


def _messages_of(registration: Registration):
    """Keys of a registration's messages are « kind:<public id>:<sequence>... »."""
    return OutboxMessage.key.like(f"%:{registration.public_id}:%")


def _erase_invitation_replies(event_id: int) -> int:
    """An excuse (« retenu par des obligations ») and a representative's identity are personal data;
    the reply itself (coming, excused, represented) stays for the meeting's figures. The contacts
    are the organiser's address book: they stay until the organiser removes them."""
    return db.session.execute(
        update(Invitation)
        .where(
            Invitation.event_id == event_id,
            (Invitation.message != "")
            | (Invitation.representative_name != "")
            | (Invitation.representative_function != "")
            | (Invitation.representative_email != ""),
        )
        .values(
            message="", representative_name="", representative_function="", representative_email=""
        )
        .execution_options(synchronize_session=False)
    ).rowcount


def _erase_event_audit_details(event_id: int) -> int:
    return _erase_audit_details(select(AuditEvent).where(AuditEvent.event_id == event_id))


def _erase_audit_details(query) -> int:
    """Keep who did what when; drop the details (old and new values of names, emails...)."""
    erased = 0
    for entry in db.session.scalars(query):
        if entry.details:
            entry.details = {}
            erased += 1
    return erased


def _delete_old_mail(before: datetime) -> int:
    """Sent (or given up) messages older than the retention: their body is a copy of personal data
    the person already received."""
    return db.session.execute(
        delete(OutboxMessage).where(
            or_(
                and_(OutboxMessage.status == MessageStatus.SENT, OutboxMessage.sent_at < before),
                and_(
                    OutboxMessage.status.in_((MessageStatus.FAILED, MessageStatus.DROPPED)),
                    OutboxMessage.created_at < before,
                ),
            )
        )
    ).rowcount


def _delete_old_webhooks(before: datetime) -> int:
    """Webhooks delivered (or given up) before the retention: their payload names the person, a
    copy of what the organiser's tool received."""
    return db.session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.status.in_([DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]),
            WebhookDelivery.created_at < before,
        )
    ).rowcount


def _anonymise_old_claims(before: datetime, now: datetime) -> int:
    """Validated/paid claims past their legal retention (counted from payment, or validation if
    never paid) lose the payee's name, origin, email key and declaration copy; amounts, lines and
    dates stay. A bulk UPDATE on purpose: the frozen-claim guard (compensation.models) protects
    claims from the services, and this is the one sanctioned change after the legal period."""
    day = before.date()
    return db.session.execute(
        update(Claim)
        .where(
            Claim.anonymised_at.is_(None),
            Claim.status.in_([ClaimStatus.VALIDATED, ClaimStatus.PAID]),
            or_(
                Claim.paid_on < day,
                and_(Claim.paid_on.is_(None), Claim.validated_at < before),
            ),
        )
        .values(
            payee_name="",
            payee_origin="",
            person_key=literal(rules.ANONYMISED_KEY_PREFIX) + cast(Claim.id, String),
            declared={},
            anonymised_at=now,
        )
        .execution_options(synchronize_session=False)
    ).rowcount


__all__ = ["CannotErase", "Cutoffs", "PurgeReport", "can_erase", "erase_registration", "purge"]
