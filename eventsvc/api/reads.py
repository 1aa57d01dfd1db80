"""What a token sees: the events of its organiser and what hangs on them, as the API's documents.

Every lookup is scoped by the organiser: another organiser's id reads as one that does not exist
(the view answers 404)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..attendance.models import CheckIn
from ..auth.models import User
from ..compensation import batches as batch_service
from ..compensation.models import Claim, ClaimBatch
from ..events.models import Event, event_organisers
from ..extensions import db
from ..registrations.models import Registration
from . import schemas
from .paging import PageArgs, page


def own_event_ids(user: User) -> list[int]:
    return list(
        db.session.scalars(
            select(event_organisers.c.event_id).where(event_organisers.c.user_id == user.id)
        )
    )


def event(user: User, event_id: int) -> Event | None:
    return db.session.scalar(
        select(Event)
        .join(event_organisers, event_organisers.c.event_id == Event.id)
        .where(Event.id == event_id, event_organisers.c.user_id == user.id)
    )


def registration(user: User, public_id: str) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .join(event_organisers, event_organisers.c.event_id == Registration.event_id)
        .where(Registration.public_id == public_id, event_organisers.c.user_id == user.id)
    )


def events_page(user: User, args: PageArgs):
    query = (
        select(Event)
        .where(Event.id.in_(own_event_ids(user)))
        .options(selectinload(Event.parts), selectinload(Event.questions))
    )
    return page(query, Event.updated_at, Event.id, args)


def registrations_page(event: Event, args: PageArgs):
    query = (
        select(Registration)
        .where(Registration.event_id == event.id)
        .options(selectinload(Registration.chosen_parts), selectinload(Registration.answers))
    )
    return page(query, Registration.updated_at, Registration.id, args)


def checkins_page(event: Event, args: PageArgs):
    query = (
        select(CheckIn)
        .join(Registration, Registration.id == CheckIn.registration_id)
        .where(Registration.event_id == event.id)
        .options(selectinload(CheckIn.registration))
    )
    return page(query, CheckIn.checked_in_at, CheckIn.id, args)


def claims_page(event: Event, args: PageArgs):
    query = (
        select(Claim).where(Claim.event_id == event.id).options(selectinload(Claim.registration))
    )
    return page(query, Claim.updated_at, Claim.id, args)


def batches_page(user: User, args: PageArgs):
    visible = [batch.id for batch in batch_service.batches(own_event_ids(user))]
    query = (
        select(ClaimBatch)
        .where(ClaimBatch.id.in_(visible))
        .options(selectinload(ClaimBatch.claims))
    )
    return page(query, ClaimBatch.updated_at, ClaimBatch.id, args)


# --- documents -----------------------------------------------------------------------------------


def event_out(event: Event) -> schemas.EventOut:
    return schemas.EventOut(
        id=event.id,
        slug=event.slug,
        title=event.title,
        description=event.description,
        status=event.status,
        venue_name=event.venue_name,
        venue_address=event.venue_address,
        venue_commune=event.venue_commune,
        timezone=event.timezone,
        capacity=event.capacity,
        registration_opens_at=event.registration_opens_at,
        registration_closes_at=event.registration_closes_at,
        invitation_only=event.invitation_only,
        created_at=event.created_at,
        updated_at=event.updated_at,
        parts=[
            schemas.PartOut(
                id=part.id,
                label=part.label,
                starts_at=part.starts_at,
                ends_at=part.ends_at,
                capacity=part.capacity,
            )
            for part in event.parts
        ],
        questions=[
            schemas.QuestionOut(
                id=question.id,
                label=question.label,
                kind=question.kind,
                choices=list(question.choices or []),
                required=question.required,
            )
            for question in event.questions
        ],
    )


def _clock(value) -> str | None:
    return value.strftime("%H:%M") if value else None


def registration_out(registration: Registration) -> schemas.RegistrationOut:
    parts = registration.event.parts if registration.full_day else registration.chosen_parts
    return schemas.RegistrationOut(
        id=registration.public_id,
        event_id=registration.event_id,
        first_name=registration.first_name,
        last_name=registration.last_name,
        organisation=registration.organisation,
        email=registration.email,
        status=registration.status,
        full_day=registration.full_day,
        part_ids=[part.id for part in parts],
        arrival_time=_clock(registration.arrival_time),
        departure_time=_clock(registration.departure_time),
        comment=registration.comment,
        answers=[
            schemas.AnswerOut(question_id=answer.question_id, value=answer.value)
            for answer in registration.answers
        ],
        locale=registration.locale,
        walk_in=registration.walk_in,
        created_at=registration.created_at,
        updated_at=registration.updated_at,
        cancelled_at=registration.cancelled_at,
        anonymised_at=registration.anonymised_at,
    )


def checkin_out(checkin: CheckIn) -> schemas.CheckInOut:
    return schemas.CheckInOut(
        id=checkin.id,
        registration_id=checkin.registration.public_id,
        part_id=checkin.part_id,
        checked_in_at=checkin.checked_in_at,
        checked_in_by=checkin.checked_in_by,
    )


def claim_out(claim: Claim) -> schemas.ClaimOut:
    return schemas.ClaimOut(
        id=claim.id,
        event_id=claim.event_id,
        registration_id=claim.registration.public_id,
        payee_name=claim.payee_name,
        status=claim.status,
        total=str(claim.total),
        first_day=claim.first_day,
        computed_at=claim.computed_at,
        validated_at=claim.validated_at,
        updated_at=claim.updated_at,
        batch_id=claim.batch_id,
        paid_on=claim.paid_on,
    )


def batch_out(batch: ClaimBatch) -> schemas.BatchOut:
    return schemas.BatchOut(
        id=batch.id,
        name=batch.name,
        period_start=batch.period_start,
        period_end=batch.period_end,
        created_at=batch.created_at,
        paid_on=batch.paid_on,
        updated_at=batch.updated_at,
        claim_ids=[claim.id for claim in batch.claims],
    )


def checkin_of(registration: Registration, part) -> CheckIn | None:
    return db.session.scalar(
        select(CheckIn).where(
            CheckIn.registration_id == registration.id, CheckIn.part_id == part.id
        )
    )
