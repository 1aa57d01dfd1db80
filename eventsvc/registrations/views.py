"""Public pages: the event and its form, and the participant's personal page."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _

from ..common import tokens
from ..compensation import claims as compensation_claims
from ..compensation import declarations
from ..compensation.forms import TRANSPORT_LABELS, DeclarationForm
from ..events import lookups
from ..events import service as events
from ..events.service import Availability
from ..extensions import csrf, db, limiter
from ..i18n import part_label
from ..security import download, no_store, personal_link_limit
from . import calendar_files as downloads
from . import manage, service
from .forms import AttendanceForm, SignupForm
from .models import RegistrationStatus

bp = Blueprint("public", __name__)


def _render_event(event, form, status=200):
    return (
        render_template(
            "public/event.html",
            event=event,
            form=form,
            availability=events.availability(event),
            places_left=service.places_left(event),
            part_places_left=service.part_places_left(event),
            part_labels={part.id: part_label(part) for part in event.parts},
            communes=_communes(event),
        ),
        status,
    )


def _communes(event) -> list[str]:
    """Known origins for the declaration's list of suggestions (empty without compensation)."""
    if not event.compensation_offered:
        return []
    return declarations.communes_for(event)


def _signup_form(event) -> SignupForm:
    return SignupForm.for_event(event, declaration=event.compensation_offered)


def _invitation_only(event):
    """« Sur invitation »: no public form; invitees reply from the link of their invitation."""
    return render_template("public/invitation_only.html", event=event)


@bp.get("/e/<slug>")
def event_page(slug: str):
    event = lookups.public_event(slug)
    if event.invitation_only:
        return _invitation_only(event)
    return _render_event(event, _signup_form(event))


@bp.get("/e/<slug>.ics")
def event_calendar(slug: str):
    event = lookups.public_event(slug)
    return _calendar_response(downloads.event_calendar(event), f"{event.slug}.ics")


@bp.post("/e/<slug>")
# SignupForm checks the token itself, so that a stale form comes back filled in, with a message.
@csrf.exempt
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"])
def submit(slug: str):
    event = lookups.public_event(slug)
    if event.invitation_only:
        return _invitation_only(event), 403
    form = _signup_form(event)
    if not form.validate_on_submit():
        return _render_event(event, form)
    if form.honeypot_filled:
        # A robot filled the field people never see: record nothing, send nothing, and answer
        # as a success does (303 to a link of the usual shape, which then opens nothing).
        current_app.logger.info("sign-up to %s dropped: honeypot field filled", event.slug)
        return redirect(url_for(".personal", token=tokens.decoy_token()), code=303)
    try:
        result = manage.sign_up(event, form.to_command(), locale=str(get_locale()))
        if (declared := form.declaration_input()) is not None:
            declarations.save(result.registration, declared)
    except service.RegistrationClosed:
        db.session.rollback()
        return _render_event(event, form)
    except service.AlreadyRegistered as duplicate:
        db.session.rollback()
        service.resend_personal_link(duplicate.registration)
        db.session.commit()
        flash(
            _(
                "Vous êtes déjà inscrit·e à cet événement avec cette adresse. Votre lien "
                "personnel vous a été renvoyé par courriel : il permet de modifier ou "
                "d'annuler votre inscription."
            ),
            "info",
        )
        return redirect(url_for(".event_page", slug=slug), code=303)
    db.session.commit()
    return redirect(url_for(".personal", token=result.token), code=303)


def _registration_or_404(token: str):
    registration = service.find_by_token(token)
    if registration is None:
        abort(404)
    return registration


def _can_change(registration) -> bool:
    return registration.status != RegistrationStatus.CANCELLED and events.availability(
        registration.event
    ) in (Availability.OPEN, Availability.NOT_YET_OPEN)


def _erasable(registration) -> bool:
    from ..retention import service as retention

    return retention.can_erase(registration)


def _certificate_available(registration) -> bool:
    from ..attendance.service import checked_in_part_ids, event_is_over

    return event_is_over(registration.event) and bool(checked_in_part_ids(registration))


def _render_personal(registration, form=None, declaration_form=None, status=200):
    """The personal page; each of its two forms is refilled from the database unless given."""
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
            position=service.waitlist_position(registration),
            form=form,
            can_change=_can_change(registration),
            certificate_available=_certificate_available(registration),
            part_labels={part.id: part_label(part) for part in registration.event.parts},
            declaration=declarations.declaration_of(registration),
            declaration_form=declaration_form if can_declare else None,
            claim=compensation_claims.claim_of(registration),
            communes=_communes(registration.event) if can_declare else [],
            transport_labels={mode.value: label for mode, label in TRANSPORT_LABELS.items()},
            erasable=_erasable(registration),
        ),
        status,
    )


@bp.get("/r/<token>")
@personal_link_limit()
@no_store
def personal(token: str):
    return _render_personal(_registration_or_404(token))


@bp.post("/r/<token>/declaration")
@personal_link_limit()
@no_store
@csrf.exempt  # DeclarationForm checks the token itself (see submit)
def declare(token: str):
    """The travel and childcare declaration, changeable until the organiser validates it."""
    registration = _registration_or_404(token)
    if registration.status == RegistrationStatus.CANCELLED or not declarations.can_change(
        registration
    ):
        flash(_("Votre déclaration de frais ne peut plus être modifiée."), "warning")
        return redirect(url_for(".personal", token=token), code=303)
    form = DeclarationForm.for_registration(registration)
    if not form.validate_on_submit():
        return _render_personal(registration, declaration_form=form)
    declarations.save(registration, form.travel.form.to_input())
    db.session.commit()
    flash(_("Votre déclaration de frais est enregistrée."), "success")
    return redirect(url_for(".personal", token=token) + "#declaration-title", code=303)


@bp.post("/r/<token>")
@personal_link_limit()
@no_store
@csrf.exempt  # AttendanceForm checks the token itself (see submit)
def change(token: str):
    registration = _registration_or_404(token)
    form = AttendanceForm.for_event(registration.event)
    if not _can_change(registration):
        flash(_("Cette inscription ne peut plus être modifiée."), "warning")
        return redirect(url_for(".personal", token=token), code=303)
    if not form.validate_on_submit():
        return _render_personal(registration, form)
    try:
        manage.change_by_participant(registration, form.to_change())
    except service.NoRoom as refused:
        db.session.rollback()
        form.parts.errors.append(
            _(
                "Plus de place pour : %(parts)s. Votre inscription n'a pas changé ; "
                "choisissez d'autres parties ou gardez votre choix.",
                parts=", ".join(part.label for part in refused.parts),
            )
        )
        return _render_personal(registration, form)
    db.session.commit()
    flash(
        _("Vos changements sont enregistrés. Un courriel de confirmation vous a été envoyé."),
        "success",
    )
    return redirect(url_for(".personal", token=token), code=303)


@bp.get("/r/<token>/cancel")
@personal_link_limit()
@no_store
def confirm_cancel(token: str):
    registration = _registration_or_404(token)
    return render_template(
        "public/cancel.html", registration=registration, event=registration.event
    )


@bp.post("/r/<token>/cancel")
@personal_link_limit()
@no_store
def cancel(token: str):
    registration = _registration_or_404(token)
    if registration.status != RegistrationStatus.CANCELLED:
        manage.cancel_by_participant(registration)
        db.session.commit()
        flash(_("Votre inscription est annulée. Un courriel vous le confirme."), "success")
    return redirect(url_for(".personal", token=token), code=303)


@bp.get("/r/<token>/erase")
@personal_link_limit()
@no_store
def confirm_erase(token: str):
    from ..retention import service as retention

    registration = _registration_or_404(token)
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
    from ..retention import service as retention

    registration = _registration_or_404(token)
    event = registration.event
    try:
        retention.erase_registration(registration)
    except retention.CannotErase:
        db.session.rollback()
        flash(
            _(
                "L'événement a commencé : votre inscription ne peut plus être effacée d'ici. "
                "Écrivez à l'organisateur, ou attendez l'effacement automatique."
            ),
            "warning",
        )
        return redirect(url_for(".personal", token=token), code=303)
    db.session.commit()
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
    registration = _registration_or_404(token)
    if registration.status != RegistrationStatus.CONFIRMED:
        abort(404)
    return _calendar_response(downloads.personal_calendar(registration), "inscription.ics")


@bp.get("/r/<token>/attestation.pdf")
@personal_link_limit()
@no_store
def certificate(token: str):
    """The participant's own certificate, once the event is over and they were checked in."""
    from ..attendance import documents
    from ..attendance.service import event_is_over

    registration = _registration_or_404(token)
    if not event_is_over(registration.event) or documents.certificate(registration) is None:
        abort(404)
    pdf = documents.certificates_pdf(registration.event, [registration])
    return download(pdf, mimetype="application/pdf", filename="attestation-de-presence.pdf")


def _calendar_response(body: bytes, filename: str) -> Response:
    return download(body, mimetype="text/calendar", filename=filename)
