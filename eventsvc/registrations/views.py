"""Public pages: the event and its form, and the participant's personal page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..events import service as events
from ..extensions import csrf, db, limiter
from ..i18n import part_label
from ..security import no_store
from . import service, tokens
from .forms import SignupForm

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
        ),
        status,
    )


@bp.get("/e/<slug>")
def event_page(slug: str):
    event = events.get_public_or_404(slug)
    return _render_event(event, SignupForm.for_event(event))


@bp.post("/e/<slug>")
# SignupForm checks the token itself, so that a stale form comes back filled in, with a message.
@csrf.exempt
@limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"])
def submit(slug: str):
    event = events.get_public_or_404(slug)
    form = SignupForm.for_event(event)
    if not form.validate_on_submit():
        return _render_event(event, form)
    if form.honeypot_filled:
        # A robot filled the field people never see: record nothing, send nothing, and answer
        # as a success does (303 to a link of the usual shape, which then opens nothing).
        current_app.logger.info("sign-up to %s dropped: honeypot field filled", event.slug)
        return redirect(url_for(".personal", token=tokens.decoy_token()), code=303)
    try:
        result = service.register(event, form.to_command(), locale=str(get_locale()))
    except service.RegistrationClosed:
        db.session.rollback()
        return _render_event(event, form)
    except service.AlreadyRegistered:
        db.session.rollback()
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


@bp.get("/r/<token>")
@limiter.limit(lambda: current_app.config["PERSONAL_LINK_RATE_LIMIT"])
@no_store
def personal(token: str):
    registration = service.find_by_token(token)
    if registration is None:
        abort(404)
    return render_template(
        "public/personal.html",
        registration=registration,
        event=registration.event,
        position=service.waitlist_position(registration),
    )
