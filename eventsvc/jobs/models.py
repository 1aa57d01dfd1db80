"""A job: long work done in the background, with its progress, result or error."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"  # claimed by a worker; taken over if its lease runs out (a dead worker)
    DONE = "done"
    FAILED = "failed"  # ``error`` says why, to the organiser


class Job(db.Model):
    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # What to run: a kind registered with ``jobs.register_kind`` (``attendance.certificates``).
    kind: Mapped[str] = mapped_column(String(60))
    # Who started it (the page is theirs, and their event's other organisers'), and for what.
    organiser_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("events.id", ondelete="CASCADE"), index=True
    )
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The language of whoever started it: messages written while it runs are in it.
    locale: Mapped[str] = mapped_column(String(10), default="fr")
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED, index=True)
    # Items done, committed with each item's work: a job taken over resumes after them.
    done: Mapped[int] = mapped_column(Integer, default=0)
    total: Mapped[int | None] = mapped_column(Integer)
    # Counts and notes the kind's summary turns into sentences (« 298 attestations envoyées »).
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Shown to the organiser as it is, in their language: what went wrong and what to do.
    error: Mapped[str | None] = mapped_column(Text)
    # Claims, including takeovers after a worker died: too many and the job fails.
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    # The heartbeat: renewed with every item while the worker lives.
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)
