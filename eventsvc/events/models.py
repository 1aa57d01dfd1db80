"""An event and what organisers define on it: its parts and its extra questions."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
from ..extensions import db

if TYPE_CHECKING:
    from ..auth.models import User


class EventStatus(enum.StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class QuestionKind(enum.StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"


# Who may see and change an event in the dashboard: one or more organiser accounts.
event_organisers = Table(
    "event_organisers",
    db.metadata,
    Column("event_id", ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Event(db.Model):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    venue_name: Mapped[str] = mapped_column(String(200), default="")
    venue_address: Mapped[str] = mapped_column(String(300), default="")
    venue_commune: Mapped[str] = mapped_column(String(120), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    status: Mapped[str] = mapped_column(String(16), default=EventStatus.DRAFT)
    capacity: Mapped[int | None] = mapped_column(Integer)
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    organiser_name: Mapped[str] = mapped_column(String(200), default="")
    organiser_email: Mapped[str] = mapped_column(String(320), default="")
    # Who signs certificates of attendance, e.g. « Chargée de mission inclusion numérique ».
    organiser_role: Mapped[str] = mapped_column(String(200), default="")
    lunch_provided: Mapped[bool] = mapped_column(Boolean, default=False)
    # Whether participants may declare travel and childcare costs, and the scale that pays them:
    # a scale family of compensation/scales.toml (« fp »); the version in force on the event's
    # date applies. See eventsvc/compensation.
    compensation_offered: Mapped[bool] = mapped_column(Boolean, default=False)
    compensation_scale: Mapped[str] = mapped_column(String(40), default="")
    # « Sur invitation »: the public form is not offered; invitees reply from their /i/ link.
    invitation_only: Mapped[bool] = mapped_column(Boolean, default=False)
    # Remind invitees without a reply this many days before registration closes (None: never);
    # sent once by ``flask invitations remind-due``, which records when.
    reminder_days_before: Mapped[int | None] = mapped_column(Integer)
    # Check-in of each part opens at 00:00 on its day, or at 18:00 the evening before when set
    # (people arriving the night before). See attendance.rules.checkin_opens_at.
    checkin_opens_evening_before: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # The form embedded in another site (/e/<slug>/embed) opens the confirmation in a new tab rather
    # than in its frame.
    embed_opens_new_tab: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # What the check-in page asks of people: « none » (a tap marks present), « participants » (each
    # signs on the pad) or « participants_and_trainers » (and the trainer countersigns each part).
    # See attendance.models.SignatureMode and attendance.signing.
    signature_mode: Mapped[str] = mapped_column(String(32), default="none", server_default="none")
    # Participants sign on their own phone from this many minutes before each part starts until
    # this many after it ends (attendance.rules_own_device).
    sign_minutes_before: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    sign_minutes_after: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    auto_reminder_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Remind each confirmed participant this many hours before the first part they attend (None:
    # no reminder), with the organiser's own text for it. Sent by eventsvc.reminders.
    reminder_hours_before: Mapped[int | None] = mapped_column(Integer)
    reminder_text: Mapped[str | None] = mapped_column(Text)
    # The organiser's own words added to the confirmation email and to the invitation: a small
    # Markdown subset (common.markdown_text), never HTML. None: nothing added.
    confirmation_text: Mapped[str | None] = mapped_column(Text)
    invitation_text: Mapped[str | None] = mapped_column(Text)
    # Bumped on every change that moves the event, so that calendar updates supersede older ones.
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Written to by every sign-up before it counts places: the portable way to serialise them.
    registration_lock: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    parts: Mapped[list[Part]] = relationship(
        back_populates="event",
        order_by="Part.position, Part.starts_at",
        cascade="all, delete-orphan",
    )
    questions: Mapped[list[Question]] = relationship(
        back_populates="event", order_by="Question.position", cascade="all, delete-orphan"
    )
    organisers: Mapped[list[User]] = relationship(secondary=event_organisers, order_by="User.email")

    def __init__(self, **values):
        # The reminder is on by default, and None (off) must stay None: a column default would
        # replace an explicit None at insert.
        values.setdefault("reminder_hours_before", 24)
        super().__init__(**values)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def starts_at(self) -> datetime | None:
        return min((p.starts_at for p in self.parts), default=None)

    @property
    def ends_at(self) -> datetime | None:
        return max((p.ends_at for p in self.parts), default=None)

    @property
    def days(self) -> list[date]:
        return sorted({p.local_start.date() for p in self.parts})


class Part(db.Model):
    """A segment of the event (« Matin », « Après-midi », « Jour 2 ») that people attend or not."""

    __tablename__ = "parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(120))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="parts")

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(self.event.zone)

    @property
    def local_end(self) -> datetime:
        return self.ends_at.astimezone(self.event.zone)


class Question(db.Model):
    """An extra field of the sign-up form, defined by the organiser."""

    __tablename__ = "questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(24), default=QuestionKind.TEXT)
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    event: Mapped[Event] = relationship(back_populates="questions")

    @property
    def field_name(self) -> str:
        return f"q_{self.id}"
