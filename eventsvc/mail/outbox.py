"""Enqueue, claim, deliver, retry. Nothing is deleted unsent; nothing is sent twice by design.

Two shapes of row: a composed message (``raw``, :func:`enqueue`: invitations, reminders, messages,
certificates...) or a recipe (:func:`enqueue_recipe`: the registration emails, on the sign-up's
hot path), composed by the worker after claiming it (:mod:`eventsvc.mail.recipes`).

Delivery is at-least-once only in one case: a worker that dies after the SMTP server accepted a
message but before recording it; the message is then sent again once its claim's lease expires.
"""

from __future__ import annotations

import logging
import os
import re
import socket
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.policy import SMTP, SMTPUTF8
from functools import lru_cache
from time import monotonic

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ..database import begin_write, utcnow
from ..extensions import db
from . import headers, recipes
from .backends import Backend, Envelope
from .models import MessageStatus, OutboxMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Policy:
    max_attempts: int = 10
    first_retry: timedelta = timedelta(minutes=1)
    longest_retry: timedelta = timedelta(hours=6)
    # Short, and renewed while the worker lives (:func:`deliver_due`): a killed worker's batch is
    # taken over by another within about this long.
    lease: timedelta = timedelta(seconds=30)
    batch_size: int = 50

    @classmethod
    def from_config(cls, config) -> Policy:
        return cls(
            max_attempts=int(config["MAIL_MAX_ATTEMPTS"]),
            first_retry=timedelta(seconds=float(config["MAIL_FIRST_RETRY_SECONDS"])),
            lease=timedelta(seconds=float(config["MAIL_LEASE_SECONDS"])),
            batch_size=int(config["MAIL_BATCH_SIZE"]),
        )

    def retry_delay(self, attempts: int) -> timedelta:
        """1 min, 2, 4, 8 … capped: a relay down for an afternoon loses nothing."""
        return min(self.first_retry * (2 ** max(attempts - 1, 0)), self.longest_retry)


ADDRESS_HEADERS = ("From", "To", "Cc", "Reply-To", "Sender")
# Headers written by eventsvc.mail.headers are already folded: never let Python fold them again.
_SEVEN_BIT = SMTP.clone(refold_source="none")
_INTERNATIONAL = SMTPUTF8.clone(refold_source="none")


def needs_smtputf8(message: EmailMessage) -> bool:
    """Only an address that is not ASCII needs it (RFC 6531); names and subjects never do."""
    return not all(
        address.addr_spec.isascii()
        for name in ADDRESS_HEADERS
        for header in message.get_all(name, [])
        for address in getattr(header, "addresses", ())
    )


def serialise(message: EmailMessage) -> bytes:
    """The message as SMTP carries it: CRLF line endings; 7-bit headers (RFC 2047 encoded words)
    unless an address needs SMTPUTF8, and then UTF-8 headers (RFC 6532)."""
    return message.as_bytes(policy=_INTERNATIONAL if needs_smtputf8(message) else _SEVEN_BIT)


def enqueue(key: str, message: EmailMessage, *, calendar_method: str | None = None) -> bool:
    """Queue a message in the caller's transaction; False if this key was already queued."""
    values = dict(
        key=key,
        sender=_address(message["From"]),
        recipient=_address(message["To"]),
        subject=str(message["Subject"])[:300],
        message_id=str(message.get("Message-ID", ""))[:250] or None,
        raw=serialise(message),
        calendar_method=calendar_method,
        status=MessageStatus.PENDING,
        attempts=0,
        next_attempt_at=utcnow(),
        created_at=utcnow(),
    )
    return _insert(values)


def enqueue_recipe(
    key: str,
    recipe: dict,
    *,
    sender: str,
    recipient: str,
    subject: str,
    message_id: str | None,
    calendar_method: str | None = None,
) -> bool:
    """Queue a recipe (``recipe[recipes.NAME]`` names its composer) in the caller's transaction;
    False if this key was already queued. The columns the organiser and the retention read
    (recipient, subject, Message-ID) are given now; the message is composed at delivery, and must
    carry this ``message_id``.

    Raises ValueError, as composing would, when no header can carry the recipient's address (a
    stored value with a line break): a mass sending reports that person at once."""
    if not _PLAIN_ADDRESS.match(recipient):
        headers.address_value("To", "", recipient)
    return _insert(
        dict(
            key=key,
            sender=sender,
            recipient=recipient,
            subject=subject[:300],
            message_id=(message_id or "")[:250] or None,
            raw=None,
            recipe=recipe,
            calendar_method=calendar_method,
            status=MessageStatus.PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
            created_at=utcnow(),
        )
    )


# An address of the commonest shape (dot-atom, RFC 5322) goes in a header as it is: no need to
# parse it back (the slow part of the check) on the sign-up's hot path.
_PLAIN_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+\Z")


def _insert(values: dict) -> bool:
    dialect = db.session.get_bind().dialect.name
    return db.session.execute(_insert_statement(dialect), values).scalar_one_or_none() is not None


@lru_cache(maxsize=4)
def _insert_statement(dialect: str):
    """Built once per dialect: queuing runs inside the sign-up's locked section."""
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(OutboxMessage)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(OutboxMessage.id)
    )


def composed_bytes(row: OutboxMessage) -> bytes | None:
    """The message as it goes (or went) over SMTP: the stored body, or the recipe composed now
    (None: dropped, nothing to send any more)."""
    if row.raw is not None or row.recipe is None:
        return row.raw
    message = recipes.compose(row.recipe)
    return None if message is None else serialise(message)


def _address(header) -> str:
    addresses = getattr(header, "addresses", ())
    if addresses:
        return addresses[0].addr_spec
    return str(header)


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim_due(policy: Policy, worker: str, now: datetime | None = None) -> list[Envelope]:
    """Take up to a batch of due messages for this worker, in their own short transaction.

    On PostgreSQL, ``FOR UPDATE SKIP LOCKED`` lets any number of workers claim side by side; on
    SQLite the write lock taken by ``begin_write`` does the same for one database file.
    """
    now = now or utcnow()
    db.session.commit()
    begin_write(db.session)
    due = or_(
        and_(OutboxMessage.status == MessageStatus.PENDING, OutboxMessage.next_attempt_at <= now),
        and_(
            OutboxMessage.status == MessageStatus.SENDING,
            OutboxMessage.claimed_at < now - policy.lease,
        ),
    )
    rows = db.session.scalars(
        select(OutboxMessage)
        .where(due)
        .order_by(OutboxMessage.id)
        .limit(policy.batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.status = MessageStatus.SENDING
        row.claimed_by = worker
        row.claimed_at = now
    envelopes = [
        Envelope(
            row.id, row.sender, row.recipient, row.raw, row.recipe if row.raw is None else None
        )
        for row in rows
    ]
    db.session.commit()
    return envelopes


def deliver_due(backend: Backend, policy: Policy, now: datetime | None = None) -> dict[str, int]:
    """One pass: claim a batch, send it over one connection, record each outcome.

    The claim is renewed as the batch goes (a heartbeat between messages, every third of the
    lease), so a slow relay never lets another worker take over a live worker's messages; a
    message another worker took over meanwhile (this one stalled longer than the lease) is not
    sent here. Only the message in flight when a worker dies can go out twice."""
    worker = worker_name()
    envelopes = claim_due(policy, worker, now)
    if not envelopes:
        return {"sent": 0, "retry": 0, "failed": 0}
    outcomes: dict[int, str | None] = {}
    renewed = monotonic()
    try:
        with backend:
            ours = {envelope.id for envelope in envelopes}
            for envelope in envelopes:
                if monotonic() - renewed >= policy.lease.total_seconds() / 3:
                    # Those already sent too: their outcome is recorded at the end of the batch.
                    ours = renew_claim(list(ours), worker, now)
                    renewed = monotonic()
                if envelope.id not in ours:
                    continue
                try:
                    ready = _composed(envelope)
                    if ready is None:
                        outcomes[envelope.id] = DROPPED
                        continue
                    backend.send(ready)
                    outcomes[envelope.id] = None
                except Exception as error:  # noqa: BLE001 - recorded on the message, retried
                    outcomes[envelope.id] = _describe(error)
    except Exception as error:  # noqa: BLE001 - connection failed: every unsent one is retried
        for envelope in envelopes:
            outcomes.setdefault(envelope.id, _describe(error))
    db.session.rollback()  # the compositions' reads: _record starts a write transaction
    return _record(outcomes, worker, policy, now)


# An outcome: the recipe's composer had nothing to send any more.
DROPPED = object()


def _composed(envelope: Envelope) -> Envelope | None:
    """A recipe's envelope with its message composed now; None when it is dropped."""
    if envelope.raw is not None or envelope.recipe is None:
        return envelope
    message = recipes.compose(envelope.recipe)
    if message is None:
        return None
    return replace(envelope, raw=serialise(message))


def renew_claim(ids: list[int], worker: str, now: datetime | None = None) -> set[int]:
    """The heartbeat: push the lease of this worker's claimed messages forward; the ids still
    ours (another worker may have taken some over while this one stalled)."""
    db.session.commit()
    begin_write(db.session)
    ours = set(
        db.session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.claimed_by == worker,
                OutboxMessage.status == MessageStatus.SENDING,
            )
        )
    )
    if ours:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ours))
            .values(claimed_at=now or utcnow())
        )
    db.session.commit()
    return ours


def _describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _record(
    outcomes: dict[int, str | None], worker: str, policy: Policy, now: datetime | None
) -> dict[str, int]:
    counts = {"sent": 0, "retry": 0, "failed": 0}
    if any(outcome is DROPPED for outcome in outcomes.values()):
        counts["dropped"] = 0
    begin_write(db.session)
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(outcomes))).all()
    for row in rows:
        if row.claimed_by != worker or row.status != MessageStatus.SENDING:
            continue  # our lease expired and another worker took it over
        error = outcomes[row.id]
        finished = utcnow()
        row.attempts += 1
        row.claimed_by = None
        if error is DROPPED:
            row.status = MessageStatus.DROPPED
            row.last_error = "not sent: what it was about was erased before delivery"
            counts["dropped"] += 1
        elif error is None:
            row.status = MessageStatus.SENT
            row.sent_at = finished
            row.last_error = None
            row.raw = None  # its personal links are the recipient's, not the database's
            row.recipe = None  # and what it said of them
            counts["sent"] += 1
        else:
            row.last_error = error
            if row.attempts >= policy.max_attempts:
                row.status = MessageStatus.FAILED
                counts["failed"] += 1
                log.error(
                    "giving up on message %s after %s attempts: %s", row.id, row.attempts, error
                )
            else:
                row.status = MessageStatus.PENDING
                row.next_attempt_at = (now or finished) + policy.retry_delay(row.attempts)
                counts["retry"] += 1
                log.warning("message %s will be retried: %s", row.id, error)
    db.session.commit()
    return counts


def deliver_all_due(backend: Backend, policy: Policy) -> dict[str, int]:
    """Passes until nothing due is left (what ``flask mail send`` does)."""
    total = {"sent": 0, "retry": 0, "failed": 0}
    while True:
        counts = deliver_due(backend, policy)
        for name, value in counts.items():
            total[name] = total.get(name, 0) + value
        if not any(counts.values()) or counts["sent"] + counts.get("dropped", 0) == 0:
            return total


def retry_failed(message_ids: list[int] | None = None) -> int:
    """Put failed messages back in the queue, e.g. once the relay is fixed."""
    db.session.commit()
    begin_write(db.session)
    query = select(OutboxMessage).where(OutboxMessage.status == MessageStatus.FAILED)
    if message_ids:
        query = query.where(OutboxMessage.id.in_(message_ids))
    rows = db.session.scalars(query).all()
    for row in rows:
        row.status = MessageStatus.PENDING
        row.attempts = 0
        row.next_attempt_at = utcnow()
    db.session.commit()
    return len(rows)


def status_counts() -> dict[str, int]:
    rows = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    return {status.value: 0 for status in MessageStatus} | dict(rows)
