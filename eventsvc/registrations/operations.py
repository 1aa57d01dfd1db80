"""Sign-up operations: register, change, cancel, promote from the waiting list, confirm over
capacity, announce an event's change. They take the event's registration lock, decide, write,
queue the participant's message and flush; the caller (request or command) commits. The same
actions as an organiser or a participant takes them, with their audit line, are in
:mod:`operations_manage`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from sqlalchemy import select, update

from .. import signals
from ..common import tokens
from ..common.errors import DomainError
from ..database import utcnow
from ..events.models import Event, Part
from ..events.service import Availability, availability
from ..extensions import db
from ..links import personal_token
from ..mail.bulk import Unsent
from . import notifications as notify
from .models import Answer, Registration, RegistrationStatus
from .places import places as places_taken
from .queries import active, confirmed_count, part_counts, waiting_list, waitlist_position


class RegistrationError(DomainError):
    """A domain refusal that the view turns into a message."""


class RegistrationClosed(RegistrationError):
    def __init__(self, availability: Availability):
        super().__init__(availability.value)
        self.availability = availability


class AlreadyRegistered(RegistrationError):
    def __init__(self, registration: Registration):
        super().__init__(registration.public_id)
        self.registration = registration


class NoRoom(RegistrationError):
    """A confirmed person asked for a part that is full: the change is refused, not downgraded."""

    def __init__(self, parts: list[Part]):
        super().__init__(", ".join(part.label for part in parts))
        self.parts = parts


class RegistrationCancelled(RegistrationError):
    """The registration was cancelled: sign up again from the event page."""


@dataclass(kw_only=True)
class ChangeCommand:
    """What a participant (or an organiser on their behalf) may change after signing up."""

    full_day: bool
    part_ids: list[int] = field(default_factory=list)
    arrival_time: time | None = None
    departure_time: time | None = None
    comment: str = ""
    answers: dict[int, str | list[str]] = field(default_factory=dict)


@dataclass(kw_only=True)
class SignupCommand(ChangeCommand):
    """A sign-up: who the person is, and the same choices they can change later."""

    first_name: str
    last_name: str
    organisation: str
    email_typed: str
    email: str
    email_key: str


@dataclass(frozen=True)
class SignupResult:
    registration: Registration
    token: str
    waitlisted: bool
    new: bool = True  # False: a cancelled registration signed up again


@dataclass(frozen=True)
class ChangeResult:
    registration: Registration
    # Parts attended before the change, to tell which calendar days moved or were dropped.
    previous_parts: list[Part]
    confirmed_now: bool
    promoted: list[Registration]


def register(
    event: Event,
    command: SignupCommand,
    *,
    locale: str,
    enforce_window: bool = True,
    send_email: bool = True,
) -> SignupResult:
    """Record a sign-up as confirmed, or waitlisted when a place it needs is taken.

    Places are counted after taking the event's registration lock, so simultaneous sign-ups from
    any number of processes queue there and capacity is never exceeded. An organiser adding someone
    by hand passes ``enforce_window=False``; capacity still applies. The confirmation (with its
    invite) or the waiting-list notice is queued in the same transaction unless ``send_email`` is
    false (an import the organiser does not want announced).
    """
    state = availability(event)
    if enforce_window and state is not Availability.OPEN:
        raise RegistrationClosed(state)
    # Everything that needs no lock is prepared first: the lock is held, until the caller
    # commits, for the duplicate check, one count, the decision and the inserts only.
    parts_by_id = {part.id: part for part in event.parts}
    chosen = (
        [] if command.full_day else [parts_by_id[i] for i in command.part_ids if i in parts_by_id]
    )
    attended = list(event.parts) if command.full_day else chosen
    answers = _answers(command.answers)
    _lock_registrations(event)
    # Read after the lock: the order of queued_at is the order the lock was taken in, which is
    # the order places were given (first come, first served; the waiting list's order).
    now = utcnow()

    existing = db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.email_key == command.email_key
        )
    )
    if existing is not None and existing.status != RegistrationStatus.CANCELLED:
        raise AlreadyRegistered(existing)

    registration = existing or Registration(event=event, public_id=tokens.new_public_id())
    if existing is not None:
        # Signing up again after cancelling: the new invite must outrank the earlier CANCEL.
        registration.calendar_sequence += 1
    registration.first_name = command.first_name
    registration.last_name = command.last_name
    registration.organisation = command.organisation
    registration.email_typed = command.email_typed
    registration.email = command.email
    registration.email_key = command.email_key
    registration.full_day = command.full_day
    registration.chosen_parts = chosen
    registration.arrival_time = None if command.full_day else command.arrival_time
    registration.departure_time = None if command.full_day else command.departure_time
    registration.comment = command.comment
    registration.locale = locale
    registration.queued_at = now
    registration.cancelled_at = None
    registration.answers = answers
    places = places_taken(event)
    has_room = places.has_room(event.capacity, attended)
    registration.status = (
        RegistrationStatus.CONFIRMED if has_room else RegistrationStatus.WAITLISTED
    )
    token = personal_token(registration)
    registration.token_digest = tokens.token_digest(token)
    db.session.add(registration)
    db.session.flush()
    # Invitations mark an invited contact signing up, by any way, as having replied yes.
    signals.registration_created.send(registration, new=existing is None)
    if send_email:
        # Last in the queue (queued now, under the lock): behind everyone waiting already.
        notify.registered(registration, None if has_room else places.waitlisted + 1)
    return SignupResult(
        registration=registration, token=token, waitlisted=not has_room, new=existing is None
    )


def resend_personal_link(registration: Registration) -> None:
    """For someone who signs up again: their link (and invite) by email, never on screen."""
    notify.personal_link_again(registration)


def change(registration: Registration, command: ChangeCommand) -> ChangeResult:
    """Change parts, times, comment and answers.

    A confirmed person keeps their place: asking for a part that is full is refused with
    :class:`NoRoom`. A waitlisted person is confirmed if the new choice has room. Places freed by
    the change go to the waiting list.
    """
    if registration.status == RegistrationStatus.CANCELLED:
        raise RegistrationCancelled(registration.public_id)
    event = registration.event
    _lock_registrations(event)
    previous_parts = registration.attended_parts
    parts_by_id = {part.id: part for part in event.parts}
    new_parts = (
        list(event.parts)
        if command.full_day
        else [parts_by_id[i] for i in command.part_ids if i in parts_by_id]
    )
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    if was_confirmed:
        added = [part for part in new_parts if part not in previous_parts]
        counts = part_counts(event)
        full = [p for p in added if p.capacity is not None and counts[p.id] >= p.capacity]
        if full:
            raise NoRoom(full)
    registration.full_day = command.full_day
    registration.chosen_parts = [] if command.full_day else new_parts
    registration.arrival_time = None if command.full_day else command.arrival_time
    registration.departure_time = None if command.full_day else command.departure_time
    registration.comment = command.comment
    registration.answers = _answers(command.answers, registration.answers)
    registration.calendar_sequence += 1
    db.session.flush()
    confirmed_now = False
    if not was_confirmed and _has_room(event, new_parts):
        registration.status = RegistrationStatus.CONFIRMED
        confirmed_now = True
    db.session.flush()
    signals.registration_changed.send(registration)
    notify.changed(registration, previous_parts)
    promoted = promote_waitlisted(event)
    return ChangeResult(registration, previous_parts, confirmed_now, promoted)


def cancel(registration: Registration, *, erasing: bool = False) -> list[Registration]:
    """Cancel and give the freed places to the waiting list; returns who was promoted.

    ``erasing``: the registration is anonymised next (the participant's erasure), so its
    cancellation is composed now rather than at delivery, when nothing would be left of it."""
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    _lock_registrations(registration.event)
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    previous_parts = registration.attended_parts
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = utcnow()
    registration.calendar_sequence += 1
    db.session.flush()
    signals.registration_cancelled.send(registration)
    notify.cancelled(registration, previous_parts, was_confirmed, compose_now=erasing)
    return promote_waitlisted(registration.event)


def promote_waitlisted(event: Event) -> list[Registration]:
    """Confirm waitlisted people in queue order, each as soon as the parts they need have room.

    Someone whose parts are still full keeps their rank and does not block those behind who fit.
    The caller must hold the registration lock (every function here takes it first).
    """
    promoted = []
    for registration in waiting_list(event):
        if _has_room(event, registration.attended_parts):
            registration.status = RegistrationStatus.CONFIRMED
            registration.calendar_sequence += 1
            db.session.flush()
            signals.registration_promoted.send(registration)
            notify.promoted(registration)
            promoted.append(registration)
    return promoted


def confirm_from_waitlist(registration: Registration) -> None:
    """An organiser's decision: confirm this person even if it goes over capacity."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return
    _lock_registrations(registration.event)
    registration.status = RegistrationStatus.CONFIRMED
    registration.calendar_sequence += 1
    db.session.flush()
    signals.registration_promoted.send(registration)
    notify.promoted(registration)


@dataclass(frozen=True)
class Shortage:
    """What keeps a waitlisted person from being confirmed within capacity: the event is full,
    or these parts are."""

    event_full: bool
    parts: list[Part]


def confirm_within_capacity(registration: Registration) -> Shortage | None:
    """Confirm a waitlisted person only if every place they need is free (the organiser's bulk
    confirmation); otherwise nothing changes and the shortage says why."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    event = registration.event
    _lock_registrations(event)
    full = event.capacity is not None and confirmed_count(event) >= event.capacity
    counts = part_counts(event)
    parts = [
        part
        for part in registration.attended_parts
        if part.capacity is not None and counts[part.id] >= part.capacity
    ]
    if full or parts:
        return Shortage(full, parts)
    confirm_from_waitlist(registration)
    return None


def resend(registration: Registration) -> bool:
    """The confirmation (or waiting-list notice) and personal link again, at the organiser's
    request; False when one was already queued this minute."""
    return notify.resent(registration, waitlist_position(registration))


def announce_event_change(event: Event) -> list[Unsent]:
    """After the organiser moved the event (times, venue): updated invites to everyone confirmed.

    The caller bumps ``event.calendar_sequence`` first, so the updates outrank earlier invites.
    Returns who could not be written to (the others are queued all the same).
    """
    return notify.event_changed(event, active(event))


def announce_event_cancellation(event: Event) -> list[Unsent]:
    """CANCEL to everyone confirmed, a plain notice to the waiting list; returns who could not
    be written to."""
    return notify.event_cancelled(event, active(event))


def _answers(values: dict[int, str | list[str]], existing: list[Answer] = ()) -> list[Answer]:
    """Answers for the given values, updating existing rows in place (one per question)."""
    by_question = {answer.question_id: answer for answer in existing}
    answers = []
    for question_id, value in values.items():
        if value in ("", [], None):
            continue
        answer = by_question.get(question_id) or Answer(question_id=question_id)
        answer.value = value
        answers.append(answer)
    return answers


def _lock_registrations(event: Event) -> None:
    """Serialise sign-ups to one event: a row lock on PostgreSQL, the write lock on SQLite.
    ``updated_at`` is kept as it is (its ``onupdate`` would move it): a sign-up changes nothing of
    the event, its cached form class (``forms.class_for``) nor what the API's updated_since says."""
    db.session.execute(
        update(Event)
        .where(Event.id == event.id)
        .values(registration_lock=Event.registration_lock + 1, updated_at=Event.updated_at)
        .execution_options(synchronize_session=False)
    )


def _has_room(event: Event, parts: list[Part]) -> bool:
    return places_taken(event).has_room(event.capacity, parts)
