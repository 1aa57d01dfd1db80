"""The event's public page: its description, places left, the sign-up form (``/e/<slug>``) and
its calendar file (``/e/<slug>.ics``).

A draft's page is shown to its own organisers only, as a preview (« Aperçu »): the form is there,
disabled, and a forced POST is refused; anyone else gets the 404 of a page that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..audit import service as audit
from ..common import tokens
from ..compensation import declarations
from ..events import lookups
from ..events import service as events
from ..extensions import csrf, limiter
from ..i18n import part_label
from ..registrations import calendar_files as downloads
from ..registrations import operations, queries
from ..registrations import operations_manage as manage
from ..web import writes
from .public import bp, calendar_response, communes, expected
from .signup_form import declaration_input, signup_form


def render_event(event, form, status=200, preview=False, **context):
    """The event's page, or (``context`` of ``participant.embed``) its embedded form."""
    taken = queries.places(event)  # the page's counts, in one query
    return (
        render_template(
            "public/event.html",
            **context,
            event=event,
            form=form,
            # The preview shows the form as it will be once the event is open.
            availability=events.Availability.OPEN if preview else events.availability(event),
            preview=preview,
            places_left=taken.left(event.capacity),
            part_places_left=taken.left_per_part(event.parts),
            part_labels={part.id: part_label(part) for part in event.parts},
            communes=communes(event),
        ),
        status,
    )


def invitation_only(event, preview=False):
    """« Sur invitation »: no public form; invitees reply from the link of their invitation."""
    return render_template("public/invitation_only.html", event=event, preview=preview)


def _preview(event, refused=False):
    """A draft's page for its organisers: never cached, never indexed; 403 for a POST, with the
    message at the top of the page (the form is disabled, so only a forced one gets here)."""
    if refused:
        flash(
            _(
                "Aperçu : l'inscription n'a pas été enregistrée. Cet événement est encore un "
                "brouillon ; ouvrez les inscriptions depuis le tableau de bord pour publier sa "
                "page."
            ),
            "error",
        )
    if event.invitation_only:
        page = invitation_only(event, preview=True)
    else:
        page, _status = render_event(event, signup_form(event), preview=True)
    response = make_response(page, 403 if refused else 200)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/e/<slug>")
def event_page(slug: str):
    event, preview = lookups.public_or_previewed_event(slug)
    if preview:
        return _preview(event)
    if event.invitation_only:
        return invitation_only(event)
    return render_event(event, signup_form(event))


@bp.get("/e/<slug>.ics")
def event_calendar(slug: str):
    event = lookups.public_event(slug)
    return calendar_response(downloads.event_calendar(event), f"{event.slug}.ics")


def signup_limit():
    """One budget of sign-ups per client address for the page's form and the embedded one."""
    return limiter.shared_limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], scope="signup")


@dataclass
class Outcome:
    """What a valid sign-up form came to: ``token`` of the new registration's personal link;
    ``already``, the person was registered (their link was sent again); ``decoy``, a robot's
    form, dropped; none of them: refused (closed), with the message next to its field."""

    token: str | None = None
    already: bool = False
    decoy: bool = False


def sign_up_from(event, form) -> Outcome:
    """The write of a valid public sign-up form (``/e/<slug>`` or the embed)."""
    if form.honeypot_filled:
        # A robot filled the field people never see: record nothing, send nothing, and answer
        # as a success does (303 to a link of the usual shape, which then opens nothing).
        current_app.logger.info("sign-up to %s dropped: honeypot field filled", event.slug)
        return Outcome(token=tokens.decoy_token(), decoy=True)
    with writes(form, flash_error=False) as write:
        result = manage.sign_up(event, form.to_command(), locale=str(get_locale()))
        declared = declaration_input(form)
        # An empty declaration for a registration just created changes nothing: no look-ups
        # under the event's lock (held until this commits).
        if declared is not None and not (declared.empty and result.new):
            declarations.save(result.registration, declared, actor_label=audit.PARTICIPANT)
    if isinstance(write.error, operations.AlreadyRegistered):
        with writes(flash_unsent=False):
            operations.resend_personal_link(write.error.registration)
        return Outcome(already=True)
    if write.failed:
        expected(write.error, operations.RegistrationClosed)
        return Outcome()
    return Outcome(token=result.token)


@bp.post("/e/<slug>")
# SignupForm checks the token itself, so that a stale form comes back filled in, with a message.
@csrf.exempt
@signup_limit()
def submit(slug: str):
    event, preview = lookups.public_or_previewed_event(slug)
    if preview:
        return _preview(event, refused=True)
    if event.invitation_only:
        return invitation_only(event), 403
    form = signup_form(event)
    if not form.validate_on_submit():
        return render_event(event, form)
    outcome = sign_up_from(event, form)
    if outcome.already:
        flash(
            _(
                "Vous êtes déjà inscrit·e à cet événement avec cette adresse. Votre lien "
                "personnel vous a été renvoyé par courriel : il permet de modifier ou "
                "d'annuler votre inscription."
            ),
            "info",
        )
        return redirect(url_for(".event_page", slug=slug), code=303)
    if outcome.token is None:
        return render_event(event, form)
    return redirect(url_for(".personal", token=outcome.token), code=303)
