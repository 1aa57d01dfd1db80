"""The organiser's pages for bodies (issue 18): a contact list's body settings and its members'
functions and terms; an event's body, its pouvoirs (paper ones recorded, any changed or revoked
until the meeting) and the live quorum; the presence block of the minutes (HTML, text, Word).
Thin: parse, one operation inside ``writes()``, render or redirect. Lists are the organiser's own
(another's is 404); events are those they organise."""

from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from wtforms.fields.choices import SelectChoice

from ..events.lookups import organiser_event
from ..security import download
from ..web import OrganiserPages, actor, render, writes
from . import bodies, lookups, minutes, minutes_docx, pouvoirs
from .forms import ConfirmForm
from .forms_bodies import BodyForm, MeetingForm, MemberForm, PaperPouvoirForm, RevokePouvoirForm
from .models import Reply
from .queries import effective_reply, invitations_of

pages = OrganiserPages("bodies")


# A contact list as a body.


def _body_form(body) -> BodyForm:
    if request.method == "POST":
        return BodyForm()
    if body is None:
        return BodyForm(formdata=None)
    return BodyForm(
        formdata=None,
        data={
            "is_body": True,
            "quorum_kind": body.quorum_kind,
            "quorum_number": body.quorum_number,
            "pouvoirs_count": body.pouvoirs_count,
            "max_pouvoirs": body.max_pouvoirs,
            "notice_days": body.notice_days,
        },
    )


@pages.route("/contacts/lists/<int:list_id>/body", methods=["GET", "POST"])
def body_settings(list_id: int):
    contact_list = lookups.list_or_404(actor(), list_id)
    body = bodies.body_of(contact_list)
    form = _body_form(body)
    if request.method == "POST" and form.validate_on_submit():
        with writes(form) as write:
            body = bodies.save_body(contact_list, form.to_settings(), actor=actor())
        if not write.failed:
            flash(_("Réglages de l'instance enregistrés."), "success")
            return redirect(url_for("dashboard.body_settings", list_id=list_id), code=303)
    return render(
        "body.html",
        contact_list=contact_list,
        body=body,
        form=form,
        members=bodies.members(body) if body is not None else [],
    )


@pages.route("/contacts/lists/<int:list_id>/members/<int:contact_id>", methods=["GET", "POST"])
def body_member(list_id: int, contact_id: int):
    contact_list = lookups.list_or_404(actor(), list_id)
    body = bodies.body_of(contact_list)
    member = next(
        (m for m in (bodies.members(body) if body else []) if m.contact.id == contact_id), None
    )
    if member is None:
        abort(404)
    form = MemberForm()
    if request.method == "GET":
        form = MemberForm(
            formdata=None,
            data={
                "function": member.function,
                "in_office": member.in_office,
                "office_start": member.office_start.isoformat() if member.office_start else "",
                "office_end": member.office_end.isoformat() if member.office_end else "",
            },
        )
    elif form.validate_on_submit():
        with writes(form) as write:
            bodies.save_member(body, member.contact, form.to_term(), actor=actor())
        if not write.failed:
            flash(_("Membre enregistré."), "success")
            return redirect(url_for("dashboard.body_settings", list_id=list_id), code=303)
    return render("body_member.html", contact_list=contact_list, member=member, form=form)


# A meeting of a body: its body, pouvoirs and quorum.


def _meeting_form(event, meeting):
    form = MeetingForm() if request.method == "POST" else MeetingForm(formdata=None)
    choices = [SelectChoice(0, _("Aucune : ce n'est pas une réunion d'instance"))]
    choices += [SelectChoice(b.list_id, b.name) for b in bodies.bodies_of(actor())]
    if meeting is not None and meeting.list_id not in {c.value for c in choices}:
        choices.append(SelectChoice(meeting.list_id, meeting.body.name))  # a co-organiser's
    form.body.choices = choices
    if request.method == "GET":
        form.body.data = meeting.list_id if meeting is not None else 0
    return form


def _paper_form(meeting, formdata=True) -> PaperPouvoirForm:
    form = PaperPouvoirForm() if formdata else PaperPouvoirForm(formdata=None)
    office = bodies.in_office(meeting.body, bodies.meeting_day(meeting.event))
    office_ids = {m.contact.id for m in office}
    form.giver.choices = [
        SelectChoice(i.id, i.contact.formal_name)
        for i in invitations_of(meeting.event)
        if i.contact_id in office_ids and effective_reply(i) == Reply.NO
    ]
    form.holder.choices = [SelectChoice(m.contact.id, m.line()) for m in office]
    return form


def _meeting_page(event, meeting, *, form=None, paper=None, status=200):
    return render(
        "meeting.html",
        status,
        event=event,
        meeting=meeting,
        form=form or _meeting_form(event, meeting),
        paper_form=paper or (_paper_form(meeting, formdata=False) if meeting else None),
        pouvoirs=bodies.valid_pouvoirs(event) if meeting else [],
        quorum=bodies.quorum(meeting) if meeting else None,
        started=bodies.started(event),
        confirm_form=ConfirmForm(),
        due=bodies.notice_due(meeting) if meeting else None,
    )


@pages.route("/events/<int:event_id>/meeting", methods=["GET", "POST"])
def meeting(event_id: int):
    event = organiser_event(event_id)
    current = bodies.meeting_of(event)
    form = _meeting_form(event, current)
    if request.method == "POST":
        if not form.validate_on_submit():
            return _meeting_page(event, current, form=form)
        body = None
        if form.body.data:
            body = next(
                (b for b in bodies.bodies_of(actor()) if b.list_id == form.body.data), None
            ) or (current.body if current and current.list_id == form.body.data else None)
        with writes():
            bodies.set_meeting(event, body, actor=actor())
        flash(_("Instance de la réunion enregistrée."), "success")
        return redirect(url_for("dashboard.meeting", event_id=event.id), code=303)
    return _meeting_page(event, current)


def _meeting_or_404(event):
    meeting = bodies.meeting_of(event)
    if meeting is None:
        abort(404)
    return meeting


def _invitation_of(event, invitation_id):
    for invitation in invitations_of(event):
        if invitation.id == invitation_id:
            return invitation
    abort(404)


@pages.route("/events/<int:event_id>/meeting/pouvoirs", methods=["POST"])
def paper_pouvoir(event_id: int):
    event = organiser_event(event_id)
    meeting = _meeting_or_404(event)
    form = _paper_form(meeting)
    if not form.validate_on_submit():
        return _meeting_page(event, meeting, paper=form)
    giver = _invitation_of(event, form.giver.data)
    holder = bodies.member_contact(meeting, form.holder.data)
    with writes(form, flash_error=False) as write:
        if holder is None:
            raise pouvoirs.PouvoirRefused(pouvoirs.rules.Refusal.HOLDER_NOT_MEMBER)
        pouvoirs.give(meeting, giver, holder, actor=actor())
    if write.failed:
        form.holder.errors.append(write.error.message)
        return _meeting_page(event, meeting, paper=form)
    flash(_("Pouvoir enregistré."), "success")
    return redirect(url_for("dashboard.meeting", event_id=event.id), code=303)


@pages.route("/events/<int:event_id>/meeting/pouvoirs/revoke", methods=["POST"])
def revoke_paper_pouvoir(event_id: int):
    event = organiser_event(event_id)
    meeting = _meeting_or_404(event)
    form = RevokePouvoirForm()
    if form.validate_on_submit() and form.giver.data:
        giver = _invitation_of(event, form.giver.data)
        with writes() as write:
            pouvoirs.revoke(meeting, giver, actor=actor())
        if not write.failed:
            flash(_("Pouvoir révoqué."), "success")
    return redirect(url_for("dashboard.meeting", event_id=event.id), code=303)


# The presence block of the minutes.


@pages.route("/events/<int:event_id>/minutes", methods=["GET"])
def minutes_page(event_id: int):
    event = organiser_event(event_id)
    meeting = bodies.meeting_of(event)
    block = minutes.block(meeting) if meeting is not None else None
    return render("minutes.html", event=event, meeting=meeting, block=block)


@pages.route("/events/<int:event_id>/minutes.txt", methods=["GET"])
def minutes_text(event_id: int):
    meeting = _meeting_or_404(organiser_event(event_id))
    return Response(minutes.as_text(minutes.block(meeting)), mimetype="text/plain")


@pages.route("/events/<int:event_id>/presence.docx", methods=["GET"])
def minutes_docx_file(event_id: int):
    event = organiser_event(event_id)
    meeting = _meeting_or_404(event)
    return download(
        minutes_docx.presence_docx(minutes.block(meeting)),
        mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        filename=f"presence-{event.slug}.docx",
    )


def quorum_panel(event, **_) -> list:
    """Receiver of ``signals.checkin_panels``: the quorum of a body's meeting on the check-in
    page (« 12 présents sur 21 en exercice : quorum atteint »), refreshed with every tap."""
    meeting = bodies.meeting_of(event)
    if meeting is None:
        return []
    html = render_template("dashboard/_quorum.html", quorum=bodies.quorum(meeting))
    return [("quorum", Markup(html))]  # noqa: S704 - a template, autoescaped
