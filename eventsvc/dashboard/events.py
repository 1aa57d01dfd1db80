"""Dashboard pages for events: list, create, edit, duplicate, status, parts, questions,
co-organisers and the audit log."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..attendance import service as attendance
from ..audit import service as audit
from ..auth.models import User
from ..common.query_args import PAGE_MAX, arg_int
from ..events import manage
from ..events.forms import (
    ConfirmForm,
    DuplicateForm,
    EventForm,
    NewEventForm,
    OrganiserForm,
    PartForm,
    QuestionForm,
    StatusForm,
    parse_day,
)
from ..events.models import Event, Part, Question
from ..extensions import db
from ..mail import bulk
from ..registrations import listing
from . import bp
from .common import actor, flash_unsent, organiser_event, render

AUDIT_PAGE = 50


def _to_event(event: Event, anchor: str = ""):
    return redirect(url_for(".event", event_id=event.id, _anchor=anchor or None), code=303)


def _confirm_move(form, event: Event, registrations: int, action: str, back: str):
    """Ask before moving an event people signed up to; the form comes back with confirmed=1."""
    return render(
        "confirm_move.html",
        event=event,
        form=form,
        registrations=registrations,
        action=action,
        back=back,
    )


@bp.get("/")
def index():
    events = manage.events_for(current_user)
    counts = {event.id: listing.status_counts(event) for event in events}
    return render("index.html", events=events, counts=counts)


@bp.route("/events/new", methods=["GET", "POST"])
def new_event():
    form = NewEventForm()
    if request.method == "GET":
        # Invitations need an organiser to write to: the creator, until they set another.
        form.organiser_name.data = current_user.name
        form.organiser_email.data = current_user.email
    if form.validate_on_submit():
        day, start, end, lunch = form.schedule()
        slug = form.slug.data or manage.unique_slug(f"{form.title.data} {day.isoformat()}")
        try:
            event = manage.create_event(
                form.to_data(slug), day=day, start=start, end=end, lunch_break=lunch, actor=actor()
            )
        except manage.SlugTaken as taken:
            db.session.rollback()
            form.slug.errors.append(taken.message)
        else:
            db.session.commit()
            flash(
                _(
                    "Événement créé en brouillon : il n'est pas encore public. Vérifiez-le, "
                    "puis ouvrez les inscriptions."
                ),
                "success",
            )
            return _to_event(event)
    return render("event_form.html", form=form, event=None)


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    event = organiser_event(event_id)
    return render(
        "event.html",
        event=event,
        counts=listing.counts(event),
        log=audit.for_event(event, limit=10),
        status_form=StatusForm(),
        organiser_form=OrganiserForm(),
        needs_confirmation=manage.needs_confirmation(event),
        figures=attendance.figures(event),
    )


@bp.route("/events/<int:event_id>/edit", methods=["GET", "POST"])
def edit_event(event_id: int):
    event = organiser_event(event_id)
    form = EventForm()
    if request.method == "GET":
        form.fill_from(event)
    elif form.validate_on_submit():
        try:
            with bulk.collect() as unsent:
                moved = manage.update_event(
                    event,
                    form.to_data(form.slug.data or event.slug),
                    actor=actor(),
                    confirmed=form.confirmed.data == "1",
                )
        except manage.ConfirmationNeeded as needed:
            db.session.rollback()
            return _confirm_move(
                form,
                event,
                needed.registrations,
                url_for(".edit_event", event_id=event.id),
                url_for(".edit_event", event_id=event.id),
            )
        except (manage.SlugTaken, manage.StatusRefused) as refused:
            db.session.rollback()
            form.slug.errors.append(refused.message)
        else:
            db.session.commit()
            flash(_("Modifications enregistrées."), "success")
            if moved:
                _flash_moved()
            flash_unsent(unsent)
            return _to_event(event)
    return render("event_form.html", form=form, event=event)


def _flash_moved():
    flash(
        _(
            "Le lieu ou les horaires ont changé : les invitations des personnes inscrites sont "
            "mises à jour."
        ),
        "info",
    )


@bp.post("/events/<int:event_id>/status")
def event_status(event_id: int):
    event = organiser_event(event_id)
    form = StatusForm()
    if form.validate_on_submit():
        try:
            manage.set_status(event, form.status.data, actor=actor())
        except manage.StatusRefused as refused:
            db.session.rollback()
            flash(str(refused.message), "error")
        else:
            db.session.commit()
            flash(_("Statut changé."), "success")
    return _to_event(event)


@bp.route("/events/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel_event(event_id: int):
    event = organiser_event(event_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        unsent = manage.cancel_event(event, actor=actor())
        db.session.commit()
        flash(_("L'événement est annulé. Les personnes inscrites en sont informées."), "success")
        flash_unsent(unsent)
        return _to_event(event)
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
            manage.active_registrations(event),
            title=event.title,
        ),
        button=_("Annuler l'événement"),
        back=url_for(".event", event_id=event.id),
    )


@bp.route("/events/<int:event_id>/duplicate", methods=["GET", "POST"])
def duplicate_event(event_id: int):
    event = organiser_event(event_id)
    form = DuplicateForm()
    if request.method == "GET":
        first = event.days[0] + timedelta(days=7) if event.days else None
        form.title.data = event.title
        form.first_day.data = first.isoformat() if first else ""
    elif form.validate_on_submit():
        first_day = parse_day(form.first_day.data)
        slug = form.slug.data or manage.unique_slug(f"{form.title.data} {first_day.isoformat()}")
        try:
            copy = manage.duplicate_event(
                event, title=form.title.data, slug=slug, first_day=first_day, actor=actor()
            )
        except manage.SlugTaken as taken:
            db.session.rollback()
            form.slug.errors.append(taken.message)
        else:
            db.session.commit()
            flash(_("Copie créée en brouillon, avec les mêmes parties et questions."), "success")
            return _to_event(copy)
    return render("duplicate.html", form=form, event=event)


# Parts


def _part(event: Event, part_id: int) -> Part:
    part = db.session.get(Part, part_id)
    if part is None or part.event_id != event.id:
        abort(404)
    return part


@bp.route("/events/<int:event_id>/parts/new", methods=["GET", "POST"])
def new_part(event_id: int):
    event = organiser_event(event_id)
    form = PartForm()
    if request.method == "GET" and event.days:
        form.day.data = event.days[-1].isoformat()
    if form.validate_on_submit():
        try:
            with bulk.collect() as unsent:
                manage.add_part(
                    event, form.to_data(), actor=actor(), confirmed=form.confirmed.data == "1"
                )
        except manage.ConfirmationNeeded as needed:
            db.session.rollback()
            action = url_for(".new_part", event_id=event.id)
            return _confirm_move(form, event, needed.registrations, action, action)
        db.session.commit()
        flash(_("Partie ajoutée."), "success")
        flash_unsent(unsent)
        return _to_event(event, "parts")
    return render("part_form.html", form=form, event=event, part=None)


@bp.route("/events/<int:event_id>/parts/<int:part_id>/edit", methods=["GET", "POST"])
def edit_part(event_id: int, part_id: int):
    event = organiser_event(event_id)
    part = _part(event, part_id)
    form = PartForm()
    if request.method == "GET":
        form.fill_from(part)
    elif form.validate_on_submit():
        try:
            with bulk.collect() as unsent:
                moved = manage.update_part(
                    part, form.to_data(), actor=actor(), confirmed=form.confirmed.data == "1"
                )
        except manage.ConfirmationNeeded as needed:
            db.session.rollback()
            action = url_for(".edit_part", event_id=event.id, part_id=part.id)
            return _confirm_move(form, event, needed.registrations, action, action)
        db.session.commit()
        flash(_("Partie modifiée."), "success")
        if moved:
            _flash_moved()
        flash_unsent(unsent)
        return _to_event(event, "parts")
    return render("part_form.html", form=form, event=event, part=part)


@bp.post("/events/<int:event_id>/parts/<int:part_id>/move")
def move_part(event_id: int, part_id: int):
    event = organiser_event(event_id)
    part = _part(event, part_id)
    if ConfirmForm().validate_on_submit():
        manage.move_part(part, -1 if request.form.get("direction") == "up" else 1, actor=actor())
        db.session.commit()
    return _to_event(event, "parts")


@bp.route("/events/<int:event_id>/parts/<int:part_id>/delete", methods=["GET", "POST"])
def delete_part(event_id: int, part_id: int):
    event = organiser_event(event_id)
    part = _part(event, part_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            with bulk.collect() as unsent:
                manage.delete_part(part, actor=actor(), confirmed=True)
        except manage.PartInUse as refused:
            db.session.rollback()
            flash(str(refused.message), "error")
        else:
            db.session.commit()
            flash(_("Partie supprimée."), "success")
            flash_unsent(unsent)
        return _to_event(event, "parts")
    registrations = manage.active_registrations(event) if manage.needs_confirmation(event) else 0
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


# Questions


def _question(event: Event, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.event_id != event.id:
        abort(404)
    return question


@bp.route("/events/<int:event_id>/questions/new", methods=["GET", "POST"])
def new_question(event_id: int):
    event = organiser_event(event_id)
    form = QuestionForm()
    if form.validate_on_submit():
        manage.add_question(event, form.to_data(), actor=actor())
        db.session.commit()
        flash(_("Question ajoutée au formulaire."), "success")
        return _to_event(event, "questions")
    return render("question_form.html", form=form, event=event, question=None)


@bp.route("/events/<int:event_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
def edit_question(event_id: int, question_id: int):
    event = organiser_event(event_id)
    question = _question(event, question_id)
    form = QuestionForm()
    if request.method == "GET":
        form.fill_from(question)
    elif form.validate_on_submit():
        manage.update_question(question, form.to_data(), actor=actor())
        db.session.commit()
        flash(_("Question modifiée."), "success")
        return _to_event(event, "questions")
    return render("question_form.html", form=form, event=event, question=question)


@bp.post("/events/<int:event_id>/questions/<int:question_id>/move")
def move_question(event_id: int, question_id: int):
    event = organiser_event(event_id)
    question = _question(event, question_id)
    if ConfirmForm().validate_on_submit():
        offset = -1 if request.form.get("direction") == "up" else 1
        manage.move_question(question, offset, actor=actor())
        db.session.commit()
    return _to_event(event, "questions")


@bp.route("/events/<int:event_id>/questions/<int:question_id>/delete", methods=["GET", "POST"])
def delete_question(event_id: int, question_id: int):
    event = organiser_event(event_id)
    question = _question(event, question_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        manage.delete_question(question, actor=actor())
        db.session.commit()
        flash(_("Question supprimée."), "success")
        return _to_event(event, "questions")
    return render(
        "confirm.html",
        event=event,
        form=form,
        title=_("Supprimer une question"),
        message=_(
            "La question « %(label)s » sera retirée du formulaire, avec les réponses déjà données.",
            label=question.label,
        ),
        button=_("Supprimer la question"),
        back=url_for(".event", event_id=event.id, _anchor="questions"),
    )


# Organisers


@bp.post("/events/<int:event_id>/organisers")
def add_organiser(event_id: int):
    event = organiser_event(event_id)
    form = OrganiserForm()
    if form.validate_on_submit():
        try:
            user = manage.add_organiser(event, form.email.data, actor=actor())
        except manage.OrganiserRefused as refused:
            db.session.rollback()
            flash(str(refused.message), "error")
        else:
            db.session.commit()
            flash(_("%(email)s organise aussi cet événement.", email=user.email), "success")
    else:
        for error in form.email.errors:
            flash(str(error), "error")
    return _to_event(event, "organisers")


@bp.post("/events/<int:event_id>/organisers/<int:user_id>/remove")
def remove_organiser(event_id: int, user_id: int):
    event = organiser_event(event_id)
    user = db.session.get(User, user_id)
    if user is None or user not in event.organisers:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            manage.remove_organiser(event, user, actor=actor())
        except manage.OrganiserRefused as refused:
            db.session.rollback()
            flash(str(refused.message), "error")
        else:
            db.session.commit()
            flash(_("%(email)s n'organise plus cet événement.", email=user.email), "success")
            if user.id == current_user.id:
                return redirect(url_for(".index"), code=303)
    return _to_event(event, "organisers")


@bp.get("/events/<int:event_id>/audit")
def event_audit(event_id: int):
    event = organiser_event(event_id)
    number = arg_int("page", 1, maximum=PAGE_MAX)
    log = audit.for_event(event, limit=AUDIT_PAGE, offset=(number - 1) * AUDIT_PAGE)
    pages = max(1, -(-log.total // AUDIT_PAGE))
    return render("audit.html", event=event, log=log, page=number, pages=pages)
