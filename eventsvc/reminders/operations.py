"""Sending the reminders that are due, each once, whatever the number of workers.

For every reminder due (:mod:`rules`), a row of ``reminders_sent`` is inserted first with « do
nothing on conflict » on its unique (registration, start) key, then the email is queued in the
same transaction. A second worker doing the same at the same moment inserts nothing (PostgreSQL
makes it wait for the first one's commit; SQLite's write lock, taken by ``begin_write``, runs
the two one after the other) and so queues nothing: a reminder goes out once, or not at all if
the transaction rolls back. Candidates are taken in registration order, so that two workers
never wait for each other in a cycle.

One audit line ``reminders.sent`` per event and run that sent any, with the count.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from ..audit import service as audit
from ..database import begin_write, utcnow
from ..events.forms import REMINDER_HOURS_MAX
from ..events.models import Event, EventStatus, Part
from ..extensions import db
from ..mail import bulk
from ..registrations.models import Registration, RegistrationStatus
from . import emails, rules
from .models import ReminderSent


def _events_soon(now: datetime) -> list[Event]:
    """Events with reminders on, neither draft nor cancelled, with a part starting within the
    longest reminder period."""
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.reminder_hours_before.is_not(None),
                Event.status.in_((EventStatus.OPEN, EventStatus.CLOSED)),
                Event.parts.any(
                    (Part.starts_at > now)
                    & (Part.starts_at <= now + timedelta(hours=REMINDER_HOURS_MAX))
                ),
            )
            .order_by(Event.id)
            .options(selectinload(Event.parts))
        )
    )


def due(event: Event, now: datetime) -> list[tuple[Registration, datetime]]:
    """The confirmed people of ``event`` whose reminder is due at ``now``, with the start of the
    first part each attends."""
    people = list(
        db.session.scalars(
            select(Registration)
            .where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED,
                Registration.anonymised_at.is_(None),
            )
            .order_by(Registration.id)
            .options(selectinload(Registration.chosen_parts))
        )
    )
    reminded: dict[int, list[datetime]] = defaultdict(list)
    rows = db.session.execute(
        select(ReminderSent.registration_id, ReminderSent.first_part_starts_at).where(
            ReminderSent.registration_id.in_([r.id for r in people])
        )
    )
    for registration_id, start in rows:
        reminded[registration_id].append(start)
    result = []
    for registration in people:
        candidate = rules.Candidate(
            first_start=rules.first_start(p.starts_at for p in registration.attended_parts),
            hours_before=event.reminder_hours_before,
            joined_at=registration.queued_at,
            reminded_starts=tuple(reminded[registration.id]),
        )
        if rules.is_due(candidate, now):
            result.append((registration, candidate.first_start))
    return result


def claim(registration: Registration, start: datetime, now: datetime) -> bool:
    """Record that this reminder is being sent; False if another run recorded it first."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(ReminderSent)
        .values(registration_id=registration.id, first_part_starts_at=start, sent_at=now)
        .on_conflict_do_nothing(index_elements=["registration_id", "first_part_starts_at"])
        .returning(ReminderSent.id)
    )
    return db.session.execute(statement).scalar_one_or_none() is not None


def send_due(now: datetime | None = None, *, actor_label: str = audit.COMMAND_LINE) -> dict:
    """Queue every reminder due at ``now``, in the caller's transaction (begun as a writer).
    Returns slug -> reminders queued, for the events that had any due.

    A person who cannot be written to (a stored address gone bad) is claimed all the same: one
    ``mail.not_queued`` line, not one per run until the event."""
    now = now or utcnow()
    sent = {}
    for event in _events_soon(now):
        claimed = [(r, start) for r, start in due(event, now) if claim(r, start, now)]
        if not claimed:
            continue
        unsent = bulk.send_each(
            claimed,
            lambda item: emails.send_reminder(*item),
            recipient=lambda item: bulk.Recipient(item[0].display_name, item[0].email, item[0]),
            event=event,
            message="reminder",
        )
        count = len(claimed) - len(unsent)
        sent[event.slug] = count
        if count:
            audit.record(
                "reminders.sent", actor_label=actor_label, event=event, details={"count": count}
            )
    db.session.flush()
    return sent


def send_due_now(*, actor_label: str = audit.COMMAND_LINE) -> dict:
    """The reminders due now, in their own transaction: ``flask reminders send-due``, and the
    delivery loop through :func:`send_due_automatically`."""
    begin_write(db.session)
    sent = send_due(actor_label=actor_label)
    db.session.commit()
    return sent


def send_due_automatically() -> dict:
    """The periodic job of the delivery loop (``mail.worker``): its journal line names no one
    (« Rappel … envoyé à 3 participants »)."""
    return send_due_now(actor_label=AUTOMATIC)


AUTOMATIC = ""  # the actor label of the delivery loop's sending
