"""The organiser's invitation pages: their address book (contacts, lists, importing a CSV), the
invitations of an event (settings, attachments, inviting, reminding, following replies) and the
presence list of the minutes. Thin: parse, one operation inside ``writes()``, render or redirect.

Registered on the dashboard blueprint by ``dashboard`` (``organiser_pages``): endpoints keep their
``dashboard.`` names, and this module imports no dashboard code."""

from __future__ import annotations

import base64
import binascii

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from wtforms.fields.choices import SelectChoice

from ..common import csv_reading, csv_tables
from ..common.query_args import arg_int
from ..events.lookups import organiser_event
from ..exports import tabular
from ..security import download
from ..web import OrganiserPages, actor, flash_unsent, render, writes
from . import bodies, contacts_csv, lookups, presence, queries, sending
from . import contacts as address_book
from .forms import (
    AttachmentForm,
    ConfirmForm,
    ContactForm,
    ContactImportForm,
    InviteForm,
    ListForm,
    RemoveAttachmentForm,
    SettingsForm,
)

pages = OrganiserPages("invitations")


# The organiser's address book (their own only: another's contact or list is 404).


@pages.route("/contacts", methods=["GET"])
def contacts():
    owner = actor()
    selected = arg_int("liste")
    contact_list = lookups.list_or_404(owner, selected) if selected else None
    return render(
        "contacts.html",
        contacts=address_book.contacts_of(owner, contact_list),
        lists=address_book.lists_of(owner),
        selected=contact_list,
        list_form=ListForm(),
        confirm_form=ConfirmForm(),
    )


def _contact_form(owner, contact=None) -> ContactForm:
    form = ContactForm()
    if request.method == "GET" and contact is not None:
        form = ContactForm(formdata=None, obj=contact)
        form.lists.data = [c.id for c in contact.lists]
    form.lists.choices = [SelectChoice(c.id, c.name) for c in address_book.lists_of(owner)]
    return form


@pages.route("/contacts/new", methods=["GET", "POST"])
def new_contact():
    return _edit_contact(None)


@pages.route("/contacts/<int:contact_id>", methods=["GET", "POST"])
def edit_contact(contact_id: int):
    return _edit_contact(lookups.contact_or_404(actor(), contact_id))


def _edit_contact(contact):
    owner = actor()
    form = _contact_form(owner, contact)
    if request.method == "POST" and form.validate_on_submit():
        data = form.to_data()
        lookups.lists_or_404(owner, data.list_ids)
        # An address already in the book: the message goes under the email field.
        with writes(form) as write:
            address_book.save_contact(owner, data, contact)
        if not write.failed:
            flash(_("Contact enregistré."), "success")
            return redirect(url_for("dashboard.contacts"), code=303)
    return render("contact_form.html", form=form, contact=contact)


@pages.route("/contacts/<int:contact_id>/delete", methods=["GET", "POST"])
def delete_contact(contact_id: int):
    contact = lookups.contact_or_404(actor(), contact_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with writes():
            address_book.delete_contact(contact, actor=actor())
        flash(_("Contact supprimé."), "success")
        return redirect(url_for("dashboard.contacts"), code=303)
    return render(
        "contact_delete.html",
        contact=contact,
        form=form,
        invitations=address_book.invitation_count(contact),
    )


@pages.route("/contacts/lists", methods=["POST"])
def new_list():
    form = ListForm()
    if form.validate_on_submit():
        with writes():
            address_book.list_named(actor(), form.name.data, actor=actor())
        flash(_("Liste enregistrée."), "success")
    else:
        flash(" ".join(str(e) for e in form.name.errors) or _("Nommez la liste."), "warning")
    return redirect(url_for("dashboard.contacts"), code=303)


@pages.route("/contacts/lists/<int:list_id>/delete", methods=["POST"])
def delete_list(list_id: int):
    contact_list = lookups.list_or_404(actor(), list_id)
    if ConfirmForm().validate_on_submit():
        with writes():
            address_book.delete_list(contact_list, actor=actor())
        flash(_("Liste supprimée ; ses contacts restent dans votre carnet."), "success")
    return redirect(url_for("dashboard.contacts"), code=303)


@pages.route("/contacts/import", methods=["GET", "POST"])
def import_contacts():
    owner = actor()
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
    preview = address_book.preview_import(owner, data, **_import_options(data))
    if form.confirmed.data == "1" and preview.can_import:
        with writes() as write:
            contact_list = address_book.commit_import(
                owner, preview, form.list_name.data, actor=owner
            )
        if not write.failed:
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


@pages.route("/events/<int:event_id>/invitations", methods=["GET"])
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
        follow=queries.follow(event),
        settings_form=settings,
        attachment_form=AttachmentForm(),
        confirm_form=ConfirmForm(),
        attachments=queries.attachments_of(event),
        to_remind=len(queries.to_remind(event)),
    )


def _to_invitations(event):
    return redirect(url_for("dashboard.invitations", event_id=event.id), code=303)


@pages.route("/events/<int:event_id>/invitations/settings", methods=["POST"])
def invitation_settings(event_id: int):
    event = organiser_event(event_id)
    form = SettingsForm()
    if form.validate_on_submit():
        with writes():
            sending.update_settings(
                event,
                invitation_only=form.invitation_only.data,
                reminder_days_before=form.reminder_days_before.data,
                actor=actor(),
            )
        flash(_("Réglages des invitations enregistrés."), "success")
    else:
        flash(" ".join(str(e) for e in form.reminder_days_before.errors), "warning")
    return _to_invitations(event)


@pages.route("/events/<int:event_id>/invitations/attachments", methods=["POST"])
def add_attachment(event_id: int):
    event = organiser_event(event_id)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        with writes(flash_error=False) as write:
            sending.add_attachment(
                event,
                upload.filename or "document",
                upload.mimetype,
                upload.read(),
                actor=actor(),
            )
        if write.failed:
            flash(str(write.error.message), "warning")
        else:
            flash(_("Pièce jointe ajoutée : elle partira avec chaque invitation."), "success")
    else:
        flash(" ".join(str(e) for e in form.file.errors), "warning")
    return _to_invitations(event)


@pages.route("/events/<int:event_id>/invitations/attachments/remove", methods=["POST"])
def remove_attachment(event_id: int):
    event = organiser_event(event_id)
    form = RemoveAttachmentForm()
    if form.validate_on_submit():
        with writes():
            sending.remove_attachment(
                lookups.attachment_or_404(event, form.attachment_id.data), actor=actor()
            )
        flash(_("Pièce jointe retirée."), "success")
    return _to_invitations(event)


@pages.route("/events/<int:event_id>/invitations/invite", methods=["GET", "POST"])
def invite(event_id: int):
    event = organiser_event(event_id)
    owner = actor()
    form = InviteForm()
    lists = address_book.lists_of(owner)
    form.lists.choices = [SelectChoice(c.id, c.name) for c in lists]
    form.contacts.choices = [
        SelectChoice(c.id, f"{c.display_name} <{c.email}>") for c in address_book.contacts_of(owner)
    ]
    plan = None
    if request.method == "POST" and form.validate_on_submit():
        chosen = lookups.chosen_contacts(
            owner, list_ids=form.lists.data, contact_ids=form.contacts.data
        )
        plan = sending.plan_invitations(event, chosen)
        # A body's convocation later than its notice period: sent only once confirmed.
        late = bodies.late_notice(event)
        confirmed = form.confirmed.data == "1" and (
            late is None or request.form.get("late_ok") == "1"
        )
        if confirmed and plan.to_invite:
            # The count first, then who could not be written to.
            with writes(flash_error=False, flash_unsent=False) as write:
                if late is not None:
                    bodies.confirm_late_notice(late, actor=owner)
                sent = sending.send_invitations(event, plan, actor=owner)
            if write.failed:
                flash(str(write.error.message), "warning")
            else:
                flash(
                    ngettext(
                        "%(num)d invitation envoyée.", "%(num)d invitations envoyées.", len(sent)
                    ),
                    "success",
                )
                flash_unsent(write.unsent)
                return _to_invitations(event)
    late = bodies.late_notice(event) if plan is not None else None
    return render(
        "invite.html",
        event=event,
        form=form,
        lists=lists,
        plan=plan,
        late=late,
        late_due=bodies.notice_due(late) if late is not None else None,
    )


@pages.route("/events/<int:event_id>/invitations/remind", methods=["GET", "POST"])
def remind(event_id: int):
    event = organiser_event(event_id)
    form = ConfirmForm()
    pending = queries.to_remind(event)
    if request.method == "POST" and form.validate_on_submit():
        with writes(flash_unsent=False) as write:
            count = sending.remind(event, pending, actor=actor())
        flash(ngettext("%(num)d relance envoyée.", "%(num)d relances envoyées.", count), "success")
        flash_unsent(write.unsent)
        return _to_invitations(event)
    return render("remind.html", event=event, form=form, pending=pending)


# The presence list of the minutes.


@pages.route("/events/<int:event_id>/presence", methods=["GET"])
def presence_page(event_id: int):
    event = organiser_event(event_id)
    return render_template(
        "print/presence.html", event=event, presence=queries.presence_list(event)
    )


@pages.route("/events/<int:event_id>/presence.txt", methods=["GET"])
def presence_text(event_id: int):
    event = organiser_event(event_id)
    body = presence.as_text(queries.presence_list(event), event.title)
    return Response(body, mimetype="text/plain")


@pages.route("/events/<int:event_id>/presence.csv", methods=["GET"])
def presence_csv(event_id: int):
    return _presence_export(organiser_event(event_id), "csv")


@pages.route("/events/<int:event_id>/presence.xlsx", methods=["GET"])
def presence_xlsx(event_id: int):
    return _presence_export(organiser_event(event_id), "xlsx")


def _presence_export(event, fmt: str):
    header, rows = presence.as_rows(queries.presence_list(event))
    filename = f"presence-{event.slug}.{fmt}"
    if fmt == "csv":
        body = tabular.csv_bytes(header, rows)
        mimetype = "text/csv"
    else:
        body = tabular.xlsx_bytes(header, rows)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return download(body, mimetype=mimetype, filename=filename)
