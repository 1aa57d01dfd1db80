"""The invitee's reply page (/i/<token>) and the organiser's pages (contacts, lists, inviting,
following replies, the presence list). Thin: parse, one service call, render or redirect."""

from __future__ import annotations

import base64
import binascii

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from ..common import csv_reading, csv_tables
from ..common.query_args import arg_int
from ..dashboard import bp as dashboard
from ..dashboard.common import flash_unsent, organiser_event, render
from ..events import service as events
from ..exports import tabular
from ..extensions import db
from ..i18n import part_label
from ..mail import bulk
from ..registrations import service as registrations
from ..registrations.forms import AttendanceForm
from ..security import download, no_store, personal_link_limit
from . import contacts_csv, presence, service
from .forms import (
    AttachmentForm,
    ConfirmForm,
    ContactForm,
    ContactImportForm,
    DeclineForm,
    InviteForm,
    ListForm,
    RemoveAttachmentForm,
    RepresentativeForm,
    SettingsForm,
)

bp = Blueprint("invitations", __name__)


# The invitee's reply slip.


def _invitation_or_404(token: str):
    invitation = service.find_by_token(token)
    if invitation is None:
        abort(404)
    return invitation


def _attendance_form(invitation, formdata=True):
    event = invitation.event
    registration = service._own_registration(invitation)
    if formdata:
        return AttendanceForm.for_event(event)
    data = AttendanceForm.initial_values(registration) if registration else {"full_day": "yes"}
    return AttendanceForm.for_event(event, formdata=None, data=data)


def _render_reply(invitation, token, *, yes=None, no=None, rep=None, status=200):
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
            reply=service.effective_reply(invitation),
            registered_elsewhere=service.registered_elsewhere(invitation) is not None,
            form=yes if yes is not None else _attendance_form(invitation, formdata=False),
            decline_form=no,
            representative_form=rep,
            availability=events.availability(event),
            part_labels={part.id: part_label(part) for part in event.parts},
        ),
        status,
    )


@bp.get("/i/<token>")
@personal_link_limit()
@no_store
def reply(token: str):
    invitation = _invitation_or_404(token)
    return _render_reply(invitation, token)


def _done(token: str, message: str):
    flash(message, "success")
    return redirect(url_for(".reply", token=token), code=303)


@bp.post("/i/<token>/participer")
@personal_link_limit()
@no_store
def reply_yes(token: str):
    invitation = _invitation_or_404(token)
    form = _attendance_form(invitation)
    if not form.validate_on_submit() or form.honeypot_filled:
        return _render_reply(invitation, token, yes=form)
    try:
        result = service.reply_yes(invitation, form.to_change(), locale=str(get_locale()))
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
    invitation = _invitation_or_404(token)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _render_reply(invitation, token, no=form)
    try:
        service.reply_no(invitation, form.message.data or "")
    except service.RegisteredElsewhere as error:
        db.session.rollback()
        form.message.errors.append(error.message)
        return _render_reply(invitation, token, no=form)
    db.session.commit()
    return _done(token, _("Merci, nous avons noté que vous serez excusé·e."))


@bp.post("/i/<token>/representation")
@personal_link_limit()
@no_store
def reply_represented(token: str):
    invitation = _invitation_or_404(token)
    form = RepresentativeForm()
    if not form.validate_on_submit():
        return _render_reply(invitation, token, rep=form)
    representative = form.to_representative()
    try:
        result = service.reply_represented(invitation, representative, locale=str(get_locale()))
    except service.InvitationError as error:
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
    invitation = _invitation_or_404(token)
    form = ConfirmForm()
    if form.validate_on_submit():
        service.unsubscribe(invitation)
        db.session.commit()
    return render_template(
        "public/unsubscribe.html",
        invitation=invitation,
        event=invitation.event,
        token=token,
        form=form,
        done=invitation.contact.opted_out_at is not None,
    )


# The organiser's address book (their own only: another's contact or list is 404).


def _owner():
    return current_user._get_current_object()


@dashboard.get("/contacts")
def contacts():
    owner = _owner()
    selected = arg_int("liste")
    contact_list = service.list_or_404(owner, selected) if selected else None
    return render(
        "contacts.html",
        contacts=service.contacts_of(owner, contact_list),
        lists=service.lists_of(owner),
        selected=contact_list,
        list_form=ListForm(),
        confirm_form=ConfirmForm(),
    )


def _contact_form(owner, contact=None) -> ContactForm:
    form = ContactForm()
    if request.method == "GET" and contact is not None:
        form = ContactForm(formdata=None, obj=contact)
        form.lists.data = [c.id for c in contact.lists]
    form.lists.choices = [SelectChoice(c.id, c.name) for c in service.lists_of(owner)]
    return form


@dashboard.route("/contacts/new", methods=["GET", "POST"])
def new_contact():
    return _edit_contact(None)


@dashboard.route("/contacts/<int:contact_id>", methods=["GET", "POST"])
def edit_contact(contact_id: int):
    return _edit_contact(service.contact_or_404(_owner(), contact_id))


def _edit_contact(contact):
    owner = _owner()
    form = _contact_form(owner, contact)
    if request.method == "POST" and form.validate_on_submit():
        try:
            service.save_contact(owner, form.to_data(), contact)
        except service.InvitationError as error:
            db.session.rollback()
            form.email.errors.append(error.message)
        else:
            db.session.commit()
            flash(_("Contact enregistré."), "success")
            return redirect(url_for("dashboard.contacts"), code=303)
    return render("contact_form.html", form=form, contact=contact)


@dashboard.route("/contacts/<int:contact_id>/delete", methods=["GET", "POST"])
def delete_contact(contact_id: int):
    contact = service.contact_or_404(_owner(), contact_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        service.delete_contact(contact)
        db.session.commit()
        flash(_("Contact supprimé."), "success")
        return redirect(url_for("dashboard.contacts"), code=303)
    return render(
        "contact_delete.html",
        contact=contact,
        form=form,
        invitations=service.invitation_count(contact),
    )


@dashboard.post("/contacts/lists")
def new_list():
    form = ListForm()
    if form.validate_on_submit():
        service.list_named(_owner(), form.name.data)
        db.session.commit()
        flash(_("Liste enregistrée."), "success")
    else:
        flash(" ".join(str(e) for e in form.name.errors) or _("Nommez la liste."), "warning")
    return redirect(url_for("dashboard.contacts"), code=303)


@dashboard.post("/contacts/lists/<int:list_id>/delete")
def delete_list(list_id: int):
    contact_list = service.list_or_404(_owner(), list_id)
    if ConfirmForm().validate_on_submit():
        service.delete_list(contact_list)
        db.session.commit()
        flash(_("Liste supprimée ; ses contacts restent dans votre carnet."), "success")
    return redirect(url_for("dashboard.contacts"), code=303)


@dashboard.route("/contacts/import", methods=["GET", "POST"])
def import_contacts():
    owner = _owner()
    form = ContactImportForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render("contacts_import.html", form=form, preview=None, limits=csv_reading.CONTACTS)
    if form.content.data:
        try:
            data = base64.b64decode(form.content.data, validate=True)
        except (binascii.Error, ValueError):
            abort(400)
    elif form.file.data:
        data = form.file.data.read()
    else:
        form.file.errors.append(_("Choisissez le fichier CSV des contacts."))
        return render("contacts_import.html", form=form, preview=None, limits=csv_reading.CONTACTS)
    preview = service.preview_import(owner, data, **_import_options(data))
    if form.confirmed.data == "1" and preview.can_import:
        contact_list = service.commit_import(owner, preview, form.list_name.data)
        db.session.commit()
        flash(
            ngettext(
                "%(num)d contact dans la liste « %(name)s ».",
                "%(num)d contacts dans la liste « %(name)s ».",
                len(preview.parsed.accepted),
                name=contact_list.name,
            ),
            "success",
        )
        return redirect(url_for("dashboard.contacts", liste=contact_list.id), code=303)
    form.content.data = base64.b64encode(data).decode("ascii")
    return render(
        "contacts_import.html",
        form=form,
        preview=preview,
        encodings={code: csv_tables.encoding_label(code) for code in csv_tables.ENCODINGS},
        delimiters={code: csv_tables.delimiter_label(code) for code in csv_tables.DELIMITERS},
        fields={code: contacts_csv.field_label(code) for code in contacts_csv.FIELDS},
    )


def _import_options(data: bytes) -> dict:
    """The organiser's corrections from the preview: encoding, separator, column mapping (the
    selects ``map-0``, ``map-1``… follow the header as read with that encoding and separator)."""
    encoding = request.form.get("encoding") or None
    delimiter = request.form.get("delimiter") or None
    if not any(key.startswith("map-") for key in request.form):
        return {"encoding": encoding, "delimiter": delimiter}
    header = contacts_csv.parse(data, encoding=encoding, delimiter=delimiter).header
    mapping = {
        title: request.form[f"map-{index}"]
        for index, title in enumerate(header)
        if f"map-{index}" in request.form
    }
    return {"encoding": encoding, "delimiter": delimiter, "mapping": mapping}


# Invitations of an event.


@dashboard.get("/events/<int:event_id>/invitations")
def invitations(event_id: int):
    event = organiser_event(event_id)
    settings = SettingsForm(
        formdata=None,
        data={
            "invitation_only": event.invitation_only,
            "reminder_days_before": event.reminder_days_before,
        },
    )
    return render(
        "invitations.html",
        event=event,
        follow=service.follow(event),
        settings_form=settings,
        attachment_form=AttachmentForm(),
        confirm_form=ConfirmForm(),
        attachments=service.attachments_of(event),
        to_remind=len(service.to_remind(event)),
    )


@dashboard.post("/events/<int:event_id>/invitations/settings")
def invitation_settings(event_id: int):
    event = organiser_event(event_id)
    form = SettingsForm()
    if form.validate_on_submit():
        service.update_settings(
            event,
            invitation_only=form.invitation_only.data,
            reminder_days_before=form.reminder_days_before.data,
        )
        db.session.commit()
        flash(_("Réglages des invitations enregistrés."), "success")
    else:
        flash(" ".join(str(e) for e in form.reminder_days_before.errors), "warning")
    return redirect(url_for("dashboard.invitations", event_id=event.id), code=303)


@dashboard.post("/events/<int:event_id>/invitations/attachments")
def add_attachment(event_id: int):
    event = organiser_event(event_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            service.add_attachment(
                event, upload.filename or "document", upload.mimetype, upload.read()
            )
        except service.InvitationError as error:
            db.session.rollback()
            flash(str(error.message), "warning")
        else:
            db.session.commit()
            flash(_("Pièce jointe ajoutée : elle partira avec chaque invitation."), "success")
    else:
        flash(" ".join(str(e) for e in form.file.errors), "warning")
    return redirect(url_for("dashboard.invitations", event_id=event.id), code=303)


@dashboard.post("/events/<int:event_id>/invitations/attachments/remove")
def remove_attachment(event_id: int):
    event = organiser_event(event_id)
    form = RemoveAttachmentForm()
    if form.validate_on_submit():
        service.remove_attachment(event, form.attachment_id.data)
        db.session.commit()
        flash(_("Pièce jointe retirée."), "success")
    return redirect(url_for("dashboard.invitations", event_id=event.id), code=303)


@dashboard.route("/events/<int:event_id>/invitations/invite", methods=["GET", "POST"])
def invite(event_id: int):
    event = organiser_event(event_id)
    owner = _owner()
    form = InviteForm()
    lists = service.lists_of(owner)
    form.lists.choices = [SelectChoice(c.id, c.name) for c in lists]
    form.contacts.choices = [
        SelectChoice(c.id, f"{c.display_name} <{c.email}>") for c in service.contacts_of(owner)
    ]
    plan = None
    if request.method == "POST" and form.validate_on_submit():
        chosen = service.contacts_for_event(
            event, list_ids=form.lists.data, contact_ids=form.contacts.data, owner=owner
        )
        plan = service.plan_invitations(event, chosen)
        if form.confirmed.data == "1" and plan.to_invite:
            try:
                with bulk.collect() as unsent:
                    sent = service.send_invitations(event, plan, actor=owner)
            except service.InvitationError as error:
                db.session.rollback()
                flash(str(error.message), "warning")
            else:
                db.session.commit()
                flash(
                    ngettext(
                        "%(num)d invitation envoyée.", "%(num)d invitations envoyées.", len(sent)
                    ),
                    "success",
                )
                flash_unsent(unsent)
                return redirect(url_for("dashboard.invitations", event_id=event.id), code=303)
    return render("invite.html", event=event, form=form, lists=lists, plan=plan)


@dashboard.route("/events/<int:event_id>/invitations/remind", methods=["GET", "POST"])
def remind(event_id: int):
    event = organiser_event(event_id)
    form = ConfirmForm()
    pending = service.to_remind(event)
    if request.method == "POST" and form.validate_on_submit():
        with bulk.collect() as unsent:
            count = service.remind(event, pending, actor=_owner())
        db.session.commit()
        flash(ngettext("%(num)d relance envoyée.", "%(num)d relances envoyées.", count), "success")
        flash_unsent(unsent)
        return redirect(url_for("dashboard.invitations", event_id=event.id), code=303)
    return render("remind.html", event=event, form=form, pending=pending)


@dashboard.get("/events/<int:event_id>/presence")
def presence_page(event_id: int):
    event = organiser_event(event_id)
    return render_template(
        "print/presence.html", event=event, presence=service.presence_list(event)
    )


@dashboard.get("/events/<int:event_id>/presence.txt")
def presence_text(event_id: int):
    event = organiser_event(event_id)
    body = presence.as_text(service.presence_list(event), event.title)
    return Response(body, mimetype="text/plain")


@dashboard.get("/events/<int:event_id>/presence.csv")
def presence_csv(event_id: int):
    return _presence_export(organiser_event(event_id), "csv")


@dashboard.get("/events/<int:event_id>/presence.xlsx")
def presence_xlsx(event_id: int):
    return _presence_export(organiser_event(event_id), "xlsx")


def _presence_export(event, fmt: str):
    header, rows = presence.as_rows(service.presence_list(event))
    filename = f"presence-{event.slug}.{fmt}"
    if fmt == "csv":
        body = tabular.csv_bytes(header, rows)
        mimetype = "text/csv"
    else:
        body = tabular.xlsx_bytes(header, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return download(body, mimetype=mimetype, filename=filename)
