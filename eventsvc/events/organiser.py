"""The organiser's pages of an event: create, edit, open or close, cancel, duplicate, its
co-organisers and its audit log. Parts and questions have their own modules
(``organiser_parts``, ``organiser_questions``); the events list and the event's overview, which
show other domains too, stay in the dashboard shell (``dashboard.home``).

Each view runs one operation inside ``web.writes``; a change that moves an event people signed up
to is a question (:class:`operations.ConfirmationNeeded`), answered with the confirmation page."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..audit import service as audit
from ..auth.models import User
from ..common.query_args import PAGE_MAX, arg_int
from ..extensions import db
from ..web import OrganiserPages, actor, flash_unsent, render, writes
from . import operations, organisers, queries
from .forms import (
    ConfirmForm,
    DuplicateForm,
    EventForm,
    NewEventForm,
    OrganiserForm,
    StatusForm,
    parse_day,
)
from .lookups import organiser_event
from .models import Event

pages = OrganiserPages("events")

AUDIT_PAGE = 50


def to_event(event: Event, anchor: str = ""):
    return redirect(url_for(".event", event_id=event.id, _anchor=anchor or None), code=303)


def confirm_move(form, event: Event, registrations: int, action: str, back: str):
    """Ask before moving an event people signed up to; the form comes back with confirmed=1."""
    return render(
        "confirm_move.html",
        event=event,
        form=form,
        registrations=registrations,
        action=action,
        back=back,
    )


def flash_moved():
    flash(
        _(
            "Le lieu ou les horaires ont changé : les invitations des personnes inscrites sont "
            "mises à jour."
        ),
        "info",
    )


@pages.route("/events/new", methods=["GET", "POST"])
def new_event():
    form = NewEventForm()
    if request.method == "GET":
        # Invitations need an organiser to write to: the creator, until they set another.
        form.organiser_name.data = current_user.name
        form.organiser_email.data = current_user.email
    if form.validate_on_submit():
        day, start, end, lunch = form.schedule()
        slug = form.slug.data or operations.unique_slug(f"{form.title.data} {day.isoformat()}")
        with writes(form) as write:  # a slug taken: next to the slug field
            event = operations.create_event(
                form.to_data(slug), day=day, start=start, end=end, lunch_break=lunch, actor=actor()
            )
        if not write.failed:
            flash(
                _(
                    "Événement créé en brouillon : il n'est pas encore public. Vérifiez-le, "
                    "puis ouvrez les inscriptions."
                ),
                "success",
            )
            return to_event(event)
    return render("event_form.html", form=form, event=None)


@pages.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit_event(event_id: int):
    event = organiser_event(event_id)
    form = EventForm()
    if request.method == "GET":
        form.fill_from(event)
    elif form.validate_on_submit():
        try:
            # A slug taken or frozen: next to the slug field. Who could not be written to is
            # flashed after the confirmation of the change, as before.
            with writes(form, flash_unsent=False) as write:
                moved = operations.update_event(
                    event,
                    form.to_data(form.slug.data or event.slug),
                    actor=actor(),
                    confirmed=form.confirmed.data == "1",
                )
        except operations.ConfirmationNeeded as needed:  # a question, not a refusal (rolled back)
            action = url_for(".edit_event", event_id=event.id)
            return confirm_move(form, event, needed.registrations, action, action)
        if not write.failed:
            flash(_("Modifications enregistrées."), "success")
            if moved:
                flash_moved()
            flash_unsent(write.unsent)
            return to_event(event)
    return render("event_form.html", form=form, event=event)


@pages.route("/events/<int:event_id>/status", methods=["POST"])
def event_status(event_id: int):
    event = organiser_event(event_id)
    form = StatusForm()
    if form.validate_on_submit():
        with writes() as write:  # a refusal is flashed
            operations.set_status(event, form.status.data, actor=actor())
        if not write.failed:
            flash(_("Statut changé."), "success")
    return to_event(event)


@pages.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel_event(event_id: int):
    event = organiser_event(event_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        # The operation returns who could not be told (also collected by writes: shown once).
        with writes(flash_unsent=False) as write:
            unsent = operations.cancel_event(event, actor=actor())
        if not write.failed:
            flash(
                _("L'événement est annulé. Les personnes inscrites en sont informées."), "success"
            )
            flash_unsent(unsent)
        return to_event(event)
    return render(
        "confirm.html",
        event=event,
        form=form,
        title=_("Annuler l'événement"),
        message=ngettext(
            "L'événement « %(title)s » sera annulé : les inscriptions se ferment, la page "
            "publique l'indique et la personne inscrite en est informée. Cette action est "
            "définitive.",
            "L'événement « %(title)s » sera annulé : les inscriptions se ferment, la page "
            "publique l'indique et les %(num)d personnes inscrites en sont informées. Cette "
            "action est définitive.",
            queries.active_registrations(event),
            title=event.title,
        ),
        button=_("Annuler l'événement"),
        back=url_for(".event", event_id=event.id),
    )


@pages.route("/events/<int:event_id>/duplicate", methods=["GET", "POST"])
def duplicate_event(event_id: int):
    event = organiser_event(event_id)
    form = DuplicateForm()
    if request.method == "GET":
        first = event.days[0] + timedelta(days=7) if event.days else None
        form.title.data = event.title
        form.first_day.data = first.isoformat() if first else ""
    elif form.validate_on_submit():
        first_day = parse_day(form.first_day.data)
        wanted = f"{form.title.data} {first_day.isoformat()}"
        slug = form.slug.data or operations.unique_slug(wanted)
        with writes(form) as write:  # a slug taken: next to the slug field
            copy = operations.duplicate_event(
                event, title=form.title.data, slug=slug, first_day=first_day, actor=actor()
            )
        if not write.failed:
            flash(_("Copie créée en brouillon, avec les mêmes parties et questions."), "success")
            return to_event(copy)
    return render("duplicate.html", form=form, event=event)


# Organisers


@pages.route("/events/<int:event_id>/organisers", methods=["POST"])
def add_organiser(event_id: int):
    event = organiser_event(event_id)
    form = OrganiserForm()
    if form.validate_on_submit():
        with writes() as write:  # a refusal is flashed
            user = organisers.add_organiser(event, form.email.data, actor=actor())
        if not write.failed:
            flash(_("%(email)s organise aussi cet événement.", email=user.email), "success")
    else:
        for error in form.email.errors:
            flash(str(error), "error")
    return to_event(event, "organisers")


@pages.route("/events/<int:event_id>/organisers/<int:user_id>/remove", methods=["POST"])
def remove_organiser(event_id: int, user_id: int):
    event = organiser_event(event_id)
    user = db.session.get(User, user_id)
    if user is None or user not in event.organisers:
        abort(404)
    if ConfirmForm().validate_on_submit():
        with writes() as write:  # a refusal is flashed
            organisers.remove_organiser(event, user, actor=actor())
        if not write.failed:
            flash(_("%(email)s n'organise plus cet événement.", email=user.email), "success")
            if user.id == current_user.id:
                return redirect(url_for(".index"), code=303)
    return to_event(event, "organisers")


@pages.route("/events/<int:event_id>/audit")
def event_audit(event_id: int):
    event = organiser_event(event_id)
    number = arg_int("page", 1, maximum=PAGE_MAX)
    log = audit.for_event(event, limit=AUDIT_PAGE, offset=(number - 1) * AUDIT_PAGE)
    count = max(1, -(-log.total // AUDIT_PAGE))
    return render("audit.html", event=event, log=log, page=number, pages=count)
