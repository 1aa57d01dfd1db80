"""Dashboard pages of the claims of an event: compute, review, correct, validate.

Thin views over the claims and declarations services: every rule lives there. Claims are looked
up *within* an event the organiser organises (404 otherwise).
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..common.query_args import YEAR_MAX, YEAR_MIN, arg_int
from ..events.lookups import organiser_event
from ..events.models import Event
from ..extensions import db
from ..web import actor, render, writes
from . import claim_history as yearly
from . import claim_operations, claim_review, declarations, rules_states
from . import claims as claim_service
from .forms import TRANSPORT_LABELS
from .models import Claim, ClaimLine, ClaimStatus
from .organiser_common import by, own_event_ids, pages, say
from .organiser_forms import (
    ChildcareAsideForm,
    ComputeForm,
    CorrectLineForm,
    DistanceCheckForm,
    ReceiptsForm,
    TransportReceiptForm,
    ValidateForm,
    positive_number,
)


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


@pages.route("/events/<int:event_id>/compensation")
def claims(event_id: int):
    event = organiser_event(event_id)
    rows = [
        {
            "claim": claim,
            "state": state,
            "blocking": claim_review.blocking_problems(claim),
            "checks": claim_review.review_checks(claim, state),
        }
        for claim in claim_service.claims_of(event)
        for state in [claim_review.state_of(claim)]
    ]
    totals = {
        status: sum((row["claim"].total for row in rows if row["claim"].status == status), 0)
        for status in ClaimStatus
    }
    to_complete = sum(1 for row in rows if row["state"].to_complete)
    only_to_complete = request.args.get("state") == "to_complete"
    return render(
        "compensation/claims.html",
        event=event,
        rows=[row for row in rows if row["state"].to_complete] if only_to_complete else rows,
        only_to_complete=only_to_complete,
        to_complete=to_complete,
        compute_opens=claim_service.compute_opens(event),
        validation_opens=claim_service.validation_opens(event),
        totals=totals,
        grand_total=sum((row["claim"].total for row in rows), 0),
        compute_form=ComputeForm(),
        validate_form=ValidateForm(),
        report=None,
    )


@pages.route("/events/<int:event_id>/compensation/compute", methods=["POST"])
def compute_claims(event_id: int):
    event = organiser_event(event_id)
    form = ComputeForm()
    if not form.validate_on_submit():
        return _to_claims(event)
    with writes(flash_error=False) as write:
        report = claim_service.compute_event(
            event, by=by(), reset_corrections=bool(form.reset_corrections.data), actor=actor()
        )
    if write.failed:
        flash(say(write.error), "error")
        return _to_claims(event)
    return render(
        "compensation/compute_report.html", event=event, report=report, form=ComputeForm()
    )


@pages.route("/events/<int:event_id>/compensation/validate", methods=["POST"])
def validate_claims(event_id: int):
    """Validate every draft of the event that can be; say why the others cannot."""
    event = organiser_event(event_id)
    form = ValidateForm()
    if not form.validate_on_submit():
        return _to_claims(event)
    drafts = [c for c in claim_service.claims_of(event) if not c.frozen]
    with writes(flash_error=False) as write:
        report = claim_operations.validate_many(
            drafts, by=by(), accept_checks=bool(form.accept_checks.data), actor=actor()
        )
    if write.failed:
        flash(say(write.error), "error")
        return _to_claims(event)
    if report.validated:
        flash(
            ngettext(
                "%(num)d indemnité validée.", "%(num)d indemnités validées.", len(report.validated)
            ),
            "success",
        )
    if report.to_complete:
        flash(
            ngettext(
                "%(num)d indemnité à compléter laissée de côté : un coût déclaré n'a pas encore "
                "de montant.",
                "%(num)d indemnités à compléter laissées de côté : un coût déclaré n'a pas "
                "encore de montant.",
                len(report.to_complete),
            ),
            "warning",
        )
    for skipped in report.to_complete:
        flash(say(skipped), "warning")
    for refused in report.refused:
        flash(say(refused), "error")
    if not report.validated and not report.refused and not report.to_complete:
        flash(_("Aucune indemnité à valider."), "info")
    return _to_claims(event)


@pages.route("/events/<int:event_id>/compensation/claims/<int:claim_id>")
def claim(event_id: int, claim_id: int):
    event = organiser_event(event_id)
    claim = _claim(event, claim_id)
    return _claim_page(event, claim)


def _claim_page(event: Event, claim: Claim, status: int = 200, **forms):
    declaration = declarations.declaration_of(claim.registration)
    distance_form = forms.get("distance_form") or DistanceCheckForm()
    transport_form = forms.get("transport_form") or TransportReceiptForm()
    childcare_form = forms.get("childcare_form") or ChildcareAsideForm()
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
        state=(state := claim_review.state_of(claim)),
        validation_opens=claim_service.validation_opens(event),
        blocking=claim_review.blocking_problems(claim),
        checks=claim_review.review_checks(claim, state),
        needs_receipts=claim_review.needs_receipts(claim),
        documents=claim_review.required_documents(claim),
        describe=claim_review.description,
        transport_labels=TRANSPORT_LABELS,
        receipts_form=ReceiptsForm(),
        distance_form=distance_form,
        transport_form=transport_form,
        childcare_form=childcare_form,
        childcare_undecided=rules_states.childcare_undecided(state),
        validate_form=forms.get("validate_form") or ValidateForm(),
        compute_form=ComputeForm(),
    )


@pages.route(
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
        with writes(flash_error=False) as write:
            claim_operations.correct_line(
                line,
                reason=form.reason.data,
                by=by(),
                quantity=positive_number(form.quantity.data),
                rate=positive_number(form.rate.data),
                actor=actor(),
            )
        if write.failed:
            form.reason.errors.append(say(write.error))
        else:
            flash(_("Ligne corrigée."), "success")
            return _to_claim(event, claim, "lines")
    return render(
        "compensation/correct_line.html",
        event=event,
        claim=claim,
        line=line,
        form=form,
        describe=claim_review.description,
    )


@pages.route("/events/<int:event_id>/compensation/claims/<int:claim_id>/receipts", methods=["POST"])
def claim_receipts(event_id: int, claim_id: int):
    event = organiser_event(event_id)
    claim = _claim(event, claim_id)
    form = ReceiptsForm()
    if form.validate_on_submit():
        received = form.received.data != "0"
        with writes(flash_error=False) as write:
            claim_operations.mark_receipts_received(
                claim, by=by(), received=received, actor=actor()
            )
        if write.failed:
            flash(say(write.error), "error")
        else:
            flash(
                _("Justificatifs marqués reçus.")
                if received
                else _("Justificatifs marqués non reçus."),
                "success",
            )
    return _to_claim(event, claim)


CLAIM = "/events/<int:event_id>/compensation/claims/<int:claim_id>"


@pages.route(f"{CLAIM}/distance", methods=["POST"])
def claim_distance(event_id: int, claim_id: int):
    return _entered(event_id, claim_id, DistanceCheckForm, "distance_form", _check_distance)


@pages.route(f"{CLAIM}/transport", methods=["POST"])
def claim_transport(event_id: int, claim_id: int):
    return _entered(event_id, claim_id, TransportReceiptForm, "transport_form", _set_tickets)


@pages.route(f"{CLAIM}/childcare", methods=["POST"])
def claim_childcare_aside(event_id: int, claim_id: int):
    """« Retirer la garde de cette demande » : childcare the event's scale does not pay, set
    aside with a reason (the claim leaves « à compléter »)."""
    return _entered(event_id, claim_id, ChildcareAsideForm, "childcare_form", _set_aside)


def _check_distance(claim: Claim, form: DistanceCheckForm) -> Claim | None:
    km = positive_number(form.round_trip_km.data)
    return claim_operations.check_distance(claim, km, by=by(), actor=actor())


def _set_tickets(claim: Claim, form: TransportReceiptForm) -> Claim | None:
    amount = positive_number(form.amount.data)
    return claim_operations.set_public_transport_receipt(claim, amount, by=by(), actor=actor())


def _set_aside(claim: Claim, form: ChildcareAsideForm) -> Claim | None:
    return claim_operations.set_childcare_aside(claim, form.reason.data, by=by(), actor=actor())


def _entered(event_id: int, claim_id: int, form_class, form_name: str, enter):
    """A value of a draft claim's declaration entered by the organiser through ``form_class``
    (shown again as ``form_name`` with its messages when refused): ``enter(claim, form)``
    records it and computes the claim again."""
    event = organiser_event(event_id)
    claim = _claim(event, claim_id)
    form = form_class()
    if claim.frozen:
        flash(_("Cette indemnité est validée : elle ne change plus."), "error")
        return _to_claim(event, claim)
    if not form.validate_on_submit():
        return _claim_page(event, claim, **{form_name: form})
    with writes(flash_error=False) as write:
        recomputed = enter(claim, form)
    return _recomputed(event, claim, write, recomputed)


def _recomputed(event: Event, claim: Claim, write: writes, recomputed: Claim | None):
    """After a value of the declaration entered by the organiser and the claim computed again."""
    if write.failed:
        flash(say(write.error), "error")
    else:
        flash(_recomputed_message(claim, recomputed), "success")
    return _to_claim(event, claim)


def _recomputed_message(claim: Claim, recomputed: Claim | None) -> str:
    if recomputed is not None and recomputed.corrected:
        return _(
            "Enregistré. Cette indemnité a des lignes corrigées à la main : elle n'a pas été "
            "recalculée (recalculez-la en repartant du calcul si nécessaire)."
        )
    return _("Enregistré, indemnité recalculée.")


@pages.route(
    "/events/<int:event_id>/compensation/claims/<int:claim_id>/recompute", methods=["POST"]
)
def recompute_claim(event_id: int, claim_id: int):
    event = organiser_event(event_id)
    claim = _claim(event, claim_id)
    form = ComputeForm()
    if form.validate_on_submit():
        with writes(flash_error=False) as write:
            result = claim_operations.recompute(
                claim, by=by(), reset_corrections=bool(form.reset_corrections.data), actor=actor()
            )
        if write.failed:
            flash(say(write.error), "error")
            return _to_claim(event, claim)
        if result is None:
            flash(_("Plus de présence ou de déclaration : l'indemnité est supprimée."), "info")
            return _to_claims(event)
        flash(_recomputed_message(claim, result), "success")
    return _to_claim(event, claim)


@pages.route("/events/<int:event_id>/compensation/claims/<int:claim_id>/validate", methods=["POST"])
def validate_claim(event_id: int, claim_id: int):
    event = organiser_event(event_id)
    claim = _claim(event, claim_id)
    form = ValidateForm()
    if not form.validate_on_submit():
        return _to_claim(event, claim)
    accept = bool(form.accept_checks.data)
    with writes(flash_error=False) as write:
        claim_operations.validate(claim, by=by(), accept_checks=accept, actor=actor())
    if write.failed:
        flash(say(write.error), "error")
        return _to_claim(event, claim)
    flash(_("Indemnité validée : elle ne change plus."), "success")
    return _to_claim(event, claim)


@pages.route("/events/<int:event_id>/compensation/claims/<int:claim_id>/history")
def claim_history(event_id: int, claim_id: int):
    """The person's claims of the year on the events this organiser organises; of the other
    organisers' events, only the yearly car km that the mileage band counts."""
    event = organiser_event(event_id)
    claim = _claim(event, claim_id)
    year = arg_int("year", minimum=YEAR_MIN, maximum=YEAR_MAX)
    year = year or (claim.first_day or date.today()).year
    history = yearly.yearly_history(claim.person_key, year, event_ids=own_event_ids())
    return render(
        "compensation/history.html",
        event=event,
        claim=claim,
        history=history,
        year=year,
    )
