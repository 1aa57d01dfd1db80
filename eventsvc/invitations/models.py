"""Contacts, lists, invitations and the files attached to an event's invitations."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..database import UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import db
from ..registrations.models import Registration


class Reply(enum.StrEnum):
    NONE = "none"
    YES = "yes"
    NO = "no"
    REPRESENTED = "represented"


contact_list_members = Table(
    "contact_list_members",
    db.metadata,
    Column("list_id", ForeignKey("contact_lists.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    ),
)


class Contact(db.Model):
    """Someone an organiser invites: one per (organiser, case-folded email)."""

    __tablename__ = "contacts"
    __table_args__ = (UniqueConstraint("owner_id", "email_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    civility: Mapped[str] = mapped_column(String(20), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100))
    # « Maire », « Adjointe à la culture ».
    function: Mapped[str] = mapped_column(String(200), default="")
    # The organisation or the commune the person stands for.
    organisation: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(320))
    email_key: Mapped[str] = mapped_column(String(320))
    # Set when the person used the link « ne plus recevoir d'invitations »: never emailed again.
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner: Mapped[User] = relationship()
    lists: Mapped[list[ContactList]] = relationship(
        secondary=contact_list_members, back_populates="contacts", order_by="ContactList.name"
    )

    @property
    def display_name(self) -> str:
        return " ".join(x for x in (self.first_name, self.last_name) if x)

    @property
    def formal_name(self) -> str:
        """« Mme Claire Martin »."""
        return " ".join(x for x in (self.civility, self.first_name, self.last_name) if x)


class ContactList(db.Model):
    __tablename__ = "contact_lists"
    __table_args__ = (UniqueConstraint("owner_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contacts: Mapped[list[Contact]] = relationship(
        secondary=contact_list_members,
        back_populates="lists",
        order_by="Contact.last_name, Contact.first_name",
    )


class Invitation(db.Model):
    """A contact invited to an event, and their reply."""

    __tablename__ = "invitations"
    __table_args__ = (UniqueConstraint("event_id", "contact_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    # Random; the reply-page token is an HMAC of it, only the token's SHA-256 is stored.
    public_id: Mapped[str] = mapped_column(String(32), unique=True)
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reminders: Mapped[int] = mapped_column(Integer, default=0)
    last_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply: Mapped[str] = mapped_column(String(16), default=Reply.NONE)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # « Retenu par d'autres obligations » (a « no »).
    message: Mapped[str] = mapped_column(Text, default="")
    representative_name: Mapped[str] = mapped_column(String(200), default="")
    representative_function: Mapped[str] = mapped_column(String(200), default="")
    representative_email: Mapped[str] = mapped_column(String(320), default="")
    # The registration of the invitee (yes) or of their representative.
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL"), index=True
    )

    event: Mapped[Event] = relationship()
    contact: Mapped[Contact] = relationship()
    registration: Mapped[Registration | None] = relationship()


class CreatedRegistration(db.Model):
    """A registration that an invitation's reply created: the invitee's own, or the one of a
    representative the reply registered. A later reply of that invitation may change or cancel
    these, and only these: a registration made any other way (public form, organiser, import,
    another invitation) is never touched by a reply. A (re)registration by another way forgets
    the mark (see ``service.registration_created``)."""

    __tablename__ = "invitation_created_registrations"

    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True
    )
    invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )


class EventAttachment(db.Model):
    """A file sent with every invitation to an event (the agenda...). Kept in the database so
    that any process can attach it; size-limited by ``INVITATION_ATTACHMENT_MAX_BYTES``."""

    __tablename__ = "event_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
