from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class MessageStatus(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"  # claimed by a worker; reclaimed if the worker dies (lease)
    SENT = "sent"
    FAILED = "failed"  # gave up after the last attempt: kept, visible, can be retried by hand
    # never sent: what it was about is gone (a registration erased before delivery)
    DROPPED = "dropped"


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Makes enqueueing idempotent: the same key is never queued twice.
    key: Mapped[str] = mapped_column(String(200), unique=True)
    sender: Mapped[str] = mapped_column(String(320))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    # Kept to match a relay's log or a bounce with the message once its body is gone.
    message_id: Mapped[str | None] = mapped_column(String(250))
    # The whole message as it goes over SMTP (CRLF line endings), built once at enqueue time, and
    # dropped once sent: its personal links must not outlive delivery in the database (a backup
    # or a dump would open every registration). A failed message keeps it until sent or purged,
    # so that ``mail retry`` can send it.
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Or, instead of ``raw``, a recipe: the small record of what to send (``mail.recipes``), from
    # which the worker composes the message when it delivers it; ``raw`` then stays NULL, before
    # and after sending. A row has one or the other until it is sent, neither afterwards.
    recipe: Mapped[dict | None] = mapped_column(JSON)
    calendar_method: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
