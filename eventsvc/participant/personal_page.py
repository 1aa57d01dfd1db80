"""The participant's personal page (``/r/<token>``): their registration (change, cancel,
calendar), their compensation declaration and claim, their certificate of attendance and the
erasure of their data. It shows several domains at once, so it sits above them."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from ..attendance import documents, own_device
from ..attendance.service import checked_in_part_ids, event_is_over
from ..audit import service as audit
from ..common import qr_codes
from ..compensation import claims as compensation_claims
from ..compensation import declarations
from ..compensation.forms import TRANSPORT_LABELS, DeclarationForm
from ..extensions import csrf, personal_link_limit
from ..i18n import part_label
from ..links import checkin_code, personal_url
from ..registrations import calendar_files as downloads
from ..registrations import operations, queries
from ..registrations import operations_manage as manage
from ..registrations import participant_rights as rights
from ..registrations.forms import AttendanceForm
from ..registrations.lookups import personal_registration
from ..registrations.models import RegistrationStatus
from ..retention import service as retention
from ..security import download, no_store
from ..web import writes
from .own_signing import sign_url
from .public import bp, calendar_response, communes, expected, focus_first_error


def _certificate_available(registration) -> bool:
    """Once the event is over, for someone checked in, when the event names its signatory."""
    event = registration.event
    return (
        event_is_over(event)
        and bool(checked_in_part_ids(registration))
        and not documents.certificate_refusals(event)
    )


def _checkin_qr(registration) -> tuple[str, Markup] | None:
    """The check-in code and its QR code, to present at the welcome desk (an inline SVG). Only
    for a confirmed registration; the code opens nothing, the personal link stays written out."""
    if registration.status != RegistrationStatus.CONFIRMED:
        return None
    code = checkin_code(registration)
    label = _("QR code d'accueil")
    return code, Markup(qr_codes.inline_svg(code, label=label))  # noqa: S704 - segno's SVG, escaped


def _render_personal(registration, form=None, declaration_form=None, status=200):
    """The personal page; each of its two forms is refilled from the database unless given. A
    form given back with errors gets its first invalid field focused (its action's #anchor
    brings the page back at it)."""
    for given, anchor in ((form, "presence"), (declaration_form, "frais")):
        if given is not None and given.errors:
            focus_first_error(given, anchor)
    if form is None:
        form = AttendanceForm.for_event(
            registration.event, formdata=None, data=AttendanceForm.initial_values(registration)
        )
    can_declare = registration.status != RegistrationStatus.CANCELLED and declarations.can_change(
        registration
    )
    if declaration_form is None and can_declare:
        declaration_form = DeclarationForm.with_values_of(registration)
    return (
        render_template(
            "public/personal.html",
            registration=registration,
            event=registration.event,
            position=queries.waitlist_position(registration),
            form=form,
            can_change=rights.can_change(registration),
            can_cancel=rights.can_cancel(registration),
            certificate_available=_certificate_available(registration),
            part_labels={part.id: part_label(part) for part in registration.event.parts},
            several_days=form.several_days,
            declaration=declarations.declaration_of(registration),
            declaration_form=declaration_form if can_declare else None,
            claim=compensation_claims.claim_of(registration),
            communes=communes(registration.event) if can_declare else [],
            transport_labels={mode.value: label for mode, label in TRANSPORT_LABELS.items()},
            erasable=retention.can_erase(registration),
            checkin_qr=_checkin_qr(registration),
            personal_link=personal_url(registration),
            sign_links=[
                (part, sign_url(registration, part)) for part in own_device.open_parts(registration)
            ],
        ),
        status,
    )


@bp.get("/r/<token>")
@personal_link_limit()
@no_store
def personal(token: str):
    return _render_personal(personal_registration(token))


@bp.post("/r/<token>/declaration")
@personal_link_limit()
@no_store
@csrf.exempt  # DeclarationForm checks the token itself (see signup.submit)
def declare(token: str):
    """The travel and childcare declaration, changeable until the organiser validates it."""
    registration = personal_registration(token)
    if registration.status == RegistrationStatus.CANCELLED or not declarations.can_change(
        registration
    ):
        flash(_("Votre déclaration de frais ne peut plus être modifiée."), "warning")
        return redirect(url_for(".personal", token=token), code=303)
    form = DeclarationForm.for_registration(registration)
    if not form.validate_on_submit():
        return _render_personal(registration, declaration_form=form)
    with writes(form) as write:
        declarations.save(registration, form.travel.form.to_input(), actor_label=audit.PARTICIPANT)
    if write.failed:
        return _render_personal(registration, declaration_form=form)
    flash(_("Votre déclaration de frais est enregistrée."), "success")
    return redirect(url_for(".personal", token=token) + "#declaration-title", code=303)


@bp.post("/r/<token>")
@personal_link_limit()
@no_store
@csrf.exempt  # AttendanceForm checks the token itself (see signup.submit)
def change(token: str):
    registration = personal_registration(token)
    form = AttendanceForm.for_event(registration.event)
    if not rights.can_change(registration):
        flash(_("Cette inscription ne peut plus être modifiée."), "warning")
        return redirect(url_for(".personal", token=token), code=303)
    if not form.validate_on_submit():
        return _render_personal(registration, form)
    with writes(form, flash_error=False) as write:
        manage.change_by_participant(registration, form.to_change())
    if write.failed:
        refused = expected(write.error, operations.NoRoom)
        form.parts.errors.append(
            _(
                "Plus de place pour : %(parts)s. Votre inscription n'a pas changé ; "
                "choisissez d'autres parties ou gardez votre choix.",
                parts=", ".join(part.label for part in refused.parts),
            )
        )
        return _render_personal(registration, form)
    flash(
        _("Vos changements sont enregistrés. Un courriel de confirmation vous a été envoyé."),
        "success",
    )
    return redirect(url_for(".personal", token=token), code=303)


@bp.get("/r/<token>/cancel")
@personal_link_limit()
@no_store
def confirm_cancel(token: str):
    registration = personal_registration(token)
    if not rights.can_cancel(registration):
        return _cancel_refused(token)
    return render_template(
        "public/cancel.html", registration=registration, event=registration.event
    )


@bp.post("/r/<token>/cancel")
@personal_link_limit()
@no_store
def cancel(token: str):
    registration = personal_registration(token)
    if registration.status != RegistrationStatus.CANCELLED:
        if not rights.can_cancel(registration):
            return _cancel_refused(token)
        with writes() as write:
            manage.cancel_by_participant(registration)
        if not write.failed:
            flash(_("Votre inscription est annulée. Un courriel vous le confirme."), "success")
    return redirect(url_for(".personal", token=token), code=303)


def _cancel_refused(token: str):
    """After the event has started there is nothing to give back; the organiser can still cancel."""
    flash(
        _(
            "L'événement a commencé : l'inscription ne peut plus être annulée ici. "
            "Écrivez à l'organisation si vous devez la corriger."
        ),
        "warning",
    )
    return redirect(url_for(".personal", token=token), code=303)


@bp.get("/r/<token>/erase")
@personal_link_limit()
@no_store
def confirm_erase(token: str):
    registration = personal_registration(token)
    return render_template(
        "public/erase.html",
        registration=registration,
        event=registration.event,
        can_erase=retention.can_erase(registration),
    )


@bp.post("/r/<token>/erase")
@personal_link_limit()
@no_store
def erase(token: str):
    """The participant erases their registration: cancelled first (the waiting list moves and
    the cancellation email is queued), then anonymised; the link stops working."""
    registration = personal_registration(token)
    event = registration.event
    with writes(flash_error=False) as write:
        retention.erase_registration(registration)
    if write.failed:
        expected(write.error, retention.CannotErase)
        flash(
            _(
                "L'événement a commencé : votre inscription ne peut plus être effacée d'ici. "
                "Écrivez à l'organisateur, ou attendez l'effacement automatique."
            ),
            "warning",
        )
        return redirect(url_for(".personal", token=token), code=303)
    flash(
        _(
            "Votre inscription est annulée et vos données personnelles sont effacées. Un "
            "dernier courriel vous confirme l'annulation ; ce lien ne fonctionne plus."
        ),
        "success",
    )
    return redirect(url_for(".event_page", slug=event.slug), code=303)


@bp.get("/r/<token>.ics")
@personal_link_limit()
@no_store
def personal_calendar(token: str):
    registration = personal_registration(token)
    if registration.status != RegistrationStatus.CONFIRMED:
        abort(404)
    return calendar_response(downloads.personal_calendar(registration), "inscription.ics")


@bp.get("/r/<token>/attestation.pdf")
@personal_link_limit()
@no_store
def certificate(token: str):
    """The participant's own certificate, once the event is over and they were checked in."""
    registration = personal_registration(token)
    if not _certificate_available(registration) or documents.certificate(registration) is None:
        abort(404)
    pdf = documents.certificates_pdf(registration.event, [registration])
    return download(pdf, mimetype="application/pdf", filename="attestation-de-presence.pdf")
