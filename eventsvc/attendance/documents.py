"""Printed documents: sign-in sheets (HTML for the browser's print, PDF by WeasyPrint) and
certificates of attendance (PDF). Real text in the PDFs: searchable, copyable, read aloud."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale

from ..events.models import Event, Part
from ..registrations.models import Registration
from . import rules, service

BLANK_ROWS = 8  # for walk-ins, on a sheet printed before the event


@dataclass(frozen=True)
class SheetRow:
    registration: Registration
    partial: bool
    check_in: object  # CheckIn or None


@dataclass(frozen=True)
class Sheet:
    event: Event
    part: Part
    rows: list[SheetRow]
    blank_rows: int


def sheets(event: Event, parts: list[Part] | None = None) -> list[Sheet]:
    """One sheet per part, in order; check-ins shown when there are any."""
    check_ins = service.check_ins_of(event)
    result = []
    for part in parts or event.parts:
        people = service.expected_at(event, part)
        rows = [
            SheetRow(person, not person.full_day, check_ins.get((person.id, part.id)))
            for person in people
        ]
        result.append(Sheet(event, part, rows, 0 if service.event_is_over(event) else BLANK_ROWS))
    return result


def sheet_html(event: Event, parts: list[Part] | None = None, *, for_pdf: bool = False) -> str:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return render_template(
            "print/sheets.html", event=event, sheets=sheets(event, parts), for_pdf=for_pdf
        )


def sheet_pdf(event: Event, parts: list[Part] | None = None) -> bytes:
    return _pdf(sheet_html(event, parts, for_pdf=True))


@dataclass(frozen=True)
class Certificate:
    registration: Registration
    periods: list[rules.AttendedPeriod]
    total: str
    reference: str


def certificate(registration: Registration) -> Certificate | None:
    """None for someone who was never checked in: no certificate without attendance."""
    periods = service.attended_periods(registration)
    if not periods:
        return None
    return Certificate(
        registration=registration,
        periods=periods,
        total=rules.format_hours(rules.total_hours(periods)),
        reference=rules.certificate_reference(registration.event_id, registration.public_id),
    )


def certificates_pdf(event: Event, registrations: list[Registration]) -> bytes:
    """One page per person; everyone in one file for the organiser, or just one."""
    documents = [c for c in (certificate(r) for r in registrations) if c is not None]
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        html = render_template("print/certificates.html", event=event, certificates=documents)
    return _pdf(html)


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=str(current_app.static_folder)).write_pdf()
