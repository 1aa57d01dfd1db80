"""Dashboard pages for an event's registrations: the table, add by hand, edit, cancel, confirm
from the waiting list, and the CSV/XLSX exports. Registered on the dashboard's blueprint by
``dashboard/__init__.py``."""

from __future__ import annotations

from flask import current_app, flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _

from ..audit import service as audit
from ..auth.views import safe_next
from ..common.query_args import PAGE_MAX, arg_int
from ..events.forms import ConfirmForm
from ..events.lookups import organiser_event
from ..events.models import Event
from ..exports import tabular
from ..i18n import part_label
from ..security import download
from ..web import OrganiserPages, actor, render, writes
from . import declared_travel, export, export_job, operations, queries
from . import operations_manage as manage
from .forms import EditRegistrationForm, ManualSignupForm
from .forms_bulk import BulkForm
from .lookups import organiser_registration
from .models import RegistrationStatus

pages = OrganiserPages("registrations")


def _to_list(event: Event, **args):
    return redirect(url_for(".registrations", event_id=event.id, **args), code=303)


@pages.route("/events/<int:event_id>/registrations", methods=["GET"])
def registrations(event_id: int):
    event = organiser_event(event_id)
    filters = queries.Filters.from_args(request.args)
    page = queries.page(
        event,
        filters,
        arg_int("page", 1, maximum=PAGE_MAX),
        current_app.config["DASHBOARD_PAGE_SIZE"],
    )
    return render(
        "registrations.html",
        event=event,
        filters=filters,
        page=page,
        counts=queries.counts(event),
        part_labels={part.id: part_label(part) for part in event.parts},
        travel=declared_travel.declared(event, [registration.id for registration in page.items]),
        confirm_form=ConfirmForm(),
        bulk_form=BulkForm(),
    )


@pages.route("/events/<int:event_id>/registrations/new", methods=["GET", "POST"])
def new_registration(event_id: int):
    event = organiser_event(event_id)
    form = ManualSignupForm.for_event(event)
    if form.validate_on_submit():
        with writes(form, flash_error=False) as write:
            result = manage.add_by_hand(
                event, form.to_command(), locale=form.locale.data, actor=actor()
            )
        if write.failed:
            already = _expected(write.error, operations.AlreadyRegistered)
            form.email.errors.append(
                _(
                    "Cette personne est déjà inscrite (%(status)s) : modifiez son inscription "
                    "plutôt que d'en créer une autre.",
                    status=export.status_label(already.registration.status),
                )
            )
        else:
            registration = result.registration
            if result.waitlisted:
                flash(
                    _(
                        "%(name)s est sur liste d'attente : l'événement ou une partie choisie "
                        "est complet.",
                        name=registration.display_name,
                    ),
                    "info",
                )
            else:
                flash(_("%(name)s est inscrit·e.", name=registration.display_name), "success")
            return _to_list(event)
    return render(
        "registration_form.html",
        event=event,
        form=form,
        registration=None,
        part_labels={part.id: part_label(part) for part in event.parts},
    )


@pages.route("/events/<int:event_id>/registrations/<int:registration_id>", methods=["GET", "POST"])
def edit_registration(event_id: int, registration_id: int):
    event = organiser_event(event_id)
    registration = organiser_registration(event, registration_id)
    form = EditRegistrationForm.for_registration(registration)
    if request.method == "GET":
        form.fill_from(registration)
    elif registration.status == RegistrationStatus.CANCELLED:
        flash(
            _(
                "Cette inscription est annulée : la personne peut se réinscrire depuis la page "
                "de l'événement, ou vous pouvez l'ajouter à nouveau."
            ),
            "error",
        )
        return _to_list(event)
    elif form.validate_on_submit():
        with writes(form, flash_error=False) as write:
            manage.edit(registration, form.identity(), form.to_change(), actor=actor())
        if write.failed:
            full = _expected(write.error, operations.NoRoom)
            form.parts.errors.append(
                _(
                    "Plus de place pour : %(parts)s. La personne garde son inscription "
                    "actuelle ; confirmez-la hors capacité depuis la liste d'attente si besoin.",
                    parts=", ".join(part.label for part in full.parts),
                )
            )
        else:
            flash(_("Inscription modifiée."), "success")
            return _to_list(event)
    return render(
        "registration_form.html",
        event=event,
        form=form,
        registration=registration,
        history=audit.for_registration(registration),
        part_labels={part.id: part_label(part) for part in event.parts},
        confirm_form=ConfirmForm(),
    )


def _expected(error, kind: type):
    """The refusal this page answers in its own words; any other still fails loudly."""
    if not isinstance(error, kind):
        raise error
    return error


@pages.route(
    "/events/<int:event_id>/registrations/<int:registration_id>/cancel", methods=["GET", "POST"]
)
def cancel_registration(event_id: int, registration_id: int):
    event = organiser_event(event_id)
    registration = organiser_registration(event, registration_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        with writes():
            promoted = manage.cancel(registration, actor=actor())
        flash(_("Inscription de %(name)s annulée.", name=registration.display_name), "success")
        if promoted:
            flash(
                _(
                    "Place libérée : %(names)s quitte la liste d'attente.",
                    names=", ".join(r.display_name for r in promoted),
                ),
                "info",
            )
        return _to_list(event)
    return render(
        "confirm.html",
        event=event,
        form=form,
        title=_("Annuler une inscription"),
        message=_(
            "L'inscription de %(name)s (%(email)s) sera annulée et sa place donnée à la liste "
            "d'attente. La personne en est informée.",
            name=registration.display_name,
            email=registration.email,
        ),
        button=_("Annuler l'inscription"),
        back=url_for(".edit_registration", event_id=event.id, registration_id=registration.id),
    )


@pages.route("/events/<int:event_id>/registrations/<int:registration_id>/confirm", methods=["POST"])
def confirm_registration(event_id: int, registration_id: int):
    event = organiser_event(event_id)
    registration = organiser_registration(event, registration_id)
    if ConfirmForm().validate_on_submit():
        with writes():
            confirmed = manage.confirm_from_waitlist(registration, actor=actor())
        if confirmed:
            flash(
                _(
                    "%(name)s est confirmé·e (hors liste d'attente, même si l'événement est "
                    "complet).",
                    name=registration.display_name,
                ),
                "success",
            )
    back = safe_next(request.form.get("next"))
    return redirect(back or url_for(".registrations", event_id=event.id), code=303)


def _export_name(event: Event, extension: str) -> str:
    return f"inscriptions-{event.slug}.{extension}"


@pages.route("/events/<int:event_id>/registrations.csv", methods=["GET", "POST"])
def export_csv(event_id: int):
    event = organiser_event(event_id)
    filters = queries.Filters.from_args(request.args)
    if large := _large_export(event, filters, "csv"):
        return large
    delimiter = "," if request.args.get("delimiter") == "comma" else ";"
    chunks = tabular.iter_csv(
        export.header(event),
        export.rows(event, filters),
        delimiter=delimiter,
        decimal_separator="." if delimiter == "," else ",",
    )
    return download(
        stream_with_context(chunks), mimetype="text/csv", filename=_export_name(event, "csv")
    )


@pages.route("/events/<int:event_id>/registrations.xlsx", methods=["GET", "POST"])
def export_xlsx(event_id: int):
    event = organiser_event(event_id)
    filters = queries.Filters.from_args(request.args)
    if large := _large_export(event, filters, "xlsx"):
        return large
    content = tabular.xlsx_bytes(
        export.header(event),
        export.rows(event, filters),
        sheet_title=_("Inscriptions"),
        column_widths=export.column_widths(event),
    )
    return download(content, mimetype=tabular.XLSX_TYPE, filename=_export_name(event, "xlsx"))


def _large_export(event: Event, filters: queries.Filters, kind: str):
    """More registrations than a request should write: a page that offers to prepare the file
    in the background (GET), then the job and its page (POST). None: export at once."""
    count = export_job.too_large(event, filters)
    if count is None:
        return None
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        with writes() as write:
            job = export_job.start(event, request.args, kind, actor=actor())
        if not write.failed:
            return redirect(url_for(".job", job_id=job.id), code=303)
    return render("export_job.html", event=event, form=form, count=count, kind=kind.upper())
