"""The registrations table's actions: sending a person's confirmation and personal link again
(a row's button), and the bulk actions on the checked rows or on the whole filter (cancel after a
confirmation page, confirm from the waiting list, resend, export). Registered on the dashboard's
blueprint by ``dashboard/__init__.py``."""

from __future__ import annotations

from collections import Counter

from flask import flash, redirect, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..auth.views import safe_next
from ..events.forms import ConfirmForm
from ..events.lookups import organiser_event
from ..events.models import Event
from ..exports import tabular
from ..security import download
from ..web import OrganiserPages, actor, render, writes
from . import export, queries
from . import operations_bulk as bulk_actions
from . import operations_manage as manage
from .forms_bulk import CSV, SELECTION, XLSX, BulkForm
from .lookups import organiser_registration

pages = OrganiserPages("registration_actions")

# Flashed messages travel in the session cookie: the first few names, the others in the log.
FLASHED_NAMES = 5


def _back(event: Event):
    back = safe_next(request.form.get("next"))
    return redirect(back or url_for(".registrations", event_id=event.id), code=303)


@pages.route("/events/<int:event_id>/registrations/<int:registration_id>/resend", methods=["POST"])
def resend_registration(event_id: int, registration_id: int):
    event = organiser_event(event_id)
    registration = organiser_registration(event, registration_id)
    if ConfirmForm().validate_on_submit():
        with writes() as write:
            queued = manage.resend(registration, actor=actor())
        if write.failed:
            pass
        elif queued:
            flash(
                _(
                    "Confirmation et lien personnel renvoyés à %(name)s (%(email)s).",
                    name=registration.display_name,
                    email=registration.email,
                ),
                "success",
            )
        else:
            flash(
                _(
                    "Déjà renvoyés à %(name)s il y a moins d'une minute : rien de plus n'est "
                    "parti.",
                    name=registration.display_name,
                ),
                "info",
            )
    return _back(event)


@pages.route("/events/<int:event_id>/registrations/bulk", methods=["POST"])
def bulk_registrations(event_id: int):
    event = organiser_event(event_id)
    filters = queries.Filters.from_args(request.form)
    to_list = redirect(url_for(".registrations", event_id=event.id, **filters.args()), code=303)
    form = BulkForm.for_event(event)
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
        return to_list
    ids = form.ids.data if form.scope.data == SELECTION else None
    if ids == []:
        flash(
            _(
                "Cochez au moins une inscription, ou appliquez l'action à toutes les "
                "inscriptions du filtre."
            ),
            "error",
        )
        return to_list
    action = form.action.data
    if action in (CSV, XLSX):
        return _export(event, filters, ids, action)
    chosen = queries.matching(event, filters, ids)
    if action == bulk_actions.CANCEL and not form.confirmed.data:
        return render(
            "registrations_bulk_confirm.html",
            event=event,
            form=form,
            filters=filters,
            chosen=chosen,
            shown=chosen[:20],
            back=url_for(".registrations", event_id=event.id, **filters.args()),
        )
    with writes():
        outcome = bulk_actions.apply(event, action, chosen, actor=actor())
    for line, category in report(outcome):
        flash(line, category)
    return to_list


def _export(event: Event, filters: queries.Filters, ids: list[int] | None, kind: str):
    name = f"inscriptions-{event.slug}-selection.{kind}"
    if kind == CSV:
        chunks = tabular.iter_csv(export.header(event), export.rows(event, filters, ids))
        return download(stream_with_context(chunks), mimetype="text/csv", filename=name)
    content = tabular.xlsx_bytes(
        export.header(event),
        export.rows(event, filters, ids),
        sheet_title=_("Inscriptions"),
        column_widths=export.column_widths(event),
    )
    return download(content, mimetype=tabular.XLSX_TYPE, filename=name)


def report(outcome: bulk_actions.Outcome) -> list[tuple[str, str]]:
    """« 12 inscriptions annulées, 2 ignorées (déjà annulées). », then each person refused for
    want of places, with what is full."""
    done = len(outcome.done)
    pieces = [_done(outcome.action, done)]
    for reason, number in Counter(s.reason for s in outcome.skipped).items():
        pieces.append(
            ngettext(
                "%(num)d ignorée (%(reason)s)",
                "%(num)d ignorées (%(reason)s)",
                number,
                reason=_reason(reason, number),
            )
        )
    lines = [(", ".join(pieces) + ".", "success" if done else "info")]
    full = [s for s in outcome.skipped if s.reason == bulk_actions.FULL]
    for skipped in full[:FLASHED_NAMES]:
        lines.append((_shortage(skipped), "warning"))
    if len(full) > FLASHED_NAMES:
        lines.append(
            (
                ngettext(
                    "… et %(num)d autre sans place.",
                    "… et %(num)d autres sans place.",
                    len(full) - FLASHED_NAMES,
                ),
                "warning",
            )
        )
    if outcome.promoted:
        lines.append(
            (
                _(
                    "Places libérées, confirmées depuis la liste d'attente : %(names)s.",
                    names=", ".join(r.display_name for r in outcome.promoted),
                ),
                "info",
            )
        )
    return lines


def _done(action: str, number: int) -> str:
    if action == bulk_actions.CANCEL:
        return ngettext("%(num)d inscription annulée", "%(num)d inscriptions annulées", number)
    if action == bulk_actions.CONFIRM:
        return ngettext("%(num)d inscription confirmée", "%(num)d inscriptions confirmées", number)
    return ngettext("%(num)d confirmation renvoyée", "%(num)d confirmations renvoyées", number)


def _reason(reason: str, number: int) -> str:
    if reason == bulk_actions.ALREADY_CANCELLED:
        return ngettext("déjà annulée", "déjà annulées", number)
    if reason == bulk_actions.CANCELLED:
        return ngettext("annulée entre-temps", "annulées entre-temps", number)
    if reason == bulk_actions.ALREADY_CONFIRMED:
        return ngettext("déjà confirmée", "déjà confirmées", number)
    if reason == bulk_actions.ERASED:
        return _("données effacées")
    if reason == bulk_actions.SENT_THIS_MINUTE:
        return _("déjà renvoyé il y a moins d'une minute")
    return _("plus de place")


def _shortage(skipped: bulk_actions.Skipped) -> str:
    shortage = skipped.shortage
    name = skipped.registration.display_name
    if shortage is not None and shortage.parts and not shortage.event_full:
        return _(
            "%(name)s reste sur liste d'attente : plus de place pour %(parts)s.",
            name=name,
            parts=", ".join(part.label for part in shortage.parts),
        )
    return _("%(name)s reste sur liste d'attente : l'événement est complet.", name=name)
