"""Bodies (« Bureau », « Conseil municipal », « Assemblée générale »): a contact list whose
contacts are members, the meetings of a body and the pouvoirs given for them.

A list becomes a body when it has a :class:`Body` row; its contacts are its members. A member
without a :class:`BodyMember` row is in office, with the contact's own function. An event becomes
a meeting of a body with a :class:`Meeting` row. The rules live in ``rules_quorum`` (pure).
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..database import UTCDateTime, utcnow
from ..events.models import Event
from ..extensions import db
from .models import Contact, ContactList, Invitation
from .rules_quorum import QuorumKind, QuorumRule


class Body(db.Model):
    """The settings of a contact list that is a body."""

    __tablename__ = "bodies"

    list_id: Mapped[int] = mapped_column(
        ForeignKey("contact_lists.id", ondelete="CASCADE"), primary_key=True
    )
    quorum_kind: Mapped[str] = mapped_column(String(16), default=QuorumKind.MAJORITY)
    quorum_number: Mapped[int | None] = mapped_column(Integer)
    # Some association statutes count the pouvoirs towards the quorum; the CGCT does not.
    pouvoirs_count: Mapped[bool] = mapped_column(Boolean, default=False)
    max_pouvoirs: Mapped[int] = mapped_column(Integer, default=1)
    # « Jours francs »: 3 for a commune under 3,500 inhabitants, 5 above, per the statutes else.
    notice_days: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact_list: Mapped[ContactList] = relationship()

    @property
    def name(self) -> str:
        return self.contact_list.name

    @property
    def rule(self) -> QuorumRule:
        return QuorumRule(QuorumKind(self.quorum_kind), self.quorum_number)


class BodyMember(db.Model):
    """A member's function in the body and their term (« en exercice » or not, with dates)."""

    __tablename__ = "body_members"

    list_id: Mapped[int] = mapped_column(
        ForeignKey("contact_lists.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    # « Président », « Maire de Garches »; empty: the contact's own function.
    function: Mapped[str] = mapped_column(String(200), default="")
    in_office: Mapped[bool] = mapped_column(Boolean, default=True)
    office_start: Mapped[date | None] = mapped_column(Date)
    office_end: Mapped[date | None] = mapped_column(Date)

    contact: Mapped[Contact] = relationship()


class Meeting(db.Model):
    """An event that is a meeting of a body."""

    __tablename__ = "body_meetings"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), primary_key=True
    )
    list_id: Mapped[int] = mapped_column(
        ForeignKey("bodies.list_id", ondelete="CASCADE"), index=True
    )
    # The organiser confirmed sending the convocation after the notice period.
    late_notice_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    body: Mapped[Body] = relationship()


class PouvoirSource(enum.StrEnum):
    SLIP = "slip"  # given by the member on their reply slip
    PAPER = "paper"  # handed in on paper, recorded by the organiser


class Pouvoir(db.Model):
    """A pouvoir (proxy) an excused member gives to another member for one meeting. Valid while
    neither revoked (by the giver or the organiser) nor lapsed (the holder excused themselves,
    or the giver came after all)."""

    __tablename__ = "pouvoirs"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    giver_invitation_id: Mapped[int] = mapped_column(
        ForeignKey("invitations.id", ondelete="CASCADE"), index=True
    )
    holder_contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    source: Mapped[str] = mapped_column(String(16), default=PouvoirSource.SLIP)
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lapsed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    event: Mapped[Event] = relationship()
    giver: Mapped[Invitation] = relationship()
    holder: Mapped[Contact] = relationship()
    recorded_by: Mapped[User | None] = relationship()

    @property
    def valid(self) -> bool:
        return self.revoked_at is None and self.lapsed_at is None
