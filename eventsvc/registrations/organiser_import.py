"""Dashboard pages for importing sign-ups from CSV: upload, preview (with the organiser's
corrections of encoding, separator, columns and suggested attendance), import. Registered on the
dashboard's blueprint by ``dashboard/__init__.py``."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..common import csv_reading, csv_tables
from ..common.query_args import ID_MAX, bounded_int
from ..common.validation import RuleError, parse_time
from ..events.lookups import organiser_event
from ..events.models import Event
from ..i18n import part_label
from ..web import OrganiserPages, actor, render, writes
from . import import_job, importing, lookups, signup_csv
from .forms import UploadForm

DELIMITERS = [("comma", ","), ("semicolon", ";"), ("tab", "\t")]

pages = OrganiserPages("registrations_import")


@pages.route("/events/<int:event_id>/import", methods=["GET", "POST"])
def import_upload(event_id: int):
    event = organiser_event(event_id)
    form = UploadForm()
    if form.validate_on_submit():
        with writes():
            upload = importing.store_upload(
                event, form.file.data.filename or "", form.file.data.read(), actor=actor()
            )
        return redirect(
            url_for(".import_preview", event_id=event.id, upload_id=upload.id), code=303
        )
    return render("import_upload.html", event=event, form=form, limits=csv_reading.SIGNUPS)


@pages.route("/events/<int:event_id>/import/<int:upload_id>", methods=["GET", "POST"])
def import_preview(event_id: int, upload_id: int):
    event = organiser_event(event_id)
    upload = lookups.organiser_upload(event, upload_id)
    if upload.imported_at is not None:
        flash(_("Ce fichier a déjà été importé."), "info")
        return redirect(url_for(".registrations", event_id=event.id), code=303)
    errors: dict[int, list] = {}
    typed: dict[int, dict] = {}
    problem = None
    send_invitations = False
    if request.method == "POST" and request.form.get("action") == "reread":
        with writes():
            importing.save_options(upload, _read_options(request.form))
        return redirect(
            url_for(".import_preview", event_id=event.id, upload_id=upload.id), code=303
        )
    if request.method == "POST" and request.form.get("action") == "import":
        preview = importing.preview(event, upload.content, importing.options_of(upload))
        corrections, errors, typed = _read_corrections(request.form, preview, event)
        send_invitations = request.form.get("send_invitations") == "1"
        if not errors and len(preview.planned) > current_app.config["IMPORT_JOB_THRESHOLD"]:
            # Thousands of rows: a job imports them; its page shows the progress, then the result.
            with writes() as write:
                job = import_job.start(
                    event, upload, corrections, send_invitations=send_invitations, actor=actor()
                )
            if not write.failed:
                return redirect(url_for(".job", job_id=job.id), code=303)
        elif not errors:
            filename = upload.filename
            with writes(flash_error=False) as write:
                result = importing.commit(
                    event,
                    preview,
                    send_invitations=send_invitations,
                    corrections=corrections,
                    actor=actor(),
                    upload=upload,
                )
            if write.failed:
                problem = write.error.message
            else:
                message = ngettext(
                    "%(num)d inscription importée depuis %(file)s (dont %(waitlisted)d sur liste "
                    "d'attente).",
                    "%(num)d inscriptions importées depuis %(file)s (dont %(waitlisted)d sur "
                    "liste d'attente).",
                    len(result.registrations),
                    file=filename or "CSV",
                    waitlisted=result.waitlisted,
                )
                if not send_invitations:
                    message += " " + _("Aucun message n'a été envoyé.")
                flash(message, "success")
                return redirect(url_for(".registrations", event_id=event.id), code=303)
        else:
            problem = _("Certaines présences à confirmer sont incomplètes : voir ci-dessous.")
    preview = importing.preview(event, upload.content, importing.options_of(upload))
    return render(
        "import_preview.html",
        event=event,
        upload=upload,
        preview=preview,
        errors=errors,
        typed=typed,
        problem=problem,
        send_invitations=send_invitations,
        part_labels={part.id: part_label(part) for part in event.parts},
        fields={field: signup_csv.field_label(field) for field in signup_csv.FIELDS},
        encodings={e: csv_tables.encoding_label(e) for e in csv_tables.ENCODINGS},
        delimiters=[(code, char, csv_tables.delimiter_label(char)) for code, char in DELIMITERS],
        line_endings=csv_tables.line_endings_label(preview.parsed.detected.line_endings),
    )


def _read_options(form) -> importing.Options:
    encoding = form.get("encoding")
    delimiter = dict(DELIMITERS).get(form.get("delimiter", ""))
    mapping = {}
    index = 0
    while f"header-{index}" in form:
        target = form.get(f"map-{index}", "")
        mapping[form[f"header-{index}"]] = target if target in signup_csv.FIELDS else ""
        index += 1
    return importing.Options(
        encoding=encoding if encoding in csv_tables.ENCODINGS else None,
        delimiter=delimiter,
        mapping=mapping or None,
    )


def _read_corrections(form, preview: importing.Preview, event: Event):
    """The organiser's answer to each suggestion: parts ticked and times typed, checked with the
    form's rules. Returns (corrections by line, errors by line, what was typed by line)."""
    part_ids = {part.id for part in event.parts}
    corrections: dict[int, importing.Attendance] = {}
    errors: dict[int, list] = {}
    typed: dict[int, dict] = {}
    for planned in preview.suggestions:
        line = planned.row.line
        chosen = [
            part_id
            for value in form.getlist(f"parts-{line}")
            if (part_id := bounded_int(value, minimum=1, maximum=ID_MAX)) in part_ids
        ]
        raw = {
            "parts": chosen,
            "arrival": form.get(f"arrival-{line}", "").strip(),
            "departure": form.get(f"departure-{line}", "").strip(),
        }
        typed[line] = raw
        problems = []
        times = {}
        for name in ("arrival", "departure"):
            try:
                times[name] = parse_time(raw[name])
            except RuleError as error:
                problems.append(error.message)
                times[name] = None
        attendance = importing.Attendance(
            False, chosen, times["arrival"], times["departure"], source="organiser"
        )
        if not problems:
            problems = importing.check_attendance_choice(event, attendance)
        if problems:
            errors[line] = problems
        corrections[line] = attendance
    return corrections, errors, typed
