"""The invitee's reply page (/i/<token>) and the unsubscribe page. Thin: parse, one operation,
render or redirect.

A web page above the domains: a reply may create, change or cancel a registration, so the page shows
invitations and registrations at once. The blueprint keeps the name ``invitations`` (endpoints
``invitations.reply``, ``invitations.unsubscribe``...)."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from ..events import service as events
from ..extensions import db, personal_link_limit
from ..i18n import part_label
from ..invitations import bodies, lookups, pouvoirs, queries, replies
from ..invitations.errors import InvitationError
from ..invitations.forms import (
    ConfirmForm,
    DeclineForm,
    RepresentativeForm,
)
from ..invitations.forms_bodies import PouvoirForm
from ..registrations import operations as registrations
from ..registrations.forms import AttendanceForm
from ..security import no_store
from ..web import writes

bp = Blueprint("invitations", __name__)


# The invitee's reply slip.


def _attendance_form(invitation, formdata=True):
    event = invitation.event
    registration = replies.own_registration(invitation)
    if formdata:
        return AttendanceForm.for_event(event)
    data = AttendanceForm.initial_values(registration) if registration else {"full_day": "yes"}
    return AttendanceForm.for_event(event, formdata=None, data=data)


def _render_reply(invitation, token, *, yes=None, no=None, rep=None, pouvoir=None, status=200):
    event = invitation.event
    if no is None:
        no = DeclineForm(formdata=None, data={"message": invitation.message})
    if rep is None:
        rep = RepresentativeForm(
            formdata=None,
            data={
                "rep_function": invitation.representative_function,
                "rep_email": invitation.representative_email,
            },
        )
    return (
        render_template(
            "public/invitation.html",
            invitation=invitation,
            contact=invitation.contact,
            event=event,
            token=token,
            reply=queries.effective_reply(invitation),
            registered_elsewhere=replies.registered_elsewhere(invitation) is not None,
            form=yes if yes is not None else _attendance_form(invitation, formdata=False),
            decline_form=no,
            representative_form=rep,
            availability=events.availability(event),
            part_labels={part.id: part_label(part) for part in event.parts},
            **_pouvoir_context(invitation, pouvoir),
        ),
        status,
    )


@bp.get("/i/<token>")
@personal_link_limit()
@no_store
def reply(token: str):
    invitation = lookups.invitation_or_404(token)
    return _render_reply(invitation, token)


def _done(token: str, message: str):
    flash(message, "success")
    return redirect(url_for(".reply", token=token), code=303)


@bp.post("/i/<token>/participer")
@personal_link_limit()
@no_store
def reply_yes(token: str):
    invitation = lookups.invitation_or_404(token)
    form = _attendance_form(invitation)
    if not form.validate_on_submit() or form.honeypot_filled:
        return _render_reply(invitation, token, yes=form)
    try:
        result = replies.reply_yes(invitation, form.to_change(), locale=str(get_locale()))
    except registrations.RegistrationClosed:
        db.session.rollback()
        form.full_day.errors.append(
            _("Les inscriptions ne sont pas ouvertes : écrivez à l'organisateur pour lui répondre.")
        )
        return _render_reply(invitation, token, yes=form)
    except registrations.NoRoom as refused:
        db.session.rollback()
        form.parts.errors.append(
            _(
                "Plus de place pour : %(parts)s. Choisissez d'autres parties.",
                parts=", ".join(part.label for part in refused.parts),
            )
        )
        return _render_reply(invitation, token, yes=form)
    db.session.commit()
    if result.already_registered:
        return _done(
            token,
            _(
                "Merci, votre réponse est enregistrée. Vous étiez déjà inscrit·e à cet "
                "événement : cette inscription reste telle quelle ; changez-la avec le lien "
                "personnel reçu par courriel."
            ),
        )
    return _done(
        token,
        _("Merci, votre réponse est enregistrée. Un courriel de confirmation vous a été envoyé."),
    )


@bp.post("/i/<token>/excuse")
@personal_link_limit()
@no_store
def reply_no(token: str):
    invitation = lookups.invitation_or_404(token)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _render_reply(invitation, token, no=form)
    try:
        replies.reply_no(invitation, form.message.data or "")
    except replies.RegisteredElsewhere as error:
        db.session.rollback()
        form.message.errors.append(error.message)
        return _render_reply(invitation, token, no=form)
    db.session.commit()
    return _done(token, _("Merci, nous avons noté que vous serez excusé·e."))


@bp.post("/i/<token>/representation")
@personal_link_limit()
@no_store
def reply_represented(token: str):
    invitation = lookups.invitation_or_404(token)
    form = RepresentativeForm()
    if not form.validate_on_submit():
        return _render_reply(invitation, token, rep=form)
    representative = form.to_representative()
    try:
        result = replies.reply_represented(invitation, representative, locale=str(get_locale()))
    except InvitationError as error:
        db.session.rollback()
        form.rep_email.errors.append(error.message)
        return _render_reply(invitation, token, rep=form)
    except registrations.RegistrationClosed:
        db.session.rollback()
        form.rep_email.errors.append(
            _("Les inscriptions ne sont pas ouvertes : écrivez à l'organisateur pour lui répondre.")
        )
        return _render_reply(invitation, token, rep=form)
    db.session.commit()
    if result.already_registered:
        return _done(
            token,
            _(
                "Merci, votre réponse est enregistrée. %(name)s est déjà inscrit·e à cet "
                "événement : son inscription reste telle quelle.",
                name=representative.name,
            ),
        )
    return _done(
        token,
        _(
            "Merci, votre réponse est enregistrée. La personne qui vous représente reçoit "
            "la confirmation et l'invitation à son nom."
        ),
    )


@bp.route("/i/<token>/desinscription", methods=["GET", "POST"])
@personal_link_limit()
@no_store
def unsubscribe(token: str):
    invitation = lookups.invitation_or_404(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        with writes():
            replies.unsubscribe(invitation)
    return render_template(
        "public/unsubscribe.html",
        invitation=invitation,
        event=invitation.event,
        token=token,
        form=form,
        done=invitation.contact.opted_out_at is not None,
    )


# A member of a body's meeting: the pouvoir given to another member (issue 18).


def _pouvoir_form(slip, formdata=True) -> PouvoirForm:
    form = PouvoirForm() if formdata else PouvoirForm(formdata=None)
    form.holder.choices = [SelectChoice(m.contact.id, m.line()) for m in slip.holders]
    if not formdata and slip.pouvoir is not None:
        form.holder.data = slip.pouvoir.holder_contact_id
    return form


def _pouvoir_context(invitation, form=None) -> dict:
    slip = bodies.slip(invitation)
    if slip is None or not slip.member:
        return {"slip": None}
    return {"slip": slip, "pouvoir_form": form or _pouvoir_form(slip, formdata=False)}


@bp.post("/i/<token>/pouvoir")
@personal_link_limit()
@no_store
def give_pouvoir(token: str):
    invitation = lookups.invitation_or_404(token)
    slip = bodies.slip(invitation)
    if slip is None or not slip.member:
        abort(404)
    form = _pouvoir_form(slip)
    if not form.validate_on_submit():
        return _render_reply(invitation, token, pouvoir=form)
    holder = bodies.member_contact(slip.meeting, form.holder.data)
    try:
        if holder is None:
            raise pouvoirs.PouvoirRefused(pouvoirs.rules.Refusal.HOLDER_NOT_MEMBER)
        pouvoirs.give(slip.meeting, invitation, holder)
    except InvitationError as error:
        db.session.rollback()
        form.holder.errors.append(error.message)
        return _render_reply(invitation, token, pouvoir=form)
    db.session.commit()
    return _done(
        token,
        _(
            "Merci, votre pouvoir est enregistré : %(name)s votera pour vous.",
            name=holder.formal_name,
        ),
    )


@bp.post("/i/<token>/pouvoir/revoquer")
@personal_link_limit()
@no_store
def revoke_pouvoir(token: str):
    invitation = lookups.invitation_or_404(token)
    slip = bodies.slip(invitation)
    if slip is None or not slip.member:
        abort(404)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _render_reply(invitation, token)
    try:
        pouvoirs.revoke(slip.meeting, invitation)
    except InvitationError as error:
        db.session.rollback()
        flash(str(error.message), "warning")
        return redirect(url_for(".reply", token=token, _anchor="pouvoir"), code=303)
    db.session.commit()
    return _done(token, _("Votre pouvoir est révoqué."))
