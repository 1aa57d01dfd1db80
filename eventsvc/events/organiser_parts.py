"""The organiser's pages of an event's parts: add, edit, reorder, delete.

A change that moves an event people signed up to asks first (:class:`ConfirmationNeeded`,
a question rather than a refusal, handled explicitly); refusals go through ``web.writes``."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..extensions import db
from ..web import OrganiserPages, actor, flash_unsent, render, writes
from . import operations_parts, queries
from .forms import ConfirmForm
from .forms_parts import PartForm
from .lookups import organiser_event
from .models import Event, Part
from .operations import ConfirmationNeeded
from .organiser import confirm_move, flash_moved, to_event

pages = OrganiserPages("events: parts")


def _part(event: Event, part_id: int) -> Part:
    part = db.session.get(Part, part_id)
    if part is None or part.event_id != event.id:
        abort(404)
    return part


@pages.route("/events/<int:event_id>/parts/new", methods=["GET", "POST"])
def new_part(event_id: int):
    event = organiser_event(event_id)
    form = PartForm()
    if request.method == "GET" and event.days:
        form.day.data = event.days[-1].isoformat()
    if form.validate_on_submit():
        try:
            with writes(form, flash_unsent=False) as write:
                operations_parts.add_part(
                    event, form.to_data(), actor=actor(), confirmed=form.confirmed.data == "1"
                )
        except ConfirmationNeeded as needed:  # a question, not a refusal (rolled back)
            action = url_for(".new_part", event_id=event.id)
            return confirm_move(form, event, needed.registrations, action, action)
        if not write.failed:
            flash(_("Partie ajoutée."), "success")
            flash_unsent(write.unsent)
            return to_event(event, "parts")
    return render("part_form.html", form=form, event=event, part=None)


@pages.route("/events/<int:event_id>/parts/<int:part_id>/edit", methods=["GET", "POST"])
def edit_part(event_id: int, part_id: int):
    event = organiser_event(event_id)
    part = _part(event, part_id)
    form = PartForm()
    if request.method == "GET":
        form.fill_from(part)
    elif form.validate_on_submit():
        try:
            with writes(form, flash_unsent=False) as write:
                moved = operations_parts.update_part(
                    part, form.to_data(), actor=actor(), confirmed=form.confirmed.data == "1"
                )
        except ConfirmationNeeded as needed:  # a question, not a refusal (rolled back)
            action = url_for(".edit_part", event_id=event.id, part_id=part.id)
            return confirm_move(form, event, needed.registrations, action, action)
        if not write.failed:
            flash(_("Partie modifiée."), "success")
            if moved:
                flash_moved()
            flash_unsent(write.unsent)
            return to_event(event, "parts")
    return render("part_form.html", form=form, event=event, part=part)


@pages.route("/events/<int:event_id>/parts/<int:part_id>/move", methods=["POST"])
def move_part(event_id: int, part_id: int):
    event = organiser_event(event_id)
    part = _part(event, part_id)
    if ConfirmForm().validate_on_submit():
        with writes():
            offset = -1 if request.form.get("direction") == "up" else 1
            operations_parts.move_part(part, offset, actor=actor())
    return to_event(event, "parts")


@pages.route("/events/<int:event_id>/parts/<int:part_id>/delete", methods=["GET", "POST"])
def delete_part(event_id: int, part_id: int):
    event = organiser_event(event_id)
    part = _part(event, part_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with writes(flash_unsent=False) as write:  # a part in use: flashed
            operations_parts.delete_part(part, actor=actor(), confirmed=True)
        if not write.failed:
            flash(_("Partie supprimée."), "success")
            flash_unsent(write.unsent)
        return to_event(event, "parts")
    registrations = queries.active_registrations(event) if queries.needs_confirmation(event) else 0
    message = _("La partie « %(label)s » sera supprimée.", label=part.label)
    if registrations:
        message += " " + ngettext(
            "Une personne est inscrite : son invitation sera mise à jour.",
            "%(num)d personnes sont inscrites : leur invitation sera mise à jour.",
            registrations,
        )
    return render(
        "confirm.html",
        event=event,
        form=form,
        title=_("Supprimer une partie"),
        message=message,
        button=_("Supprimer la partie"),
        back=url_for(".event", event_id=event.id, _anchor="parts"),
    )
