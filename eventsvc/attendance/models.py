from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..events.models import Part
from ..extensions import db
from ..registrations.models import Registration


class CheckIn(db.Model):
    """A person seen at a part. Unique per (registration, part): two phones ticking the same
    person at once record one check-in."""

    __tablename__ = "check_ins"
    __table_args__ = (UniqueConstraint("registration_id", "part_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id", ondelete="CASCADE"), index=True)
    checked_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Who ticked: the organiser's email, kept as text so the record outlives the account.
    checked_in_by: Mapped[str] = mapped_column(String(320), default="")

    registration: Mapped[Registration] = relationship()
    part: Mapped[Part] = relationship()
