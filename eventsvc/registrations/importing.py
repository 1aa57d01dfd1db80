"""Importing sign-ups collected elsewhere (a form tool's CSV export) into an event.

Two steps, the same for the dashboard and the ``import-signups`` command: :func:`preview` reads the
file and says what would be imported and what is refused, writing nothing; :func:`commit` imports
every accepted row or none (one transaction; any row refused at that point undoes the lot).

Each row goes through ``operations.register`` like a sign-up on the form, without the registration
window, so capacity, the waiting list and duplicate detection are the same. For « Non » (not the
whole day) rows, the parts and times suggested from the comment are applied only once the organiser
has seen them (``--yes`` or the prompt on the command line; the preview's fields in the dashboard,
where each suggestion can be corrected).

``send_invitations``: importing sends nothing unless the organiser asks (``register(...,
send_email=...)``); the choice is also recorded on the import and in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from ..audit import service as audit
from ..common import csv_tables
from ..common.errors import DomainError
from ..database import utcnow
from ..events.models import Event
from ..extensions import db
from . import operations, queries, signup_csv
from .comment_hints import Suggestion, suggest
from .models import Registration, RegistrationStatus, SignupImport
from .rules import PartSpan, check_attendance

STALE_AFTER = timedelta(days=1)


class ImportRefused(DomainError):
    """The whole import is refused; nothing was written."""


@dataclass(frozen=True)
class Options:
    """The organiser's corrections of what was detected (None: as detected)."""

    encoding: str | None = None
    delimiter: str | None = None
    mapping: dict[str, str] | None = None


@dataclass
class Attendance:
    """What a row will be imported with; for a « Non » row, possibly a suggestion to confirm."""

    full_day: bool
    part_ids: list[int] = field(default_factory=list)
    arrival: time | None = None
    departure: time | None = None
    # How it was decided: "form" (« Oui »), "comment" (suggested from the comment), "default"
    # (« Non » with nothing usable in the comment: every part, to be checked), "organiser".
    source: str = "form"


@dataclass
class PlannedRow:
    row: signup_csv.AcceptedRow
    attendance: Attendance
    evidence: tuple[str, ...] = ()

    @property
    def to_confirm(self) -> bool:
        return self.attendance.source in ("comment", "default")


@dataclass
class Preview:
    parsed: signup_csv.ParsedFile
    planned: list[PlannedRow]
    places_left: int | None

    @property
    def refused(self) -> list[csv_tables.RefusedRow]:
        return self.parsed.refused

    @property
    def can_import(self) -> bool:
        return not self.parsed.problems and bool(self.planned)

    @property
    def suggestions(self) -> list[PlannedRow]:
        return [row for row in self.planned if row.to_confirm]


@dataclass(frozen=True)
class ImportResult:
    registrations: list[Registration]
    waitlisted: int


def preview(
    event: Event, data: bytes, options: Options = Options(), existing_keys: set[str] | None = None
) -> Preview:
    """``existing_keys``: the people registered as a job saw them at its start (a job resumed
    after a dead worker must not take its own imported rows for duplicates)."""
    parsed = signup_csv.parse(
        data,
        encoding=options.encoding,
        delimiter=options.delimiter,
        mapping=options.mapping,
        existing_keys=_registered_keys(event) if existing_keys is None else existing_keys,
    )
    spans = [PartSpan(part.id, part.local_start, part.local_end) for part in event.parts]
    planned = [_plan(row, spans) for row in parsed.accepted]
    return Preview(parsed, planned, queries.places_left(event))


def _plan(row: signup_csv.AcceptedRow, spans: list[PartSpan]) -> PlannedRow:
    if row.full_day or not spans or (len(spans) == 1 and row.hints is not None and row.hints.empty):
        return PlannedRow(row, Attendance(full_day=True))
    hints = row.hints
    suggestion: Suggestion | None = suggest(hints, spans) if hints else None
    if suggestion is None:
        every = [span.id for span in spans]
        return PlannedRow(row, Attendance(False, every, source="default"))
    return PlannedRow(
        row,
        Attendance(
            False, list(suggestion.part_ids), suggestion.arrival, suggestion.departure, "comment"
        ),
        hints.evidence,
    )


def _registered_keys(event: Event) -> set[str]:
    """Keys of people registered (cancelled ones may sign up again, as on the form)."""
    return set(
        db.session.scalars(
            select(Registration.email_key).where(
                Registration.event_id == event.id,
                Registration.status != RegistrationStatus.CANCELLED,
            )
        )
    )


def check_attendance_choice(event: Event, attendance: Attendance) -> list:
    """The form's rules for a corrected row: messages, empty when fine."""
    spans = {p.id: PartSpan(p.id, p.local_start, p.local_end) for p in event.parts}
    chosen = [spans[i] for i in attendance.part_ids if i in spans]
    return [
        problem.message
        for problem in check_attendance(
            attendance.full_day, chosen, attendance.arrival, attendance.departure
        )
    ]


def commit(
    event: Event,
    result: Preview,
    *,
    send_invitations: bool = False,
    corrections: dict[int, Attendance] | None = None,
    actor=None,
    actor_label: str | None = None,
    upload: SignupImport | None = None,
) -> ImportResult:
    """Import every planned row, or raise :class:`ImportRefused` having written nothing the
    caller should keep (the caller rolls back).

    ``corrections`` replace, by line number, the attendance planned for a row (the organiser's
    answer to a suggestion). ``send_invitations`` queues each person's confirmation and invite.
    """
    if not result.can_import:
        raise ImportRefused(_l("Rien à importer : corrigez d'abord les problèmes signalés."))
    registrations = []
    for planned in result.planned:
        attendance = (corrections or {}).get(planned.row.line, planned.attendance)
        registrations.append(
            import_row(
                event,
                planned,
                attendance,
                send_invitations=send_invitations,
                actor=actor,
                actor_label=actor_label,
            )
        )
    waitlisted = sum(r.status == RegistrationStatus.WAITLISTED for r in registrations)
    record_import(
        event,
        upload,
        imported=len(registrations),
        waitlisted=waitlisted,
        refused_lines=[row.line for row in result.refused],
        suggestions=len(result.suggestions),
        send_invitations=send_invitations,
        actor=actor,
        actor_label=actor_label,
    )
    db.session.flush()
    return ImportResult(registrations, waitlisted)


def import_row(
    event: Event,
    planned: PlannedRow,
    attendance: Attendance,
    *,
    send_invitations: bool,
    actor=None,
    actor_label: str | None = None,
) -> Registration:
    """One row registered like a sign-up on the form, with its audit line; ImportRefused when
    the attendance breaks the form's rules or the person signed up since the preview."""
    problems = check_attendance_choice(event, attendance)
    if problems:
        raise ImportRefused(
            _l("Ligne %(line)d : %(problem)s", line=planned.row.line, problem=problems[0])
        )
    row = planned.row
    command = operations.SignupCommand(
        first_name=row.first_name,
        last_name=row.last_name,
        organisation=row.organisation,
        email_typed=row.email.typed,
        email=row.email.normalised,
        email_key=row.email.key,
        full_day=attendance.full_day,
        part_ids=[] if attendance.full_day else list(attendance.part_ids),
        arrival_time=None if attendance.full_day else attendance.arrival,
        departure_time=None if attendance.full_day else attendance.departure,
        comment=row.comment,
    )
    try:
        signup = operations.register(
            event, command, locale="fr", enforce_window=False, send_email=send_invitations
        )
    except operations.AlreadyRegistered as error:
        raise ImportRefused(
            _l(
                "Ligne %(line)d : %(email)s s'est inscrit·e depuis l'aperçu. Relancez "
                "l'aperçu : rien n'a été importé.",
                line=row.line,
                email=row.email.normalised,
            )
        ) from error
    audit.record(
        "registration.imported",
        actor=actor,
        actor_label=actor_label,
        registration=signup.registration,
        details={
            "line": row.line,
            "status": signup.registration.status,
            "attendance": attendance.source,
        },
    )
    return signup.registration


def record_import(
    event: Event,
    upload: SignupImport | None,
    *,
    imported: int,
    waitlisted: int,
    refused_lines: list[int],
    suggestions: int,
    send_invitations: bool,
    actor=None,
    actor_label: str | None = None,
) -> None:
    """The import's end: the upload marked imported (its content dropped), the audit line."""
    if upload is not None:
        upload.imported_at = utcnow()
        upload.imported_count = imported
        upload.send_invitations = send_invitations
        upload.content = b""  # the data now lives in the registrations
    audit.record(
        "import.committed",
        actor=actor,
        actor_label=actor_label,
        event=event,
        details={
            "file": upload.filename if upload is not None else None,
            "imported": imported,
            "waitlisted": waitlisted,
            "refused": len(refused_lines),
            "refused_lines": refused_lines,
            "suggestions_confirmed": suggestions,
            "send_invitations": send_invitations,
        },
    )
    db.session.flush()


# The upload kept between the preview and the import (dashboard).


def store_upload(event: Event, filename: str, data: bytes, *, actor) -> SignupImport:
    """Keep the file for its preview; uploads of this event left more than a day are dropped."""
    db.session.execute(
        delete(SignupImport).where(
            SignupImport.event_id == event.id,
            SignupImport.imported_at.is_(None),
            SignupImport.created_at < utcnow() - STALE_AFTER,
        )
    )
    upload = SignupImport(
        event_id=event.id,
        uploaded_by_id=actor.id if actor is not None else None,
        filename=filename[:255],
        content=data,
        mapping={},
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def find_upload(event: Event, upload_id: int) -> SignupImport | None:
    """An upload of this event, or None (another event's upload is nobody's here)."""
    upload = db.session.get(SignupImport, upload_id)
    if upload is None or upload.event_id != event.id:
        return None
    return upload


def options_of(upload: SignupImport) -> Options:
    return Options(upload.encoding, upload.delimiter, dict(upload.mapping or {}))


def save_options(upload: SignupImport, options: Options) -> None:
    upload.encoding = options.encoding
    upload.delimiter = options.delimiter
    upload.mapping = dict(options.mapping or {})
    db.session.flush()
