"""Dashboard pages for the day itself: the check-in page (plain forms, enhanced by
static/checkin.js through two JSON endpoints), sign-in sheets, certificates, the attendance
export and figures. The work is done by ``attendance.manage``, ``service``, ``documents`` and
``mailing``."""

from __future__ import annotations

import io
import unicodedata
import zipfile

from flask import Response, abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.datastructures import MultiDict

from ..attendance import documents, export, mailing, manage, rules, service
from ..attendance.forms import WalkInForm
from ..common.query_args import ID_MAX, arg_int, bounded_int
from ..database import utcnow
from ..events.forms import ConfirmForm
from ..events.models import Event, Part
from ..exports import tabular
from ..extensions import db
from ..mail import bulk
from ..registrations import manage as registrations
from ..registrations.models import Registration
from ..security import download
from . import bp
from .common import actor, flash_unsent, organiser_event, render
from .registrations import XLSX_TYPE


def _part(event: Event, part_id) -> Part:
    part = db.session.get(Part, part_id) if isinstance(part_id, int) else None
    if part is None or part.event_id != event.id:
        abort(404)
    return part


def current_part(event: Event) -> Part | None:
    """The part under way (or next, or last) by the clock, in the event's zone."""
    if not event.parts:
        return None
    chosen = rules.current_part(
        [rules.PartTime(p.id, p.local_start, p.local_end) for p in event.parts],
        utcnow().astimezone(event.zone),
    )
    return next(p for p in event.parts if p.id == chosen)


def _chosen_part(event: Event) -> Part | None:
    part_id = arg_int("part")
    return _part(event, part_id) if part_id is not None else current_part(event)


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _matches(row: service.DeskRow, query: str) -> bool:
    person = row.registration
    haystack = _folded(f"{person.first_name} {person.last_name} {person.organisation}")
    return all(word in haystack for word in _folded(query).split())


# Overview


@bp.get("/events/<int:event_id>/attendance")
def attendance(event_id: int):
    event = organiser_event(event_id)
    return render(
        "attendance.html",
        event=event,
        figures=service.figures(event),
        attendees=service.attendees(event),
        is_over=service.event_is_over(event),
        current=current_part(event),
    )


# Check-in page


@bp.get("/events/<int:event_id>/checkin")
def checkin(event_id: int):
    event = organiser_event(event_id)
    return _desk_page(event, _chosen_part(event), request.args.get("q", "").strip())


def _desk_page(event: Event, part: Part | None, query: str, walk_in_form: WalkInForm | None = None):
    rows = service.desk(event, part) if part is not None else []
    shown = [row for row in rows if _matches(row, query)] if query else rows
    return render(
        "checkin.html",
        event=event,
        part=part,
        query=query,
        rows=shown,
        total=len(rows),
        present=sum(1 for row in rows if row.present),
        expected=sum(1 for row in rows if row.expected and not row.registration.walk_in),
        form=ConfirmForm(),
        walk_in_form=walk_in_form or WalkInForm(formdata=None).fresh(),
    )


def _back_to_desk(event: Event, part: Part, anchor: str | None = None):
    query = request.form.get("q", "").strip() or None
    return redirect(
        url_for(".checkin", event_id=event.id, part=part.id, q=query, _anchor=anchor), code=303
    )


@bp.post("/events/<int:event_id>/checkin/<int:part_id>/<int:registration_id>")
def checkin_tap(event_id: int, part_id: int, registration_id: int):
    """Without JavaScript: one button per person, in a form of its own."""
    event = organiser_event(event_id)
    part = _part(event, part_id)
    registration = registrations.get_registration_or_404(event, registration_id)
    present = request.form.get("present") != "0"
    try:
        _tap(registration, part, present)
    except manage.NotConfirmed:
        db.session.rollback()
        flash(_not_confirmed(registration), "error")
    else:
        db.session.commit()
        flash(_tapped(registration, part, present), "success")
    return _back_to_desk(event, part, f"r{registration.id}")


@bp.post("/events/<int:event_id>/checkin/<int:part_id>/walk-in")
def checkin_walk_in(event_id: int, part_id: int):
    event = organiser_event(event_id)
    part = _part(event, part_id)
    form = WalkInForm()
    if form.validate_on_submit():
        registration = _walk_in(event, part, form)
        if registration is not None:
            db.session.commit()
            flash(_walked_in(registration, part), "success")
            return _back_to_desk(event, part, f"r{registration.id}")
    # The page again, the form refilled with its messages next to the fields.
    return _desk_page(event, part, "", walk_in_form=form)


def _tap(registration: Registration, part: Part, present: bool) -> bool:
    if present:
        return manage.mark_present(registration, part, actor=actor())
    return manage.mark_absent(registration, part, actor=actor())


def _walk_in(event: Event, part: Part, form: WalkInForm) -> Registration | None:
    try:
        return manage.add_walk_in(
            event,
            part,
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            organisation=form.organisation.data or "",
            email=form.email_value,
            actor=actor(),
            request_id=form.request_id_value,
        )
    except service.AttendanceError:
        db.session.rollback()
        form.email.errors.append(
            _(
                "Une inscription existe déjà avec cette adresse : cherchez la personne par son "
                "nom dans la liste et marquez-la présente."
            )
        )
        return None


def _tapped(registration: Registration, part: Part, present: bool) -> str:
    if present:
        return _(
            "%(name)s : présent·e (%(part)s).", name=registration.display_name, part=part.label
        )
    return _(
        "%(name)s : présence annulée (%(part)s).", name=registration.display_name, part=part.label
    )


def _walked_in(registration: Registration, part: Part) -> str:
    return _(
        "%(name)s ajouté·e sur place et marqué·e présent·e (%(part)s).",
        name=registration.display_name,
        part=part.label,
    )


def _not_confirmed(registration: Registration) -> str:
    return _(
        "L'inscription de %(name)s n'est pas confirmée : confirmez-la depuis la liste des "
        "inscriptions, puis marquez la personne présente.",
        name=registration.display_name,
    )


# The JSON endpoints of static/checkin.js (CSRF token in the X-CSRFToken header)


def _json_error(message: str, status: int, **extra):
    return jsonify(ok=False, error=message, **extra), status


def _payload() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _int(value) -> int | None:
    """An id from the check-in page's JSON; anything else (or past the column's range) is None."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return bounded_int(value, minimum=0, maximum=ID_MAX) if isinstance(value, str) else None


def _json_part(event: Event, data: dict) -> Part | None:
    part_id = _int(data.get("part_id"))
    part = db.session.get(Part, part_id) if part_id is not None else None
    return part if part is not None and part.event_id == event.id else None


@bp.post("/events/<int:event_id>/checkin.json")
def checkin_json(event_id: int):
    """{"part_id", "registration_id", "present": true|false} → the state recorded.

    Idempotent: the same tap sent twice (a retry, another phone) leaves one check-in."""
    event = organiser_event(event_id)
    data = _payload()
    part = _json_part(event, data)
    if part is None:
        return _json_error(_("Cette partie n'existe pas dans cet événement."), 404)
    registration_id = _int(data.get("registration_id"))
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.event_id != event.id:
        return _json_error(_("Cette personne n'est pas inscrite à cet événement."), 404)
    if not isinstance(data.get("present"), bool):
        return _json_error("present: true or false", 400)
    present = data["present"]
    try:
        changed = _tap(registration, part, present)
    except manage.NotConfirmed:
        db.session.rollback()
        return _json_error(_not_confirmed(registration), 409)
    db.session.commit()
    return jsonify(
        ok=True,
        registration_id=registration.id,
        part_id=part.id,
        present=present,
        changed=changed,
        message=_tapped(registration, part, present),
        counts=_counts(event, part),
    )


@bp.post("/events/<int:event_id>/walk-in.json")
def walk_in_json(event_id: int):
    """{"part_id", "first_name", "last_name", "organisation", "email"} → the person added."""
    event = organiser_event(event_id)
    data = _payload()
    part = _json_part(event, data)
    if part is None:
        return _json_error(_("Cette partie n'existe pas dans cet événement."), 404)
    fields = {
        name: data[name] if isinstance(data.get(name), str) else ""
        for name in ("first_name", "last_name", "organisation", "email", "request_id")
    }
    form = WalkInForm(formdata=MultiDict(fields), meta={"csrf": False})
    registration = _walk_in(event, part, form) if form.validate() else None
    if registration is None:
        errors = {name: [str(e) for e in field.errors] for name, field in form._fields.items()}
        return _json_error(
            _("Vérifiez les champs signalés."),
            422,
            errors={name: messages for name, messages in errors.items() if messages},
        )
    db.session.commit()
    return jsonify(
        ok=True,
        registration_id=registration.id,
        part_id=part.id,
        last_name=registration.last_name,
        first_name=registration.first_name,
        organisation=registration.organisation,
        tap_url=url_for(
            ".checkin_tap", event_id=event.id, part_id=part.id, registration_id=registration.id
        ),
        message=_walked_in(registration, part),
        counts=_counts(event, part),
    )


def _counts(event: Event, part: Part) -> dict:
    rows = service.desk(event, part)
    return {
        "present": sum(1 for row in rows if row.present),
        "expected": sum(1 for row in rows if row.expected and not row.registration.walk_in),
    }


# Sign-in sheets


def _pdf_response(content: bytes, filename: str) -> Response:
    return download(content, mimetype="application/pdf", filename=filename)


@bp.get("/events/<int:event_id>/sheets")
def sheets_html(event_id: int):
    event = organiser_event(event_id)
    return documents.sheet_html(event)


@bp.get("/events/<int:event_id>/sheets.pdf")
def sheets_pdf(event_id: int):
    event = organiser_event(event_id)
    return _pdf_response(documents.sheet_pdf(event), f"emargement-{event.slug}.pdf")


@bp.get("/events/<int:event_id>/parts/<int:part_id>/sheet")
def sheet_html(event_id: int, part_id: int):
    event = organiser_event(event_id)
    return documents.sheet_html(event, [_part(event, part_id)])


@bp.get("/events/<int:event_id>/parts/<int:part_id>/sheet.pdf")
def sheet_pdf(event_id: int, part_id: int):
    event = organiser_event(event_id)
    part = _part(event, part_id)
    return _pdf_response(
        documents.sheet_pdf(event, [part]), f"emargement-{event.slug}-{part.position + 1}.pdf"
    )


# Certificates


def _certificate_filename(registration: Registration) -> str:
    name = _folded(f"{registration.last_name}-{registration.first_name}")
    safe = "".join(c if c.isascii() and c.isalnum() else "-" for c in name).strip("-")
    reference = rules.certificate_reference(registration.event_id, registration.public_id)
    return f"attestation-{'-'.join(filter(None, safe.split('-')))}-{reference}.pdf"


def _no_attendee(event: Event):
    flash(_("Personne n'a encore été marqué présent : aucune attestation à produire."), "info")
    return redirect(url_for(".attendance", event_id=event.id), code=303)


@bp.get("/events/<int:event_id>/registrations/<int:registration_id>/certificate.pdf")
def certificate_pdf(event_id: int, registration_id: int):
    event = organiser_event(event_id)
    registration = registrations.get_registration_or_404(event, registration_id)
    if documents.certificate(registration) is None:
        abort(404)
    return _pdf_response(
        documents.certificates_pdf(event, [registration]), _certificate_filename(registration)
    )


@bp.get("/events/<int:event_id>/certificates.pdf")
def certificates_pdf(event_id: int):
    event = organiser_event(event_id)
    people = service.attendees(event)
    if not people:
        return _no_attendee(event)
    return _pdf_response(
        documents.certificates_pdf(event, people), f"attestations-{event.slug}.pdf"
    )


@bp.get("/events/<int:event_id>/certificates.zip")
def certificates_zip(event_id: int):
    event = organiser_event(event_id)
    people = service.attendees(event)
    if not people:
        return _no_attendee(event)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for registration in people:
            archive.writestr(
                _certificate_filename(registration),
                documents.certificates_pdf(event, [registration]),
            )
    return download(
        buffer.getvalue(), mimetype="application/zip", filename=f"attestations-{event.slug}.zip"
    )


@bp.route("/events/<int:event_id>/certificates/send", methods=["GET", "POST"])
def send_certificates(event_id: int):
    event = organiser_event(event_id)
    back = url_for(".attendance", event_id=event.id)
    if not service.event_is_over(event):
        message = _(
            "Les attestations s'envoient une fois l'événement terminé, quand elles indiquent "
            "toutes les parties suivies."
        )
        if request.method == "POST":
            flash(message, "error")
            return redirect(back, code=303)
        return render("certificates_send.html", event=event, message=message, back=back)
    form = ConfirmForm()
    if form.validate_on_submit():
        with bulk.collect() as unsent:
            queued = mailing.send_certificates(event, actor=actor())
        db.session.commit()
        if queued:
            flash(
                ngettext(
                    "%(num)d attestation envoyée par courriel.",
                    "%(num)d attestations envoyées par courriel.",
                    queued,
                ),
                "success",
            )
        elif not unsent:
            flash(_("Aucune nouvelle attestation à envoyer : chacune l'a déjà été."), "info")
        flash_unsent(unsent)
        return redirect(back, code=303)
    people = mailing.recipients(event)
    pending = len(people) - len(mailing.already_queued(people))
    return render(
        "confirm.html",
        event=event,
        form=form,
        title=_("Envoyer les attestations par courriel"),
        message=ngettext(
            "Une attestation sera envoyée à la personne présente qui ne l'a pas encore reçue.",
            "%(num)d attestations seront envoyées aux personnes présentes qui ne l'ont pas "
            "encore reçue.",
            pending,
        ),
        button=_("Envoyer les attestations"),
        back=back,
    )


# Attendance list


def _export_name(event: Event, extension: str) -> str:
    return f"presences-{event.slug}.{extension}"


@bp.get("/events/<int:event_id>/attendance.csv")
def attendance_csv(event_id: int):
    event = organiser_event(event_id)
    content = b"".join(tabular.iter_csv(export.header(), export.rows(event)))
    return download(content, mimetype="text/csv", filename=_export_name(event, "csv"))


@bp.get("/events/<int:event_id>/attendance.xlsx")
def attendance_xlsx(event_id: int):
    event = organiser_event(event_id)
    content = tabular.xlsx_bytes(
        export.header(),
        export.rows(event),
        sheet_title=_("Présences"),
        column_widths=export.COLUMN_WIDTHS,
    )
    return download(content, mimetype=XLSX_TYPE, filename=_export_name(event, "xlsx"))


@bp.app_template_filter("folded")
def folded(text: str) -> str:
    """What static/checkin.js compares a search with: lower case, accents removed."""
    return _folded(text)


@bp.app_template_filter("percent")
def percent(value: float) -> str:
    """0.125 → « 13 % » in French, « 13% » in English."""
    from babel.numbers import format_percent
    from flask_babel import get_locale

    return format_percent(value, locale=get_locale())
