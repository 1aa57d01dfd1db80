"""Signatures at the welcome desk (the event's ``signature_mode``), each in one audited operation,
and the proof file of a part. Functions flush; the caller commits.

A participant's signature and their check-in are recorded together (:func:`sign`); the trainer
countersigns each part once (:func:`countersign`). Nothing is overwritten: signing again adds a
row that supersedes the earlier one (both stay, both in the journal). The hashes and the chain
are ``rules_proof``'s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from .. import signals
from ..audit import service as audit
from ..auth.models import User
from ..database import utcnow
from ..events.models import Event, Part
from ..extensions import db
from ..registrations.models import Registration, RegistrationStatus
from . import operations, rules, rules_proof, service
from .models import Signature, SignatureMode


class SignaturesNotAsked(service.AttendanceError):
    """The event does not ask for signatures (or not for the trainer's)."""


@dataclass(frozen=True)
class Capture:
    """Where a signature came from, as the server saw it."""

    recorded_by: str  # the organiser's email
    client_address: str = ""
    user_agent: str = ""
    captured_by: str = "organiser_device"  # or "own_device": the participant's phone
    # When the device says the signature was drawn (kept offline, sent later): checked by
    # rules_own_device.taken_at_refusal, stored next to the server's received_at.
    taken_at: datetime | None = None


def asks_signatures(event: Event) -> bool:
    return (event.signature_mode or SignatureMode.NONE) != SignatureMode.NONE


def asks_countersignature(event: Event) -> bool:
    return event.signature_mode == SignatureMode.PARTICIPANTS_AND_TRAINERS


def fields_of(signature: Signature) -> dict:
    """What the hash covers (rules_proof.HASHED_FIELDS), as plain JSON values."""
    return {
        "id": signature.id,
        "part_id": signature.part_id,
        "registration_id": signature.registration_id,
        "signer_name": signature.signer_name,
        "signer_role": signature.signer_role,
        "strokes": signature.strokes,
        "received_at": signature.received_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "duration_ms": signature.duration_ms,
        "captured_by": signature.captured_by,
        "recorded_by": signature.recorded_by,
        "client_address": signature.client_address,
        "user_agent": signature.user_agent,
        "supersedes": signature.supersedes_id,
        "taken_at": signature.taken_at.astimezone(UTC).isoformat(timespec="microseconds")
        if signature.taken_at is not None
        else None,
    }


def _current(part: Part, registration: Registration | None) -> Signature | None:
    who = (
        Signature.registration_id == registration.id
        if registration is not None
        else Signature.registration_id.is_(None)
    )
    # Locked (PostgreSQL): two phones signing for the same person again at once supersede one
    # after the other instead of both superseding the same row.
    return db.session.scalar(
        select(Signature)
        .where(Signature.part_id == part.id, who, Signature.superseded_by_id.is_(None))
        .order_by(Signature.id.desc())
        .limit(1)
        .with_for_update()
    )


def _record(
    part: Part,
    registration: Registration | None,
    strokes: list,
    duration_ms: int | None,
    capture: Capture,
    *,
    signer_name: str = "",
    signer_role: str = "",
) -> Signature:
    earlier = _current(part, registration)
    signature = Signature(
        part_id=part.id,
        registration_id=registration.id if registration is not None else None,
        signer_name=signer_name[:200],
        signer_role=signer_role[:200],
        strokes=strokes,
        received_at=utcnow(),
        taken_at=capture.taken_at,
        duration_ms=duration_ms,
        captured_by=capture.captured_by,
        recorded_by=capture.recorded_by[:320],
        client_address=capture.client_address[:64],
        user_agent=capture.user_agent[:400],
        supersedes_id=earlier.id if earlier is not None else None,
        sha256="",
    )
    db.session.add(signature)
    db.session.flush()  # its id is part of what is hashed
    signature.sha256 = rules_proof.entry_hash(fields_of(signature))
    if earlier is not None:
        earlier.superseded_by_id = signature.id
    db.session.flush()
    return signature


def sign(
    registration: Registration,
    part: Part,
    strokes: list,
    *,
    duration_ms: int | None,
    capture: Capture,
    actor: User | None,
    actor_label: str | None = None,
) -> Signature:
    """The person's check-in at this part and their signature, with one audit line. Signed
    again (already present): the new signature supersedes the earlier one. ``actor`` None: the
    participant on their own phone (``actor_label`` audit.PARTICIPANT)."""
    if part.event_id != registration.event_id:
        raise service.AttendanceError("part of another event")
    if not asks_signatures(part.event):
        raise SignaturesNotAsked("signatures not asked")
    operations.check_open(part)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise operations.NotConfirmed(registration.status)
    by = actor.email if actor is not None else capture.recorded_by
    checked_in = service.check_in(registration, part, by=by)
    if checked_in:  # like mark_present: webhooks and other domains hear of it
        signals.checkin_recorded.send(registration, part=part)
    signature = _record(part, registration, strokes, duration_ms, capture)
    audit.record(
        "attendance.signed",
        actor=actor,
        actor_label=actor_label,
        registration=registration,
        details={
            "part": part.label,
            "captured_by": capture.captured_by,
            "taken_at": capture.taken_at,
            "checked_in": checked_in,
            "signature": signature.id,
            "supersedes": signature.supersedes_id,
            "sha256": signature.sha256,
        },
    )
    return signature


def countersign(
    part: Part,
    strokes: list,
    *,
    name: str,
    role: str,
    duration_ms: int | None,
    capture: Capture,
    actor: User,
) -> Signature:
    """The trainer's countersignature of the part (name, role and pad); again: supersedes."""
    if not asks_countersignature(part.event):
        raise SignaturesNotAsked("countersignature not asked")
    operations.check_open(part)
    signature = _record(
        part, None, strokes, duration_ms, capture, signer_name=name, signer_role=role
    )
    audit.record(
        "attendance.countersigned",
        actor=actor,
        event=part.event,
        details={
            "part": part.label,
            "name": name,
            "role": role,
            "signature": signature.id,
            "supersedes": signature.supersedes_id,
            "sha256": signature.sha256,
        },
    )
    return signature


# Reading


def signatures_of(part: Part) -> list[Signature]:
    """Every signature of the part, superseded ones too, in the order they were received."""
    return list(
        db.session.scalars(select(Signature).where(Signature.part_id == part.id).order_by("id"))
    )


def current_signatures(part: Part) -> dict[int, Signature]:
    """Registration id → the person's signature in force for this part."""
    return {
        s.registration_id: s
        for s in signatures_of(part)
        if s.registration_id is not None and s.superseded_by_id is None
    }


def countersignature(part: Part) -> Signature | None:
    return _current(part, None)


def signed_part_ids(registration: Registration) -> set[int]:
    return set(
        db.session.scalars(
            select(Signature.part_id).where(
                Signature.registration_id == registration.id,
                Signature.superseded_by_id.is_(None),
            )
        )
    )


def proof(part: Part) -> dict:
    """The proof file of a part: every signature (superseded ones too) with its fields, hash and
    chain. Deterministic (no time of production), so its digest can be printed on the sheet."""
    event = part.event
    entries = []
    for signature in signatures_of(part):
        person = signature.registration
        entries.append(
            {
                **fields_of(signature),
                "signer": person.display_name if person is not None else signature.signer_name,
                "kind": "participant" if person is not None else "countersignature",
                "superseded_by": signature.superseded_by_id,
                "hash": signature.sha256,
            }
        )
    header = {
        "format": "eventsvc-signatures/1",
        "event": {"id": event.id, "slug": event.slug, "title": event.title},
        "part": {
            "id": part.id,
            "label": part.label,
            "starts_at": part.starts_at.isoformat(),
            "ends_at": part.ends_at.isoformat(),
            "reference": rules.sheet_reference(event.id, part.id),
        },
        "hash": "sha256 of the canonical JSON (sorted keys, no spaces, UTF-8) of the fields: "
        + ", ".join(rules_proof.HASHED_FIELDS)
        + " (and taken_at when set)",
        "chain": "sha256(previous chain + entry hash), the first previous chain being empty",
    }
    return rules_proof.build(header, entries)
