"""Dashboard pages for compensation: the distance table, the claims of an event, batches.

Thin views over ``eventsvc.compensation`` (distances, claims, declarations, batches): every rule
lives there. Claims are looked up *within* an event the organiser organises (404 otherwise).
Batches have no owner: an organiser sees a batch when every claim in it belongs to one of their
events, and creates batches from the claims of their own events only. The distance table is the
organisation's (one per instance): every organiser reads it, only administrators replace it.
"""

from __future__ import annotations

import logging
import secrets
import time
from datetime import date
from pathlib import Path

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..audit import service as audit
from ..common import csv_reading
from ..common.query_args import YEAR_MAX, YEAR_MIN, arg_int
from ..common.wording import Message
from ..compensation import batches as batch_service
from ..compensation import claims as claim_service
from ..compensation import declarations, distances
from ..compensation.distance_table import DistancierError
from ..compensation.forms import TRANSPORT_LABELS
from ..compensation.models import Claim, ClaimLine, ClaimStatus
from ..compensation.rules import CompensationError, LineKind
from ..events import queries as event_queries
from ..events.forms import parse_day
from ..events.models import Event
from ..extensions import db
from ..security import download
from . import bp
from .common import actor, organiser_event, render
from .compensation_forms import (
    BatchForm,
    ComputeForm,
    CorrectLineForm,
    DistanceCheckForm,
    DistanceConfirmForm,
    DistanceUploadForm,
    PaidForm,
    ReceiptsForm,
    TransportReceiptForm,
    ValidateForm,
    positive_number,
)
from .registrations import XLSX_TYPE

log = logging.getLogger(__name__)

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
UPLOAD_MAX_AGE = 24 * 3600  # an unconfirmed distance table upload is dropped after a day
UPLOAD_NAME_LENGTH = 32  # secrets.token_hex(16)


@bp.app_template_filter("message")
def message_text(message: Message | str) -> str:
    """A compensation ``Message`` in the page's language (escaped by the template like any text)."""
    if isinstance(message, Message):
        return message.render(_, str(get_locale()))
    return str(message)


def _by() -> str:
    return current_user.email


def _say(error: CompensationError) -> str:
    return message_text(error.message)


# --- Distance table ------------------------------------------------------------------------------


def _upload_dir() -> Path:
    folder = Path(current_app.instance_path) / "distance-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _keep_upload(data: bytes) -> str:
    """Keep the file between the preview and the confirmation (any process can confirm it)."""
    folder = _upload_dir()
    now = time.time()
    for old in folder.glob("*.csv"):
        if now - old.stat().st_mtime > UPLOAD_MAX_AGE:
            old.unlink(missing_ok=True)
    name = secrets.token_hex(UPLOAD_NAME_LENGTH // 2)
    (folder / f"{name}.csv").write_bytes(data)
    return name


def _upload_path(name: str) -> Path | None:
    if len(name or "") != UPLOAD_NAME_LENGTH or not all(c in "0123456789abcdef" for c in name):
        return None
    path = _upload_dir() / f"{name}.csv"
    return path if path.is_file() else None


def _not_an_admin():
    """Replacing the shared distance table changes every organiser's claims: administrators only.

    The page offers the upload to administrators only; anyone else posting gets this answer.
    """
    if current_user.is_admin:
        return None
    flash(_("Seul un administrateur peut remplacer le distancier."), "error")
    return redirect(url_for(".distance_table"), code=303)


@bp.route("/compensation/distances", methods=["GET", "POST"])
def distance_table():
    if request.method == "POST" and (refused := _not_an_admin()):
        return refused
    form = DistanceUploadForm()
    preview = problem = None
    confirm_form = DistanceConfirmForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            preview = distances.preview_import(data)
        except DistancierError as error:
            problem = _say(error)
        else:
            confirm_form.upload.data = _keep_upload(data)
    commune = (request.args.get("commune") or "").strip()
    pairs = distances.pairs(commune or None)
    return render(
        "compensation/distances.html",
        form=form,
        limits=csv_reading.DISTANCES,
        preview=preview,
        problem=problem,
        confirm_form=confirm_form,
        commune=commune,
        pairs=pairs[:500],
        shown_all=len(pairs) <= 500,
        total=distances.count(),
        last_replacement=distances.last_replacement(),
    )


@bp.post("/compensation/distances/confirm")
def confirm_distance_table():
    if refused := _not_an_admin():
        return refused
    form = DistanceConfirmForm()
    path = _upload_path(form.upload.data or "") if form.validate_on_submit() else None
    if path is None:
        flash(_("Ce fichier n'est plus disponible : choisissez-le à nouveau."), "error")
        return redirect(url_for(".distance_table"), code=303)
    try:
        preview = distances.preview_import(path.read_bytes())
    except DistancierError as error:
        flash(_say(error), "error")
        return redirect(url_for(".distance_table"), code=303)
    count = distances.replace_table(preview.table, actor=actor())
    db.session.commit()
    path.unlink(missing_ok=True)
    log.info("distance table replaced by %s: %d pairs", _by(), count)
    flash(
        ngettext(
            "Distancier remplacé : %(num)d trajet.",
            "Distancier remplacé : %(num)d trajets.",
            count,
        ),
        "success",
    )
    return redirect(url_for(".distance_table"), code=303)


# --- Claims of an event --------------------------------------------------------------------------


def _claim(event: Event, claim_id: int) -> Claim:
    claim = claim_service.get_claim(claim_id)
    if claim is None or claim.event_id != event.id:
        abort(404)
    return claim


def _line(claim: Claim, line_id: int) -> ClaimLine:
    line = db.session.get(ClaimLine, line_id)
    if line is None or line.claim_id != claim.id:
        abort(404)
    return line


def _to_claim(event: Event, claim: Claim, anchor: str = ""):
    return redirect(
        url_for(".claim", event_id=event.id, claim_id=claim.id, _anchor=anchor or None), code=303
    )


def _to_claims(event: Event):
    return redirect(url_for(".claims", event_id=event.id), code=303)


@bp.get("/events/<int:event_id>/compensation")
def claims(event_id: int):
    event = organiser_event(event_id)
    rows = [
        {
            "claim": claim,
            "blocking": claim_service.blocking_problems(claim),
            "checks": claim_service.review_checks(claim),
        }
        for claim in claim_service.claims_of(event)
    ]
    totals = {
        status: sum((row["claim"].total for row in rows if row["claim"].status == status), 0)
        for status in ClaimStatus
    }
    return render(
        "compensation/claims.html",
        event=event,
        rows=rows,
        totals=totals,
        grand_total=sum((row["claim"].total for row in rows), 0),
        compute_form=ComputeForm(),
        validate_form=ValidateForm(),
        report=None,
    )


@bp.post("/events/<int:event_id>/compensation/compute")
def compute_claims(event_id: int):
    event = organiser_event(event_id)
    form = ComputeForm()
    if not form.validate_on_submit():
        return _to_claims(event)
    try:
        report = claim_service.compute_event(
            event, by=_by(), reset_corrections=bool(form.reset_corrections.data), actor=actor()
        )
    except CompensationError as error:
        db.session.rollback()
        flash(_say(error), "error")
        return _to_claims(event)
    db.session.commit()
    return render(
        "compensation/compute_report.html", event=event, report=report, form=ComputeForm()
    )


@bp.post("/events/<int:event_id>/compensation/validate")
def validate_claims(event_id: int):
    """Validate every draft of the event that can be; say why the others cannot."""
    event = organiser_event(event_id)
    form = ValidateForm()
    if not form.validate_on_submit():
        return _to_claims(event)
    drafts = [c for c in claim_service.claims_of(event) if not c.frozen]
    report = claim_service.validate_many(
        drafts, by=_by(), accept_checks=bool(form.accept_checks.data), actor=actor()
    )
    db.session.commit()
    if report.validated:
        flash(
            ngettext(
                "%(num)d indemnité validée.", "%(num)d indemnités validées.", len(report.validated)
            ),
            "success",
        )
    for refused in report.refused:
        flash(_say(refused), "error")
    if not report.validated and not report.refused:
        flash(_("Aucune indemnité à valider."), "info")
    return _to_claims(event)


@bp.get("/events/<int:event_id>/compensation/claims/<int:claim_id>")
def claim(event_id: int, claim_id: int):
    event = organiser_event(event_id)
    claim = _claim(event, claim_id)
    return _claim_page(event, claim)


def _claim_page(event: Event, claim: Claim, status: int = 200, **forms):
    declaration = declarations.declaration_of(claim.registration)
    distance_form = forms.get("distance_form") or DistanceCheckForm()
    transport_form = forms.get("transport_form") or TransportReceiptForm()
    if declaration is not None and request.method == "GET":
        if declaration.round_trip_km is not None:
            distance_form.round_trip_km.data = str(declaration.round_trip_km)
        if declaration.public_transport_receipt is not None:
            transport_form.amount.data = str(declaration.public_transport_receipt)
    return render(
        "compensation/claim.html",
        status,
        event=event,
        claim=claim,
        declaration=declaration,
        blocking=claim_service.blocking_problems(claim),
        checks=claim_service.review_checks(claim),
        needs_receipts=claim_service.needs_receipts(claim),
        documents=claim_service.required_documents(claim),
        describe=claim_service.description,
        transport_labels=TRANSPORT_LABELS,
        receipts_form=ReceiptsForm(),
        distance_form=distance_form,
        transport_form=transport_form,
        validate_form=forms.get("validate_form") or ValidateForm(),
        compute_form=ComputeForm(),
    )


@bp.route(
    "/events/<int:event_id>/compensation/claims/<int:claim_id>/lines/<int:line_id>",
    methods=["GET", "POST"],
)
def correct_line(event_id: int, claim_id: int, line_id: int):
    event = organiser_event(event_id)
    claim = _claim(event, claim_id)
    line = _line(claim, line_id)
    form = CorrectLineForm()
    if request.method == "GET":
        form.quantity.data = str(line.quantity.normalize())
        form.rate.data = str(line.rate.normalize())
    elif claim.frozen:
        flash(_("Cette indemnité est validée : elle ne change plus."), "error")
        return _to_claim(event, claim)
    elif form.validate_on_submit():
        try:
            claim_service.correct_line(
                line,
                reason=form.reason.data,
                by=_by(),
                quantity=positive_number(form.quantity.data),
                rate=positive_number(form.rate.data),
                actor=actor(),
            )
        except CompensationError as error:
            db.session.rollback()
            form.reason.errors.append(_say(error))
        else:
            db.session.commit()
            flash(_("Ligne corrigée."), "success")
            return _to_claim(event, claim, "lines")
    return render(
        "compensation/correct_line.html",
        event=event,
        claim=claim,
        line=line,
        form=form,
        describe=claim_service.description,
    )


@bp.post("/events/<int:event_id>/compensation/claims/<int:claim_id>/receipts")
def claim_receipts(event_id: int, claim_id: int):
    event = organiser_event(event_id)
    claim = _claim(event, claim_id)
    form = ReceiptsForm()
    if form.validate_on_submit():
        received = form.received.data != "0"
        try:
            claim_service.mark_receipts_received(claim, by=_by(), received=received, actor=actor())
        except CompensationError as error:
            db.session.rollback()
            flash(_say(error), "error")
        else:
            db.session.commit()
            flash(
                _("Justificatifs marqués reçus.")
                if received
                else _("Justificatifs marqués non reçus."),
                "success",
            )
    return _to_claim(event, claim)


@bp.post("/events/<int:event_id>/compensation/claims/<int:claim_id>/distance")
def claim_distance(event_id: int, claim_id: int):
    event = organiser_event(event_id)
    claim = _claim(event, claim_id)
    form = DistanceCheckForm()
    if claim.frozen:
        flash(_("Cette indemnité est validée : elle ne change plus."), "error")
        return _to_claim(event, claim)
    if not form.validate_on_submit():
        return _claim_page(event, claim, distance_form=form)
    km = positive_number(form.round_trip_km.data)
    return _declare_and_recompute(
        event,
        claim,
        lambda: declarations.check_distance(claim.registration, km, _by()),
        "claim.distance_checked",
        {"round_trip_km": km},
    )


@bp.post("/events/<int:event_id>/compensation/claims/<int:claim_id>/transport")
def claim_transport(event_id: int, claim_id: int):
    event = organiser_event(event_id)
    claim = _claim(event, claim_id)
    form = TransportReceiptForm()
    if claim.frozen:
        flash(_("Cette indemnité est validée : elle ne change plus."), "error")
        return _to_claim(event, claim)
    if not form.validate_on_submit():
        return _claim_page(event, claim, transport_form=form)
    amount = positive_number(form.amount.data)
    return _declare_and_recompute(
        event,
        claim,
        lambda: declarations.set_public_transport_receipt(claim.registration, amount, _by()),
        "claim.transport_receipt",
        {"amount": amount},
    )


def _declare_and_recompute(event, claim: Claim, declare, action: str, details: dict):
    """A value of the declaration entered by the organiser, then the claim computed again."""
    try:
        declare()
        recomputed = claim_service.compute_for(claim.registration, by=_by())
    except CompensationError as error:
        db.session.rollback()
        flash(_say(error), "error")
        return _to_claim(event, claim)
    audit.record(
        action,
        actor=actor(),
        event=event,
        registration=claim.registration,
        details={"claim": claim.id, **details},
    )
    db.session.commit()
    flash(_recomputed_message(claim, recomputed), "success")
    return _to_claim(event, claim)


def _recomputed_message(claim: Claim, recomputed: Claim | None) -> str:
    if recomputed is not None and recomputed.corrected:
        return _(
            "Enregistré. Cette indemnité a des lignes corrigées à la main : elle n'a pas été "
            "recalculée (recalculez-la en repartant du calcul si nécessaire)."
        )
    return _("Enregistré, indemnité recalculée.")


@bp.post("/events/<int:event_id>/compensation/claims/<int:claim_id>/recompute")
def recompute_claim(event_id: int, claim_id: int):
    event = organiser_event(event_id)
    claim = _claim(event, claim_id)
    form = ComputeForm()
    if form.validate_on_submit():
        registration = claim.registration
        try:
            result = claim_service.compute_for(
                registration, by=_by(), reset_corrections=bool(form.reset_corrections.data)
            )
        except CompensationError as error:
            db.session.rollback()
            flash(_say(error), "error")
            return _to_claim(event, claim)
        audit.record(
            "compensation.computed",
            actor=actor(),
            event=event,
            registration=registration,
            details={"claim": claim_id},
        )
        db.session.commit()
        if result is None:
            flash(_("Plus de présence ou de déclaration : l'indemnité est supprimée."), "info")
            return _to_claims(event)
        flash(_recomputed_message(claim, result), "success")
    return _to_claim(event, claim)


@bp.post("/events/<int:event_id>/compensation/claims/<int:claim_id>/validate")
def validate_claim(event_id: int, claim_id: int):
    event = organiser_event(event_id)
    claim = _claim(event, claim_id)
    form = ValidateForm()
    if not form.validate_on_submit():
        return _to_claim(event, claim)
    accept = bool(form.accept_checks.data)
    try:
        claim_service.validate(claim, by=_by(), accept_checks=accept, actor=actor())
    except CompensationError as error:
        db.session.rollback()
        flash(_say(error), "error")
        return _to_claim(event, claim)
    db.session.commit()
    flash(_("Indemnité validée : elle ne change plus."), "success")
    return _to_claim(event, claim)


@bp.get("/events/<int:event_id>/compensation/claims/<int:claim_id>/history")
def claim_history(event_id: int, claim_id: int):
    """The person's claims of the year on the events this organiser organises; of the other
    organisers' events, only the yearly car km that the mileage band counts."""
    event = organiser_event(event_id)
    claim = _claim(event, claim_id)
    year = arg_int("year", minimum=YEAR_MIN, maximum=YEAR_MAX)
    year = year or (claim.first_day or date.today()).year
    history = claim_service.yearly_history(claim.person_key, year, event_ids=_own_event_ids())
    return render(
        "compensation/history.html",
        event=event,
        claim=claim,
        history=history,
        year=year,
    )


# --- Batches -------------------------------------------------------------------------------------


def _own_event_ids() -> set[int]:
    return {event.id for event in event_queries.events_for(current_user)}


def _own_batch(batch_id: int):
    batch = batch_service.batch_within(batch_id, _own_event_ids())
    if batch is None:
        abort(404)
    return batch


@bp.route("/compensation/batches", methods=["GET", "POST"])
def batches():
    own = _own_event_ids()
    form = BatchForm()
    if form.validate_on_submit():
        try:
            batch = batch_service.create_batch(
                form.name.data,
                parse_day(form.start.data),
                parse_day(form.end.data),
                by=_by(),
                event_ids=own,
                actor=actor(),
            )
        except CompensationError as error:
            db.session.rollback()
            form.name.errors.append(_say(error))
        else:
            db.session.commit()
            flash(_("Lot créé."), "success")
            return redirect(url_for(".batch", batch_id=batch.id), code=303)
    return render(
        "compensation/batches.html",
        form=form,
        batches=batch_service.batches(own),
        waiting=batch_service.unbatched(event_ids=own),
    )


@bp.get("/compensation/batches/<int:batch_id>")
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


@bp.get("/compensation/batches/<int:batch_id>/export.<any(xlsx, csv):kind>")
def batch_export(batch_id: int, kind: str):
    batch = _own_batch(batch_id)
    try:
        exported = batch_service.export(batch)
    except CompensationError as error:
        flash(_say(error), "error")
        return redirect(url_for(".batch", batch_id=batch.id), code=303)
    content = exported.xlsx() if kind == "xlsx" else exported.csv()
    return download(
        content,
        mimetype=XLSX_TYPE if kind == "xlsx" else "text/csv",
        filename=f"lot-{batch.id}.{kind}",
    )


@bp.post("/compensation/batches/<int:batch_id>/paid")
def batch_paid(batch_id: int):
    batch = _own_batch(batch_id)
    form = PaidForm()
    if form.validate_on_submit():
        day = parse_day(form.paid_on.data)
        try:
            batch_service.mark_paid(batch, day, by=_by(), actor=actor())
        except CompensationError as error:
            db.session.rollback()
            flash(_say(error), "error")
        else:
            db.session.commit()
            flash(_("Paiement enregistré."), "success")
            return redirect(url_for(".batch", batch_id=batch.id), code=303)
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(str(error), "error")
    return redirect(url_for(".batch", batch_id=batch.id), code=303)
