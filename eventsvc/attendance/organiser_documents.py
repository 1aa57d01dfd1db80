"""Dashboard pages for what the day leaves on paper: sign-in sheets, certificates (download and
sending by email) and the attendance list (CSV, XLSX). The work is done by ``documents``,
``mailing`` and ``export``. Registered on the dashboard's blueprint by ``dashboard/__init__.py``."""

from __future__ import annotations

import io
import zipfile

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..common.query_args import ID_MAX, bounded_int
from ..events.forms import ConfirmForm
from ..events.lookups import organiser_event
from ..events.models import Event
from ..exports import tabular
from ..registrations.lookups import organiser_registration
from ..registrations.models import Registration
from ..security import download
from ..web import OrganiserPages, actor, message_text, render, writes
from . import badges, documents, export, mailing, rules, service
from .organiser import part_of

pages = OrganiserPages("attendance_documents")


# Badges and table cards (``?r=<registration id>`` repeated: a selection; else everyone confirmed)


def _badge_people(event: Event) -> list[Registration]:
    chosen = request.args.getlist("r")
    selection = None
    if chosen:
        ids = [bounded_int(value, minimum=1, maximum=ID_MAX) for value in chosen[:2000]]
        selection = [i for i in ids if i is not None]
    found = badges.people(event, selection)
    if not found:
        abort(404)
    return found


@pages.route("/events/<int:event_id>/badges.pdf", methods=["GET"])
def badges_pdf(event_id: int):
    event = organiser_event(event_id)
    content = badges.badges_pdf(event, _badge_people(event))
    return _pdf_response(content, f"badges-{event.slug}.pdf")


@pages.route("/events/<int:event_id>/table-cards.pdf", methods=["GET"])
def table_cards_pdf(event_id: int):
    event = organiser_event(event_id)
    content = badges.table_cards_pdf(event, _badge_people(event))
    return _pdf_response(content, f"chevalets-{event.slug}.pdf")


# Sign-in sheets


def _pdf_response(content: bytes, filename: str) -> Response:
    return download(content, mimetype="application/pdf", filename=filename)


def _portrait() -> bool:
    """``?orientation=portrait``; anything else is the default, A4 landscape."""
    return request.args.get("orientation") == "portrait"


@pages.route("/events/<int:event_id>/sheets", methods=["GET"])
def sheets_html(event_id: int):
    event = organiser_event(event_id)
    return documents.sheet_html(event, portrait=_portrait())


@pages.route("/events/<int:event_id>/sheets.pdf", methods=["GET"])
def sheets_pdf(event_id: int):
    event = organiser_event(event_id)
    return _pdf_response(
        documents.sheet_pdf(event, portrait=_portrait()), f"emargement-{event.slug}.pdf"
    )


@pages.route("/events/<int:event_id>/parts/<int:part_id>/sheet", methods=["GET"])
def sheet_html(event_id: int, part_id: int):
    event = organiser_event(event_id)
    return documents.sheet_html(event, [part_of(event, part_id)], portrait=_portrait())


@pages.route("/events/<int:event_id>/parts/<int:part_id>/sheet.pdf", methods=["GET"])
def sheet_pdf(event_id: int, part_id: int):
    event = organiser_event(event_id)
    part = part_of(event, part_id)
    return _pdf_response(
        documents.sheet_pdf(event, [part], portrait=_portrait()),
        f"emargement-{event.slug}-{part.position + 1}.pdf",
    )


# Certificates


def _certificate_filename(registration: Registration) -> str:
    name = rules.folded(f"{registration.last_name}-{registration.first_name}")
    safe = "".join(c if c.isascii() and c.isalnum() else "-" for c in name).strip("-")
    reference = rules.certificate_reference(registration.event_id, registration.public_id)
    return f"attestation-{'-'.join(filter(None, safe.split('-')))}-{reference}.pdf"


def _no_attendee(event: Event):
    flash(_("Personne n'a encore été marqué présent : aucune attestation à produire."), "info")
    return redirect(url_for(".attendance", event_id=event.id), code=303)


def _refused(event: Event):
    """Before the first part has ended, or without a signatory: back to the attendance page,
    which says the same (and when they open)."""
    reasons = documents.certificate_refusals(event)
    for reason in reasons:
        flash(message_text(reason), "error")
    if reasons:
        return redirect(url_for(".attendance", event_id=event.id, _anchor="certificates"), code=303)
    return None


@pages.route(
    "/events/<int:event_id>/registrations/<int:registration_id>/certificate.pdf",
    methods=["GET"],
)
def certificate_pdf(event_id: int, registration_id: int):
    event = organiser_event(event_id)
    registration = organiser_registration(event, registration_id)
    if refused := _refused(event):
        return refused
    if documents.certificate(registration) is None:
        abort(404)
    return _pdf_response(
        documents.certificates_pdf(event, [registration]), _certificate_filename(registration)
    )


@pages.route("/events/<int:event_id>/certificates.pdf", methods=["GET"])
def certificates_pdf(event_id: int):
    event = organiser_event(event_id)
    if refused := _refused(event):
        return refused
    people = documents.certified(event)
    if not people:
        return _no_attendee(event)
    return _pdf_response(
        documents.certificates_pdf(event, people), f"attestations-{event.slug}.pdf"
    )


@pages.route("/events/<int:event_id>/certificates.zip", methods=["GET"])
def certificates_zip(event_id: int):
    event = organiser_event(event_id)
    if refused := _refused(event):
        return refused
    people = documents.certified(event)
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


@pages.route("/events/<int:event_id>/certificates/send", methods=["GET", "POST"])
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
    if refused := _refused(event):
        return refused
    form = ConfirmForm()
    if form.validate_on_submit():
        # A job does the work (about 40 ms a person): its page shows the progress, then the result.
        with writes() as write:
            job = mailing.start_sending(event, actor=actor())
        if write.failed:
            return redirect(back, code=303)
        return redirect(url_for(".job", job_id=job.id), code=303)
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
        without_address=mailing.without_address(event),
    )


# Attendance list


def _export_name(event: Event, extension: str) -> str:
    return f"presences-{event.slug}.{extension}"


@pages.route("/events/<int:event_id>/attendance.csv", methods=["GET"])
def attendance_csv(event_id: int):
    event = organiser_event(event_id)
    content = b"".join(tabular.iter_csv(export.header(), export.rows(event)))
    return download(content, mimetype="text/csv", filename=_export_name(event, "csv"))


@pages.route("/events/<int:event_id>/attendance.xlsx", methods=["GET"])
def attendance_xlsx(event_id: int):
    event = organiser_event(event_id)
    content = tabular.xlsx_bytes(
        export.header(),
        export.rows(event),
        sheet_title=_("Présences"),
        column_widths=export.COLUMN_WIDTHS,
    )
    return download(content, mimetype=tabular.XLSX_TYPE, filename=_export_name(event, "xlsx"))
