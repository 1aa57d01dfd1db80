"""Dashboard pages of the finance batches.

Batches have no owner: an organiser sees a batch when every claim in it belongs to one of their
events, and creates batches from the claims of their own events only.
"""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..events.forms import parse_day
from ..exports import tabular
from ..security import download
from ..web import actor, render, writes
from . import batches as batch_service
from .organiser_common import by, own_event_ids, pages, say
from .organiser_forms import BatchForm, PaidForm
from .rules import CompensationError, LineKind

# The export's kind labels (batches.KIND_LABELS, French for finance), in the page's language.
KIND_NAMES = {
    LineKind.MILEAGE: _l("Indemnités kilométriques (voiture)"),
    LineKind.TWO_WHEELER: _l("Indemnités kilométriques (deux-roues)"),
    LineKind.CARPOOLING: _l("Covoiturage (passagers, non indemnisé)"),
    LineKind.MEAL: _l("Repas"),
    LineKind.CHILDCARE: _l("Garde d'enfants"),
    LineKind.TIME: _l("Temps passé"),
    LineKind.PUBLIC_TRANSPORT: _l("Transports en commun"),
}


def _own_batch(batch_id: int):
    batch = batch_service.batch_within(batch_id, own_event_ids())
    if batch is None:
        abort(404)
    return batch


@pages.route("/compensation/batches", methods=["GET", "POST"])
def batches():
    own = own_event_ids()
    form = BatchForm()
    if form.validate_on_submit():
        with writes(flash_error=False) as write:
            batch = batch_service.create_batch(
                form.name.data,
                parse_day(form.start.data),
                parse_day(form.end.data),
                by=by(),
                event_ids=own,
                actor=actor(),
            )
        if write.failed:
            form.name.errors.append(say(write.error))
        else:
            flash(_("Lot créé."), "success")
            return redirect(url_for(".batch", batch_id=batch.id), code=303)
    return render(
        "compensation/batches.html",
        form=form,
        batches=batch_service.batches(own),
        waiting=batch_service.unbatched(event_ids=own),
    )


@pages.route("/compensation/batches/<int:batch_id>")
def batch(batch_id: int):
    batch = _own_batch(batch_id)
    claims = sorted(batch.claims, key=lambda c: (c.payee_name.casefold(), c.id))
    by_kind: dict[str, object] = {}
    for claim in claims:
        for line in claim.lines:
            by_kind[line.kind] = by_kind.get(line.kind, 0) + line.amount
    return render(
        "compensation/batch.html",
        batch=batch,
        claims=claims,
        by_kind=[(KIND_NAMES[k], by_kind[k]) for k in LineKind if k in by_kind],
        total=sum((c.total for c in claims), 0),
        paid_form=PaidForm(),
    )


@pages.route("/compensation/batches/<int:batch_id>/export.<any(xlsx, csv):kind>")
def batch_export(batch_id: int, kind: str):
    batch = _own_batch(batch_id)
    try:
        exported = batch_service.export(batch)
    except CompensationError as error:
        flash(say(error), "error")
        return redirect(url_for(".batch", batch_id=batch.id), code=303)
    content = exported.xlsx() if kind == "xlsx" else exported.csv()
    return download(
        content,
        mimetype=tabular.XLSX_TYPE if kind == "xlsx" else "text/csv",
        filename=f"lot-{batch.id}.{kind}",
    )


@pages.route("/compensation/batches/<int:batch_id>/paid", methods=["POST"])
def batch_paid(batch_id: int):
    batch = _own_batch(batch_id)
    form = PaidForm()
    if form.validate_on_submit():
        day = parse_day(form.paid_on.data)
        with writes(flash_error=False) as write:
            batch_service.mark_paid(batch, day, by=by(), actor=actor())
        if write.failed:
            flash(say(write.error), "error")
        else:
            flash(_("Paiement enregistré."), "success")
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for(".batch", batch_id=batch.id), code=303)
