"""A message the organiser sent to participants, kept for the list of sent messages."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class Message(db.Model):
    """What was written and to whom: each person's email is an outbox row (``message:<id>:...``);
    this row keeps the text, the audience as the author read it and how many were queued."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)  # Markdown subset (common.markdown_text)
    # The audience in words, in the author's language (« la liste d'attente »).
    audience: Mapped[str] = mapped_column(String(500))
    recipients: Mapped[int] = mapped_column(Integer, default=0)  # emails queued
    unsent: Mapped[int] = mapped_column(Integer, default=0)  # people who could not be written to
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The author's email, or « command-line »: kept when the account is deleted.
    author_label: Mapped[str] = mapped_column(String(320), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
