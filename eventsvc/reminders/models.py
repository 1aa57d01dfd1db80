"""The reminders already sent: one row per person and start reminded of.

The row is inserted before the email is queued, in the same transaction, and its unique key is
what makes a reminder go out once even with several workers: the second insert of the same
(registration, start) does nothing, and that worker sends nothing (``operations.claim``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class ReminderSent(db.Model):
    __tablename__ = "reminders_sent"
    __table_args__ = (UniqueConstraint("registration_id", "first_part_starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    # The start of the first part the person attended when the reminder went out.
    first_part_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
