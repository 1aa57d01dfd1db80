from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
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


class SignatureMode:
    """What the check-in page asks for (the event's ``signature_mode``)."""

    NONE = "none"  # a tap marks present (no signature)
    PARTICIPANTS = "participants"  # each person signs on the pad
    PARTICIPANTS_AND_TRAINERS = "participants_and_trainers"  # and the trainer countersigns


class Signature(db.Model):
    """A handwritten signature for a part, as vector data (attendance.rules_proof).

    A participant's (``registration``) or the trainer's countersignature (no registration: a name
    and a role). Never changed nor deleted: signed again, the new row ``supersedes`` the earlier
    one, whose ``superseded_by`` then points to it (the only column ever written twice, outside
    the hash); both stay in the proof file and in the journal."""

    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(ForeignKey("parts.id", ondelete="CASCADE"), index=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    signer_name: Mapped[str] = mapped_column(String(200), default="")
    signer_role: Mapped[str] = mapped_column(String(200), default="")
    strokes: Mapped[list] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The device's time when the signature was drawn, when it was kept offline and sent later
    # (None: sent at once, received_at says it). Never after received_at.
    taken_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    duration_ms: Mapped[int | None] = mapped_column(Integer)
    # How it was captured: « organiser_device » (the organiser's phone or tablet at the desk).
    captured_by: Mapped[str] = mapped_column(String(32), default="organiser_device")
    recorded_by: Mapped[str] = mapped_column(String(320), default="")  # the organiser's email
    client_address: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(400), default="")
    sha256: Mapped[str] = mapped_column(String(64))
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("signatures.id", ondelete="SET NULL")
    )
    superseded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("signatures.id", ondelete="SET NULL")
    )

    registration: Mapped[Registration | None] = relationship()
    part: Mapped[Part] = relationship()
