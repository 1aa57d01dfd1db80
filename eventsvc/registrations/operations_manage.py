"""Registrations' actions as an organiser or a participant takes them, each with its audit line
(``actor=`` the organiser, or the participant's label).

These go through :mod:`registrations.operations` (``register``, ``change``, ``cancel``,
``confirm_from_waitlist``) and never set a status themselves, so that the participant gets the
same emails whoever made the change. Functions flush; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..audit import service as audit
from ..auth.models import User
from ..events.models import Event
from . import operations
from .models import Registration, RegistrationStatus


@dataclass
class Identity:
    """Names and organisation, which an organiser may correct (not the email: it is the key the
    person is known by, and where their personal link was sent)."""

    first_name: str
    last_name: str
    organisation: str = ""


def add_by_hand(
    event: Event, command: operations.SignupCommand, *, locale: str, actor: User
) -> operations.SignupResult:
    """A sign-up taken by phone or at the door: the registration window does not apply, capacity
    does (a full event puts the person on the waiting list). Raises ``AlreadyRegistered``."""
    result = operations.register(event, command, locale=locale, enforce_window=False)
    audit.record(
        "registration.added",
        actor=actor,
        registration=result.registration,
        details={"email": command.email, "status": result.registration.status},
    )
    return result


def edit(
    registration: Registration,
    identity: Identity,
    command: operations.ChangeCommand,
    *,
    actor: User,
) -> operations.ChangeResult:
    """Correct names and change attendance; raises ``NoRoom`` if a part asked for is full."""
    before = _snapshot(registration)
    registration.first_name = identity.first_name
    registration.last_name = identity.last_name
    registration.organisation = identity.organisation
    result = operations.change(registration, command)
    diff = audit.changes(before, _snapshot(registration))
    if diff:
        audit.record(
            "registration.updated",
            actor=actor,
            registration=registration,
            details={"changes": diff},
        )
    _record_promotions(result.promoted, actor)
    return result


def cancel(
    registration: Registration,
    *,
    actor: User | None = None,
    actor_label: str | None = None,
    because: dict | None = None,
) -> list[Registration]:
    """The organiser's cancellation (``actor``), or the participant's (``actor_label``
    audit.PARTICIPANT); ``because``: why, when it was not the person's own link (e.g. the reply
    to the invitation that registered them), written in the log line. The people it promotes from
    the waiting list are logged as the same actor's doing."""
    if registration.status == RegistrationStatus.CANCELLED:
        return []
    previous = registration.status
    promoted = operations.cancel(registration)
    audit.record(
        "registration.cancelled",
        actor=actor,
        actor_label=actor_label,
        registration=registration,
        details={"from": previous, **(because or {})},
    )
    _record_promotions(promoted, actor)
    return promoted


def sign_up(
    event: Event, command: operations.SignupCommand, *, locale: str
) -> operations.SignupResult:
    """A sign-up through the public form, logged as the participant's."""
    result = operations.register(event, command, locale=locale)
    audit.record(
        "registration.signed_up",
        actor_label=audit.PARTICIPANT,
        registration=result.registration,
        details={"status": result.registration.status},
    )
    return result


def change_by_participant(
    registration: Registration, command: operations.ChangeCommand
) -> operations.ChangeResult:
    """The participant's own change from their personal link, logged like an organiser's."""
    before = _snapshot(registration)
    result = operations.change(registration, command)
    diff = audit.changes(before, _snapshot(registration))
    if diff:
        audit.record(
            "registration.updated",
            actor_label=audit.PARTICIPANT,
            registration=registration,
            details={"changes": diff},
        )
    _record_promotions(result.promoted, None)
    return result


def cancel_by_participant(
    registration: Registration, *, because: dict | None = None
) -> list[Registration]:
    return cancel(registration, actor_label=audit.PARTICIPANT, because=because)


def confirm_from_waitlist(registration: Registration, *, actor: User) -> bool:
    """Confirm even over capacity (the organiser's call); False if not on the waiting list."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return False
    operations.confirm_from_waitlist(registration)
    audit.record("registration.confirmed_from_waitlist", actor=actor, registration=registration)
    return True


def confirm_within_capacity(
    registration: Registration, *, actor: User
) -> operations.Shortage | None:
    """Confirm from the waiting list only where places are free (bulk confirmation); the
    shortage when refused, and then nothing is written."""
    if registration.status != RegistrationStatus.WAITLISTED:
        return None
    shortage = operations.confirm_within_capacity(registration)
    if shortage is None:
        audit.record("registration.confirmed_from_waitlist", actor=actor, registration=registration)
    return shortage


def resend(registration: Registration, *, actor: User) -> bool:
    """The confirmation (or waiting-list notice) and personal link, sent again; refused for a
    cancelled or erased registration. False when already queued this minute (nothing logged)."""
    if registration.anonymised_at is not None:
        raise operations.RegistrationError(_l("Les données de cette inscription sont effacées."))
    if registration.status == RegistrationStatus.CANCELLED:
        raise operations.RegistrationCancelled(
            _l("Cette inscription est annulée : il n'y a rien à renvoyer.")
        )
    queued = operations.resend(registration)
    if queued:
        audit.record(
            "registration.resent",
            actor=actor,
            registration=registration,
            details={"status": registration.status},
        )
    return queued


def _record_promotions(promoted: list[Registration], actor: User | None) -> None:
    """A place freed by someone's change or cancellation; by the participant when no actor."""
    label = None if actor is not None else audit.PARTICIPANT
    for registration in promoted:
        audit.record(
            "registration.promoted", actor=actor, actor_label=label, registration=registration
        )


def _snapshot(registration: Registration) -> dict:
    return {
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "organisation": registration.organisation,
        "full_day": registration.full_day,
        "parts": [part.label for part in registration.chosen_parts],
        "arrival_time": registration.arrival_time,
        "departure_time": registration.departure_time,
        "comment": registration.comment,
        "answers": {str(a.question_id): a.value for a in registration.answers},
        "status": registration.status,
    }
