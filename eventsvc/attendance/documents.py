"""Printed documents: sign-in sheets (HTML for the browser's print, PDF by WeasyPrint) and
certificates of attendance (PDF). Real text in the PDFs: searchable, copyable, read aloud.

Sheets print in A4 landscape (portrait on request) and repeat the event, the part, its date and
the reference at the top of every page (a header row of the table, which both WeasyPrint and the
browsers repeat). Their transport column is pre-ticked from the declarations, which compensation
answers through ``declared_transport``. Certificates state only the parts that have ended and are
signed by the event's ``organiser_name`` / ``organiser_role``; ``certificate_refusals`` says why
none can be produced yet (``rules_documents``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, datetime

from flask import current_app, render_template
from flask_babel import force_locale, get_locale

from ..common.wording import Message, date_text
from ..database import utcnow
from ..events.models import Event, Part
from ..registrations.models import Registration
from . import declared_transport, rules, rules_documents, rules_proof, service, signing

BLANK_ROWS = 8  # for walk-ins, on a sheet printed before the event


@dataclass(frozen=True)
class SheetRow:
    registration: Registration
    partial: bool
    check_in: object  # CheckIn or None
    transport: declared_transport.Declared | None = None  # the box to print ticked
    # The signature drawn (one SVG ``points`` per stroke, rules_proof.svg_points): on a sheet
    # printed after the part, of an event that asks for signatures.
    drawing: list[str] | None = None


@dataclass(frozen=True)
class Sheet:
    event: Event
    part: Part
    rows: list[SheetRow]
    blank_rows: int
    # After a part with signatures: the trainer's countersignature (None if none) and the SHA-256
    # of the part's proof file (signing.proof), printed at the bottom.
    signed: bool = False
    countersignature: object = None  # Signature or None
    proof_sha256: str = ""
    countersignature_drawing: list[str] | None = None

    @property
    def reference(self) -> str:
        """Cited by compensation claims and finance exports as the proof of attendance; it holds
        the event's number, and the slug (the event's address) is printed next to it."""
        return rules.sheet_reference(self.event.id, self.part.id)


def sheets(event: Event, parts: list[Part] | None = None) -> list[Sheet]:
    """One sheet per part, in order; check-ins shown when there are any, declared transport
    ticked."""
    check_ins = service.check_ins_of(event)
    declared = declared_transport.declared(event)
    result = []
    for part in parts or event.parts:
        people = service.expected_at(event, part)
        rows = [
            SheetRow(
                person,
                not person.full_day,
                check_ins.get((person.id, part.id)),
                declared.get(person.id),
            )
            for person in people
        ]
        blank = 0 if service.event_is_over(event) else BLANK_ROWS
        if signing.asks_signatures(event) and utcnow() >= part.ends_at:
            result.append(_signed_sheet(Sheet(event, part, rows, blank)))
        else:
            result.append(Sheet(event, part, rows, blank))
    return result


def _signed_sheet(sheet: Sheet) -> Sheet:
    """The sheet of a part that has ended, with each signature drawn, the countersignature and
    the proof's digest; no blank rows (a signature cannot be added by hand to a signed sheet)."""
    signatures = signing.current_signatures(sheet.part)
    rows = [
        replace(row, drawing=rules_proof.svg_points(signatures[row.registration.id].strokes))
        if row.registration.id in signatures
        else row
        for row in sheet.rows
    ]
    counter = signing.countersignature(sheet.part)
    return replace(
        sheet,
        rows=rows,
        blank_rows=0,
        signed=True,
        countersignature=counter,
        countersignature_drawing=rules_proof.svg_points(counter.strokes) if counter else None,
        proof_sha256=rules_proof.digest(signing.proof(sheet.part)),
    )


def sheet_html(
    event: Event,
    parts: list[Part] | None = None,
    *,
    for_pdf: bool = False,
    portrait: bool = False,
) -> str:
    """A4 landscape unless ``portrait``."""
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return render_template(
            "print/sheets.html",
            event=event,
            sheets=sheets(event, parts),
            for_pdf=for_pdf,
            portrait=portrait,
            boxes=list(declared_transport.Box),
        )


def sheet_pdf(event: Event, parts: list[Part] | None = None, *, portrait: bool = False) -> bytes:
    return _pdf(sheet_html(event, parts, for_pdf=True, portrait=portrait))


# Certificates


class CertificatesRefused(service.AttendanceError):
    """No certificate can be produced yet; ``reasons`` says every reason (messages)."""

    def __init__(self, reasons: list[Message]):
        super().__init__(reasons[0])
        self.reasons = reasons


def _part_ends(event: Event) -> list[rules_documents.PartEnd]:
    return [rules_documents.PartEnd(p.id, p.label, p.local_end) for p in event.parts]


def certificate_refusals(event: Event, now: datetime | None = None) -> list[Message]:
    """Why no certificate of this event can be produced now: before the first part to end has
    ended, or without a signatory's name. Empty: they can."""
    return rules_documents.certificate_refusals(
        _part_ends(event), event.organiser_name, now or utcnow()
    )


def check_certificates(event: Event, now: datetime | None = None) -> None:
    reasons = certificate_refusals(event, now)
    if reasons:
        raise CertificatesRefused(reasons)


@dataclass(frozen=True)
class Certificate:
    registration: Registration
    periods: list[rules.AttendedPeriod]
    total: str
    reference: str
    issued_on: date  # « Fait à …, le … »: the day it is produced, in the event's zone
    # « Certificat de réalisation »: the event asks for signatures, and the parts stated are
    # those the person signed (not only checked in at).
    signed: bool = False

    def hours(self, period: rules.AttendedPeriod) -> str:
        return rules.format_hours(period.hours)

    def issued_on_text(self) -> str:
        return date_text(self.issued_on, str(get_locale() or "fr"))


def certificate(
    registration: Registration, now: datetime | None = None, checked_in: set[int] | None = None
) -> Certificate | None:
    """What the certificate states: the parts checked in that have ended by ``now``. None for
    someone never checked in at an ended part: no certificate without attendance.
    ``checked_in``: the person's checked-in part ids when the caller read them for everyone at
    once (:func:`_checked_in_by_person`); read here otherwise."""
    now = now or utcnow()
    event = registration.event
    ended = rules_documents.ended_part_ids(_part_ends(event), now)
    signed = signing.asks_signatures(event)
    if signed:
        checked_in = signing.signed_part_ids(registration)
    elif checked_in is None:
        checked_in = service.checked_in_part_ids(registration)
    present = checked_in & ended
    periods = rules.attended_periods(
        [(p.label, p.local_start, p.local_end) for p in event.parts if p.id in present],
        registration.arrival_time,
        registration.departure_time,
    )
    if not periods:
        return None
    return Certificate(
        registration=registration,
        periods=periods,
        total=rules.format_hours(rules.total_hours(periods)),
        reference=rules.certificate_reference(registration.event_id, registration.public_id),
        issued_on=now.astimezone(event.zone).date(),
        signed=signed,
    )


def certified(event: Event, now: datetime | None = None) -> list[Registration]:
    """Who has a certificate now: checked in at a part that has ended, by name."""
    return [
        document.registration for document in _certificates(event, service.attendees(event), now)
    ]


def _checked_in_by_person(event: Event) -> dict[int, set[int]]:
    """Registration id → the part ids it is checked in at, for the whole event in one query."""
    result: dict[int, set[int]] = defaultdict(set)
    for registration_id, part_id in service.check_ins_of(event):
        result[registration_id].add(part_id)
    return result


def _certificates(
    event: Event, registrations: list[Registration], now: datetime | None = None
) -> list[Certificate]:
    """The certificates of these people (those who have one), with every check-in of the event
    read in one query rather than one per person."""
    now = now or utcnow()
    checked_in = _checked_in_by_person(event)
    documents = (certificate(r, now, checked_in.get(r.id, set())) for r in registrations)
    return [document for document in documents if document is not None]


def certificates_pdf(
    event: Event, registrations: list[Registration], now: datetime | None = None
) -> bytes:
    """One page per person; everyone in one file for the organiser, or just one. Refused
    (``CertificatesRefused``) before the first part has ended or without a signatory."""
    now = now or utcnow()
    check_certificates(event, now)
    documents = _certificates(event, registrations, now)
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        html = render_template("print/certificates.html", event=event, certificates=documents)
    return _pdf(html)


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    # Tagged (headings, tables, reading order, language) for screen readers: RGAA and PDF/UA.
    return HTML(string=html, base_url=str(current_app.static_folder)).write_pdf(pdf_tags=True)
