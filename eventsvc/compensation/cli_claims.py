"""``compensation claims compute|list|show|correct|receipts|distance|transport|validate|
history``: the claims of participants, through the same operations as the dashboard. Commands
that write show what they will do and ask for confirmation, unless given ``--yes``."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from ..audit import service as audit
from ..common.wording import date_text, number_text, rate_text
from ..database import begin_write
from ..extensions import db
from . import claim_history, claim_operations, claim_review, claims
from . import cli_common as common
from .cli_common import YES, CompensationCliError, DecimalParam
from .models import ClaimLine
from .rules import CompensationError

claims_group = AppGroup(
    "claims", help="Claims of participants: compute, review, correct, validate."
)


@claims_group.command("compute")
@click.argument("slug")
@click.option("--reset-corrections", is_flag=True, help="Also recompute drafts corrected by hand.")
@YES
def claims_compute(slug: str, reset_corrections: bool, yes: bool) -> None:
    """Compute (or recompute) the draft claims of an event from check-ins and declarations."""
    begin_write(db.session)
    event = common.event(slug)
    try:
        report = claims.compute_event(
            event,
            by=common.by(),
            reset_corrections=reset_corrections,
            actor_label=audit.COMMAND_LINE,
        )
    except CompensationError as error:
        db.session.rollback()
        raise CompensationCliError(common.text(error.message)) from None
    for claim in report.computed:
        click.echo(_claim_summary(claim))
    for claim in report.kept_corrected:
        click.echo(
            _(
                "Gardée telle quelle (corrigée à la main) : %(name)s. --reset-corrections pour "
                "la recalculer.",
                name=claim.payee_name,
            )
        )
    for claim in report.frozen:
        click.echo(_("Déjà validée, inchangée : %(name)s.", name=claim.payee_name))
    for name in report.removed:
        click.echo(_("Supprimée (plus de présence ou de déclaration) : %(name)s.", name=name))
    for registration in report.undeclared:
        click.echo(
            _(
                "Présent·e sans déclaration de frais, pas d'indemnité : %(name)s.",
                name=registration.display_name,
            )
        )
    common.confirm(yes, _("Enregistrer ces indemnités ?"))
    db.session.commit()
    click.echo(_("%(count)d indemnité(s) calculée(s).", count=len(report.computed)))


def _claim_summary(claim, state=None) -> str:
    flags = []
    if state is not None and state.to_complete:
        flags.append(_("à compléter"))
    if claim.error:
        flags.append(_("refusée par le barème"))
    if claim.checks:
        flags.append(_("à vérifier"))
    if claim.corrected:
        flags.append(_("corrigée"))
    status = {
        "draft": _("brouillon"),
        "validated": _("validée"),
        "paid": _("payée"),
    }[claim.status]
    text = _(
        "n° %(id)s %(name)s : %(total)s, %(km)s km en voiture, %(status)s",
        id=claim.id,
        name=claim.payee_name,
        total=common.amount(claim.total),
        km=number_text(claim.car_km, common.locale()),
        status=status,
    )
    return text + (f" ({', '.join(flags)})" if flags else "")


@claims_group.command("list")
@click.argument("slug")
def claims_list(slug: str) -> None:
    """The claims of an event, with their status and what needs checking."""
    event = common.event(slug)
    found = claims.claims_of(event)
    to_complete = 0
    for claim in found:
        state = claim_review.state_of(claim)
        to_complete += state.to_complete
        click.echo(_claim_summary(claim, state))
        for check in [*state.reasons, *claim_review.pending_checks(claim, state)]:
            click.echo("    - " + common.text(check))
    total = sum((claim.total for claim in found), start=claims.ZERO)
    click.echo(
        _("%(count)d indemnité(s), total %(total)s.", count=len(found), total=common.amount(total))
    )
    if to_complete:
        click.echo(_("%(count)d indemnité(s) à compléter.", count=to_complete))


@claims_group.command("show")
@click.argument("claim_id", type=int)
def claims_show(claim_id: int) -> None:
    """One claim line by line (line ids are what `claims correct` takes)."""
    claim = _claim(claim_id)
    locale = common.locale()
    state = claim_review.state_of(claim)
    click.echo(_claim_summary(claim, state))
    click.echo(_("Barème : %(scale)s", scale=claim.scale_id))
    click.echo(
        _("Déjà remboursés cette année avant : %(km)s km", km=number_text(claim.km_before, locale))
    )
    for line in claim.lines:
        text = _(
            "  ligne %(id)s, %(day)s : %(description)s : %(quantity)s × %(rate)s = %(amount)s",
            id=line.id,
            day=date_text(line.day, locale) if line.day else "—",
            description=common.text(claim_review.description(line)),
            quantity=number_text(line.quantity, locale),
            rate=rate_text(line.rate, locale),
            amount=common.amount(line.amount),
        )
        if line.corrected:
            text += " " + _("(corrigée : %(reason)s)", reason=line.correction_reason)
        click.echo(text)
    for check in [*state.reasons, *claim_review.pending_checks(claim, state)]:
        click.echo("  - " + common.text(check))
    for document in claim_review.required_documents(claim):
        click.echo("  " + _("Pièce à réunir : %(document)s", document=common.text(document)))


def _claim(claim_id: int):
    claim = claims.get_claim(claim_id)
    if claim is None:
        raise CompensationCliError(_("Aucune indemnité n° %(id)s.", id=claim_id))
    return claim


@claims_group.command("correct")
@click.argument("line_id", type=int)
@click.option("--quantity", type=DecimalParam(), help="Corrected quantity (km, hours...).")
@click.option("--rate", type=DecimalParam(), help="Corrected rate, in €.")
@click.option("--reason", required=True, help="Why: kept with the line.")
@YES
def claims_correct(line_id: int, quantity, rate, reason: str, yes: bool) -> None:
    """Correct one line of a draft claim, with the reason."""
    begin_write(db.session)
    line = db.session.get(ClaimLine, line_id)
    if line is None:
        raise CompensationCliError(_("Aucune ligne n° %(id)s.", id=line_id))
    try:
        claim_operations.correct_line(
            line,
            quantity=quantity,
            rate=rate,
            reason=reason,
            by=common.by(),
            actor_label=audit.COMMAND_LINE,
        )
    except CompensationError as error:
        db.session.rollback()
        raise CompensationCliError(common.text(error.message)) from None
    click.echo(_claim_summary(line.claim))
    common.confirm(yes, _("Enregistrer la correction ?"))
    db.session.commit()


@claims_group.command("receipts")
@click.argument("claim_id", type=int)
@click.option("--not-received", is_flag=True, help="Undo: the receipts are not received.")
@YES
def claims_receipts(claim_id: int, not_received: bool, yes: bool) -> None:
    """Mark the receipts of a draft claim as received (checked)."""
    begin_write(db.session)
    claim = _claim(claim_id)
    try:
        claim_operations.mark_receipts_received(
            claim, by=common.by(), received=not not_received, actor_label=audit.COMMAND_LINE
        )
    except CompensationError as error:
        db.session.rollback()
        raise CompensationCliError(common.text(error.message)) from None
    common.confirm(yes, _("Enregistrer ?"))
    db.session.commit()
    click.echo(_claim_summary(claim))


@claims_group.command("distance")
@click.argument("claim_id", type=int)
@click.argument("round_trip_km", type=DecimalParam())
@YES
def claims_distance(claim_id: int, round_trip_km, yes: bool) -> None:
    """Enter the checked round-trip distance of a draft claim (km); it is computed again."""
    _complete(claim_id, yes, claim_operations.check_distance, round_trip_km)


@claims_group.command("transport")
@click.argument("claim_id", type=int)
@click.argument("amount", type=DecimalParam())
@YES
def claims_transport(claim_id: int, amount, yes: bool) -> None:
    """Enter the total of the public transport tickets of a draft claim, in € (0: nothing to
    pay); it is computed again."""
    _complete(claim_id, yes, claim_operations.set_public_transport_receipt, amount)


def _complete(claim_id: int, yes: bool, operation, value) -> None:
    """A price the organiser enters on a claim « à compléter », through the dashboard's
    operation; the claim is computed again."""
    begin_write(db.session)
    claim = _claim(claim_id)
    if claim.frozen:
        db.session.rollback()
        raise CompensationCliError(_("Cette indemnité est validée : elle ne change plus."))
    try:
        recomputed = operation(claim, value, by=common.by(), actor_label=audit.COMMAND_LINE)
    except CompensationError as error:
        db.session.rollback()
        raise CompensationCliError(common.text(error.message)) from None
    if recomputed is not None:
        click.echo(_claim_summary(recomputed, claim_review.state_of(recomputed)))
    common.confirm(yes, _("Enregistrer ?"))
    db.session.commit()


@claims_group.command("validate")
@click.argument("slug")
@click.argument("claim_ids", nargs=-1, type=int)
@click.option("--all", "everything", is_flag=True, help="Every draft claim of the event.")
@click.option(
    "--accept-checks",
    is_flag=True,
    help="Validate claims whose checks (distance, receipts) you have looked at.",
)
@YES
def claims_validate(slug, claim_ids, everything, accept_checks, yes) -> None:
    """Validate claims: frozen from then on, ready for a batch."""
    begin_write(db.session)
    event = common.event(slug)
    if everything == bool(claim_ids):
        db.session.rollback()
        raise click.UsageError(_("Donnez soit --all, soit des numéros d'indemnités."))
    found = claims.claims_of(event)
    if claim_ids:
        by_id = {claim.id: claim for claim in found}
        missing = [str(i) for i in claim_ids if i not in by_id]
        if missing:
            db.session.rollback()
            raise CompensationCliError(
                _("Pas d'indemnité %(ids)s pour cet événement.", ids=", ".join(missing))
            )
        found = [by_id[i] for i in claim_ids]
    try:
        report = claim_operations.validate_many(
            found, by=common.by(), accept_checks=accept_checks, actor_label=audit.COMMAND_LINE
        )
    except CompensationError as error:
        db.session.rollback()
        raise CompensationCliError(common.text(error.message)) from None
    for claim in report.validated:
        click.echo(_("À valider : %(summary)s", summary=_claim_summary(claim)))
    for claim in report.already:
        click.echo(_("Déjà validée : %(name)s.", name=claim.payee_name))
    for skipped in report.to_complete:
        click.echo(_("Pas validée, à compléter : %(name)s.", name=skipped.claim.payee_name))
        for reason in skipped.checks:
            click.echo("    - " + common.text(reason))
    for refused in report.refused:
        click.echo(_("Pas validée : %(name)s.", name=refused.claim.payee_name))
        for check in refused.checks:
            click.echo("    - " + common.text(check))
    if report.refused and not accept_checks:
        click.echo(
            _(
                "Après vérification, relancez avec --accept-checks pour valider les indemnités à "
                "vérifier."
            )
        )
    if not report.validated:
        db.session.rollback()
        click.echo(_("Aucune indemnité validée."))
        return
    common.confirm(yes, _("Valider ces %(count)d indemnité(s) ?", count=len(report.validated)))
    db.session.commit()
    click.echo(_("%(count)d indemnité(s) validée(s).", count=len(report.validated)))


@claims_group.command("history")
@click.argument("email")
@click.option("--year", type=int, default=lambda: date.today().year, help="Calendar year.")
def claims_history(email: str, year: int) -> None:
    """A person's claims in a year, across events: the kilometres the bands count.

    Every event in full: the command is run by an administrator of the machine, who can read the
    database anyway (the dashboard page shows an organiser only their own events).
    """
    history = claim_history.yearly_history(email.strip().casefold(), year)
    locale = common.locale()
    for entry in history.entries:
        click.echo(
            f"{entry.day} {entry.event_title} : {number_text(entry.car_km, locale)} km, "
            f"{common.amount(entry.total)} ({entry.status})"
        )
    click.echo(
        _(
            "%(year)s : %(km)s km remboursés (validés), %(pending)s km en attente ; validé "
            "%(validated)s, payé %(paid)s.",
            year=year,
            km=number_text(history.km_reimbursed, locale),
            pending=number_text(history.km_pending, locale),
            validated=common.amount(history.total_validated),
            paid=common.amount(history.total_paid),
        )
    )
