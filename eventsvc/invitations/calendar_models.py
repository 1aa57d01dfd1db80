"""The calendar replies applied to invitations (:mod:`calendar_replies`): what makes a reply
read twice (the same message, or the same SEQUENCE and DTSTAMP) change nothing, and an older
one never override a newer."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class CalendarReply(db.Model):
    __tablename__ = "invitation_calendar_replies"
    __table_args__ = (UniqueConstraint("invitation_id", "sequence", "dtstamp"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    # The Message-ID of the email that carried it ("" when it had none).
    message_id: Mapped[str] = mapped_column(String(250), default="", index=True)
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    dtstamp: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # ACCEPTED, DECLINED or TENTATIVE.
    partstat: Mapped[str] = mapped_column(String(20))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
