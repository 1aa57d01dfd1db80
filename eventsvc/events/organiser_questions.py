"""The organiser's pages of an event's questions (the sign-up form's own fields): add, edit,
reorder, delete."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask_babel import gettext as _

from ..extensions import db
from ..web import OrganiserPages, actor, render, writes
from . import operations_parts
from .forms import ConfirmForm
from .forms_parts import QuestionForm
from .lookups import organiser_event
from .models import Event, Question
from .organiser import to_event

pages = OrganiserPages("events: questions")


def _question(event: Event, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.event_id != event.id:
        abort(404)
    return question


@pages.route("/events/<int:event_id>/questions/new", methods=["GET", "POST"])
def new_question(event_id: int):
    event = organiser_event(event_id)
    form = QuestionForm()
    if form.validate_on_submit():
        with writes(form) as write:
            operations_parts.add_question(event, form.to_data(), actor=actor())
        if not write.failed:
            flash(_("Question ajoutée au formulaire."), "success")
            return to_event(event, "questions")
    return render("question_form.html", form=form, event=event, question=None)


@pages.route("/events/<int:event_id>/questions/<int:question_id>/edit", methods=["GET", "POST"])
def edit_question(event_id: int, question_id: int):
    event = organiser_event(event_id)
    question = _question(event, question_id)
    form = QuestionForm()
    if request.method == "GET":
        form.fill_from(question)
    elif form.validate_on_submit():
        with writes(form) as write:
            operations_parts.update_question(question, form.to_data(), actor=actor())
        if not write.failed:
            flash(_("Question modifiée."), "success")
            return to_event(event, "questions")
    return render("question_form.html", form=form, event=event, question=question)


@pages.route("/events/<int:event_id>/questions/<int:question_id>/move", methods=["POST"])
def move_question(event_id: int, question_id: int):
    event = organiser_event(event_id)
    question = _question(event, question_id)
    if ConfirmForm().validate_on_submit():
        offset = -1 if request.form.get("direction") == "up" else 1
        with writes():
            operations_parts.move_question(question, offset, actor=actor())
    return to_event(event, "questions")


@pages.route("/events/<int:event_id>/questions/<int:question_id>/delete", methods=["GET", "POST"])
def delete_question(event_id: int, question_id: int):
    event = organiser_event(event_id)
    question = _question(event, question_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with writes() as write:
            operations_parts.delete_question(question, actor=actor())
        if not write.failed:
            flash(_("Question supprimée."), "success")
        return to_event(event, "questions")
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
