"""The organiser's actions on many registrations at once: cancel, confirm from the waiting list,
send the confirmation and personal link again.

Each person goes through the same audited action as one by one (:mod:`operations_manage`), so
they get the same email and their own audit line. Each runs in its own savepoint
(:func:`mail.bulk.send_each`): one that cannot be written to (a stored address with a line break)
is rolled back alone and reported, the others are done. A summary line ``registrations.bulk``
names the action and the counts. Functions flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..audit import service as audit
from ..auth.models import User
from ..events.models import Event
from ..mail import bulk
from . import operations_manage as manage
from .models import Registration, RegistrationStatus
from .operations import Shortage

CANCEL, CONFIRM, RESEND = "cancel", "confirm", "resend"
ACTIONS = (CANCEL, CONFIRM, RESEND)

# Why a person was left out, as codes the page words (with the plural it needs).
ALREADY_CANCELLED = "already_cancelled"
CANCELLED = "cancelled"
ALREADY_CONFIRMED = "already_confirmed"
ERASED = "erased"
SENT_THIS_MINUTE = "sent_this_minute"
FULL = "full"


@dataclass(frozen=True)
class Skipped:
    registration: Registration
    reason: str  # one of the codes above
    shortage: Shortage | None = None  # what is full, for FULL


@dataclass
class Outcome:
    action: str
    done: list[Registration] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    unsent: list[bulk.Unsent] = field(default_factory=list)
    promoted: list[Registration] = field(default_factory=list)


def apply(event: Event, action: str, registrations: list[Registration], *, actor: User) -> Outcome:
    """Run ``action`` (CANCEL, CONFIRM or RESEND) for each registration, in the order that is
    fair: the waiting list's order to confirm (the first in line get the free places), the
    waitlisted before the confirmed to cancel (so nobody is promoted only to be cancelled by the
    next step of the same action)."""
    step = {CANCEL: _cancel, CONFIRM: _confirm, RESEND: _resend}[action]
    outcome = Outcome(action)
    ordered = _order(action, registrations)

    def run(registration: Registration) -> None:
        if registration.anonymised_at is not None:
            outcome.skipped.append(Skipped(registration, ERASED))
            return
        skipped = step(registration, actor, outcome)
        if skipped is None:
            outcome.done.append(registration)
        else:
            outcome.skipped.append(skipped)

    outcome.unsent = bulk.send_each(
        ordered,
        _in_savepoint(run, outcome),
        recipient=lambda r: bulk.Recipient(r.display_name, r.email, r),
        event=event,
        message=f"registrations.{action}",
    )
    audit.record(
        "registrations.bulk",
        actor=actor,
        event=event,
        details={
            "action": action,
            "done": len(outcome.done),
            "skipped": len(outcome.skipped),
            "unsent": len(outcome.unsent),
        },
    )
    return outcome


def _in_savepoint(run: Callable[[Registration], None], outcome: Outcome):
    """``run``, forgetting what it noted about a person whose savepoint rolls back."""

    def guarded(registration: Registration) -> None:
        done, skipped, promoted = (
            len(outcome.done),
            len(outcome.skipped),
            len(outcome.promoted),
        )
        try:
            run(registration)
        except Exception:
            del outcome.done[done:], outcome.skipped[skipped:], outcome.promoted[promoted:]
            raise

    return guarded


def _order(action: str, registrations: list[Registration]) -> list[Registration]:
    if action == CONFIRM:
        return sorted(registrations, key=lambda r: (r.queued_at, r.id))
    if action == CANCEL:
        return sorted(registrations, key=lambda r: r.status != RegistrationStatus.WAITLISTED)
    return list(registrations)


def _cancel(registration: Registration, actor: User, outcome: Outcome) -> Skipped | None:
    if registration.status == RegistrationStatus.CANCELLED:
        return Skipped(registration, ALREADY_CANCELLED)
    outcome.promoted.extend(manage.cancel(registration, actor=actor))
    return None


def _confirm(registration: Registration, actor: User, outcome: Outcome) -> Skipped | None:
    if registration.status == RegistrationStatus.CANCELLED:
        return Skipped(registration, CANCELLED)
    if registration.status == RegistrationStatus.CONFIRMED:
        return Skipped(registration, ALREADY_CONFIRMED)
    shortage = manage.confirm_within_capacity(registration, actor=actor)
    return None if shortage is None else Skipped(registration, FULL, shortage)


def _resend(registration: Registration, actor: User, outcome: Outcome) -> Skipped | None:
    if registration.status == RegistrationStatus.CANCELLED:
        return Skipped(registration, CANCELLED)
    if not manage.resend(registration, actor=actor):
        return Skipped(registration, SENT_THIS_MINUTE)
    return None
