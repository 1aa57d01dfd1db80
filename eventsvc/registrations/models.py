"""A person's sign-up to an event and their answers to its extra questions."""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..events.models import Event, Part, Question
from ..extensions import db


class RegistrationStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"


registration_parts = Table(
    "registration_parts",
    db.metadata,
    Column("registration_id", ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True),
    Column("part_id", ForeignKey("parts.id", ondelete="CASCADE"), primary_key=True),
)


class Registration(db.Model):
    __tablename__ = "registrations"
    # One registration per person and event; signing up again after cancelling reuses it, so the
    # calendar UIDs the person already holds stay valid.
    __table_args__ = (UniqueConstraint("event_id", "email_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    # Random, public, never sequential: used in calendar UIDs and message keys.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    # SHA-256 of the personal-link token; the token itself is never stored.
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    email_typed: Mapped[str] = mapped_column(String(320))
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))
    full_day: Mapped[bool] = mapped_column(Boolean, default=True)
    # Local wall-clock times in the event's time zone, for people who come late or leave early.
    arrival_time: Mapped[time | None] = mapped_column(Time)
    departure_time: Mapped[time | None] = mapped_column(Time)
    comment: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default=RegistrationStatus.CONFIRMED)
    locale: Mapped[str] = mapped_column(String(8), default="fr")
    # Added on the day by an organiser, not registered beforehand.
    walk_in: Mapped[bool] = mapped_column(Boolean, default=False)
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the person last joined the queue: orders the waiting list (first come, first served),
    # also for someone who cancelled and signed up again.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the person's data was erased (retention purge, or their own request): names,
    # email, organisation, comment and answers are gone; status, parts and check-ins stay.
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    chosen_parts: Mapped[list[Part]] = relationship(
        secondary=registration_parts, order_by="Part.position, Part.starts_at"
    )
    answers: Mapped[list[Answer]] = relationship(
        back_populates="registration", cascade="all, delete-orphan"
    )

    @property
    def attended_parts(self) -> list[Part]:
        """The parts this person said they attend: all of them for a full day."""
        return list(self.event.parts) if self.full_day else list(self.chosen_parts)

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Answer(db.Model):
    __tablename__ = "answers"
    __table_args__ = (UniqueConstraint("registration_id", "question_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"))
    # A string, or a list of strings for a multiple choice.
    value: Mapped[str | list[str]] = mapped_column(JSON)

    registration: Mapped[Registration] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()

    @property
    def display_value(self) -> str:
        return ", ".join(self.value) if isinstance(self.value, list) else self.value


class SignupImport(db.Model):
    """A CSV file of existing sign-ups, kept between its preview and its import.

    The file lives in the database so that the preview and the confirmation may be served by
    different processes; its content is emptied once imported.
    """

    __tablename__ = "signup_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    content: Mapped[bytes] = mapped_column(LargeBinary)
    # The organiser's corrections of what was detected; None means "as detected".
    encoding: Mapped[str | None] = mapped_column(String(32))
    delimiter: Mapped[str | None] = mapped_column(String(1))
    # Header as written in the file -> field name (or "" to ignore the column).
    mapping: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    imported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    imported_count: Mapped[int] = mapped_column(Integer, default=0)
    send_invitations: Mapped[bool] = mapped_column(Boolean, default=False)
