"""The organiser's compensation commands, for use without the dashboard.

``compensation event`` (settings), ``compensation distances import|list|lookup``, ``compensation
claims compute|list|show|correct|receipts|validate|history``, ``compensation batch
create|list|export|paid``. Commands that write show what they will do and ask for confirmation,
unless given ``--yes``. Each takes the SQLite write lock before reading (``begin_write``).
"""

from __future__ import annotations

import getpass
from datetime import date
from pathlib import Path

import click
from flask_babel import gettext as _
from sqlalchemy import select

from ..audit import service as audit
from ..common import csv_reading
from ..common.wording import amount_text, date_text, number_text, rate_text
from ..database import begin_write
from ..events.models import Event
from ..extensions import db
from . import batches, catalogue, claims, distances
from .cli import CompensationCliError, DecimalParam, _locale, _text, compensation_cli
from .distance_table import DistancierError
from .models import ClaimLine
from .rules import CompensationError

YES = click.option("--yes", is_flag=True, help="Do it without asking for confirmation.")
DATE = click.DateTime(formats=["%Y-%m-%d"])


def _by() -> str:
    """Who did it, as recorded on claims: the command-line user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _event(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise CompensationCliError(_("Aucun événement ne porte l'adresse « %(slug)s ».", slug=slug))
    return event


def _confirm(yes: bool, question: str) -> None:
    if not yes and not click.confirm(question, default=False):
        db.session.rollback()
        raise click.Abort()


def _amount(value) -> str:
    return amount_text(value, _locale())


# --- Event settings ------------------------------------------------------------------------------


@compensation_cli.command("event")
@click.argument("slug")
@click.option("--offer/--no-offer", default=None, help="Offer compensation at this event or not.")
@click.option("--scale", "scale", help="Scale family (fp, cd88...): see `compensation scales`.")
@click.option("--lunch-provided/--no-lunch-provided", default=None, help="Is lunch provided?")
def event_command(slug, offer, scale, lunch_provided) -> None:
    """Show or change an event's compensation settings."""
    begin_write(db.session)
    event = _event(slug)
    if scale is not None:
        scales = catalogue.available_scales()
        family = next((s.family for s in scales if s.id == scale), scale)
        if family not in catalogue.families():
            db.session.rollback()
            known = ", ".join(catalogue.families())
            raise CompensationCliError(
                _(
                    "Barème inconnu : « %(scale)s ». Barèmes disponibles : %(known)s.",
                    scale=scale,
                    known=known,
                )
            )
        event.compensation_scale = family
    if offer is not None:
        event.compensation_offered = offer
    if lunch_provided is not None:
        event.lunch_provided = lunch_provided
    if event.compensation_offered and not event.compensation_scale:
        db.session.rollback()
        raise CompensationCliError(_("Choisissez aussi le barème, par exemple --scale fp."))
    db.session.commit()
    click.echo(
        _(
            "%(slug)s : indemnisation %(offered)s, barème %(scale)s, déjeuner %(lunch)s.",
            slug=event.slug,
            offered=_("proposée") if event.compensation_offered else _("non proposée"),
            scale=event.compensation_scale or "—",
            lunch=_("fourni") if event.lunch_provided else _("non fourni"),
        )
    )


# --- Distance table ------------------------------------------------------------------------------


@compensation_cli.group("distances")
def distances_group() -> None:
    """The organisation's distance table (distancier)."""


@distances_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@YES
def distances_import(file: Path, yes: bool) -> None:
    """Replace the distance table by a CSV file: origin; destination; one-way km."""
    begin_write(db.session)
    try:
        preview = distances.preview_import(csv_reading.read_file(file, csv_reading.DISTANCES))
    except DistancierError as error:
        db.session.rollback()
        raise CompensationCliError(_text(error.message)) from None
    locale = _locale()
    click.echo(
        _(
            "%(file)s : %(count)d trajets (la table actuelle en a %(current)d).",
            file=file.name,
            count=preview.count,
            current=preview.replaces,
        )
    )
    for pair in preview.sample:
        click.echo(
            "  "
            + _(
                "ligne %(line)s : %(origin)s → %(destination)s : %(km)s km (aller-retour "
                "%(round_trip)s km)",
                line=pair.line,
                origin=pair.origin,
                destination=pair.destination,
                km=number_text(pair.one_way_km, locale),
                round_trip=number_text(pair.round_trip_km, locale),
            )
        )
    if preview.count > len(preview.sample):
        click.echo("  …")
    for venue in preview.venues_missing:
        click.echo(
            _(
                "Attention : « %(venue)s », lieu d'un événement indemnisé, n'apparaît pas dans ce "
                "fichier ; ses participants devront saisir leur distance.",
                venue=venue,
            )
        )
    _confirm(yes, _("Remplacer la table des distances par ce fichier ?"))
    distances.replace_table(preview.table, actor_label=audit.COMMAND_LINE)
    db.session.commit()
    click.echo(_("Table des distances remplacée : %(count)d trajets.", count=preview.count))


@distances_group.command("list")
@click.option("--commune", help="Only the pairs that touch this commune.")
def distances_list(commune: str | None) -> None:
    """List the stored pairs (one-way km)."""
    pairs = distances.pairs(commune)
    locale = _locale()
    for pair in pairs:
        click.echo(
            f"{pair.origin} → {pair.destination} : {number_text(pair.one_way_km, locale)} km"
        )
    click.echo(_("%(count)d trajets.", count=len(pairs)))


@distances_group.command("lookup")
@click.argument("origin")
@click.argument("destination")
def distances_lookup(origin: str, destination: str) -> None:
    """The round trip between a commune (or an address) and a venue's commune."""
    km = distances.round_trip(origin, destination)
    if km is None:
        raise CompensationCliError(
            _(
                "Pas de distance entre « %(origin)s » et « %(destination)s » dans la table.",
                origin=origin,
                destination=destination,
            )
        )
    click.echo(_("Aller-retour : %(km)s km", km=number_text(km, _locale())))


# --- Claims --------------------------------------------------------------------------------------


@compensation_cli.group("claims")
def claims_group() -> None:
    """Claims of participants: compute, review, correct, validate."""


@claims_group.command("compute")
@click.argument("slug")
@click.option("--reset-corrections", is_flag=True, help="Also recompute drafts corrected by hand.")
@YES
def claims_compute(slug: str, reset_corrections: bool, yes: bool) -> None:
    """Compute (or recompute) the draft claims of an event from check-ins and declarations."""
    begin_write(db.session)
    event = _event(slug)
    try:
        report = claims.compute_event(
            event, by=_by(), reset_corrections=reset_corrections, actor_label=audit.COMMAND_LINE
        )
    except CompensationError as error:
        db.session.rollback()
        raise CompensationCliError(_text(error.message)) from None
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
    _confirm(yes, _("Enregistrer ces indemnités ?"))
    db.session.commit()
    click.echo(_("%(count)d indemnité(s) calculée(s).", count=len(report.computed)))


def _claim_summary(claim) -> str:
    flags = []
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
        total=_amount(claim.total),
        km=number_text(claim.car_km, _locale()),
        status=status,
    )
    return text + (f" ({', '.join(flags)})" if flags else "")


@claims_group.command("list")
@click.argument("slug")
def claims_list(slug: str) -> None:
    """The claims of an event, with their status and what needs checking."""
    event = _event(slug)
    found = claims.claims_of(event)
    for claim in found:
        click.echo(_claim_summary(claim))
        for check in claims.pending_checks(claim):
            click.echo("    - " + _text(check))
    total = sum((claim.total for claim in found), start=claims.ZERO)
    click.echo(
        _("%(count)d indemnité(s), total %(total)s.", count=len(found), total=_amount(total))
    )


@claims_group.command("show")
@click.argument("claim_id", type=int)
def claims_show(claim_id: int) -> None:
    """One claim line by line (line ids are what `claims correct` takes)."""
    claim = _claim(claim_id)
    locale = _locale()
    click.echo(_claim_summary(claim))
    click.echo(_("Barème : %(scale)s", scale=claim.scale_id))
    click.echo(
        _("Déjà remboursés cette année avant : %(km)s km", km=number_text(claim.km_before, locale))
    )
    for line in claim.lines:
        text = _(
            "  ligne %(id)s, %(day)s : %(description)s : %(quantity)s × %(rate)s = %(amount)s",
            id=line.id,
            day=date_text(line.day, locale) if line.day else "—",
            description=_text(claims.description(line)),
            quantity=number_text(line.quantity, locale),
            rate=rate_text(line.rate, locale),
            amount=_amount(line.amount),
        )
        if line.corrected:
            text += " " + _("(corrigée : %(reason)s)", reason=line.correction_reason)
        click.echo(text)
    for check in claims.pending_checks(claim):
        click.echo("  - " + _text(check))
    for document in claims.required_documents(claim):
        click.echo("  " + _("Pièce à réunir : %(document)s", document=_text(document)))


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
        claims.correct_line(
            line,
            quantity=quantity,
            rate=rate,
            reason=reason,
            by=_by(),
            actor_label=audit.COMMAND_LINE,
        )
    except CompensationError as error:
        db.session.rollback()
        raise CompensationCliError(_text(error.message)) from None
    click.echo(_claim_summary(line.claim))
    _confirm(yes, _("Enregistrer la correction ?"))
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
        claims.mark_receipts_received(
            claim, by=_by(), received=not not_received, actor_label=audit.COMMAND_LINE
        )
    except CompensationError as error:
        db.session.rollback()
        raise CompensationCliError(_text(error.message)) from None
    _confirm(yes, _("Enregistrer ?"))
    db.session.commit()
    click.echo(_claim_summary(claim))


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
    event = _event(slug)
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
    report = claims.validate_many(
        found, by=_by(), accept_checks=accept_checks, actor_label=audit.COMMAND_LINE
    )
    for claim in report.validated:
        click.echo(_("À valider : %(summary)s", summary=_claim_summary(claim)))
    for claim in report.already:
        click.echo(_("Déjà validée : %(name)s.", name=claim.payee_name))
    for refused in report.refused:
        click.echo(_("Pas validée : %(name)s.", name=refused.claim.payee_name))
        for check in refused.checks:
            click.echo("    - " + _text(check))
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
    _confirm(yes, _("Valider ces %(count)d indemnité(s) ?", count=len(report.validated)))
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
    history = claims.yearly_history(email.strip().casefold(), year)
    locale = _locale()
    for entry in history.entries:
        click.echo(
            f"{entry.day} {entry.event_title} : {number_text(entry.car_km, locale)} km, "
            f"{_amount(entry.total)} ({entry.status})"
        )
    click.echo(
        _(
            "%(year)s : %(km)s km remboursés (validés), %(pending)s km en attente ; validé "
            "%(validated)s, payé %(paid)s.",
            year=year,
            km=number_text(history.km_reimbursed, locale),
            pending=number_text(history.km_pending, locale),
            validated=_amount(history.total_validated),
            paid=_amount(history.total_paid),
        )
    )


# --- Batches -------------------------------------------------------------------------------------


@compensation_cli.group("batch")
def batch_group() -> None:
    """Batches of validated claims for finance."""


@batch_group.command("create")
@click.argument("name")
@click.option("--from", "start", required=True, type=DATE, help="First day, YYYY-MM-DD.")
@click.option("--to", "end", required=True, type=DATE, help="Last day, YYYY-MM-DD.")
@YES
def batch_create(name: str, start, end, yes: bool) -> None:
    """Group the validated claims of a period (by first day attended) into a batch."""
    begin_write(db.session)
    try:
        batch = batches.create_batch(
            name, start.date(), end.date(), by=_by(), actor_label=audit.COMMAND_LINE
        )
    except CompensationError as error:
        db.session.rollback()
        raise CompensationCliError(_text(error.message)) from None
    total = sum((claim.total for claim in batch.claims), start=claims.ZERO)
    click.echo(
        _(
            "Lot « %(name)s » : %(count)d indemnité(s), %(total)s.",
            name=batch.name,
            count=len(batch.claims),
            total=_amount(total),
        )
    )
    left = batches.unbatched()
    if left:
        click.echo(
            _(
                "%(count)d autre(s) indemnité(s) validée(s), hors de cette période, restent "
                "hors lot.",
                count=len(left),
            )
        )
    _confirm(yes, _("Créer ce lot ?"))
    db.session.commit()
    click.echo(_("Lot n° %(id)s créé.", id=batch.id))


@batch_group.command("list")
def batch_list() -> None:
    """Batches, with their totals and payment date."""
    for batch in batches.batches():
        total = sum((claim.total for claim in batch.claims), start=claims.ZERO)
        paid = (
            _("payé le %(day)s", day=date_text(batch.paid_on, _locale()))
            if batch.paid_on
            else _("non payé")
        )
        click.echo(
            f"{batch.id} {batch.name} ({batch.period_start} – {batch.period_end}) : "
            f"{len(batch.claims)}, {_amount(total)}, {paid}"
        )


def _batch(batch_id: int):
    batch = batches.get_batch(batch_id)
    if batch is None:
        raise CompensationCliError(_("Aucun lot n° %(id)s.", id=batch_id))
    return batch


@batch_group.command("export")
@click.argument("batch_id", type=int)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="FILE.xlsx or FILE.csv",
)
def batch_export(batch_id: int, output: Path) -> None:
    """Write a batch for finance: XLSX (four sheets) or CSV (one table with a Type column)."""
    suffix = output.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise click.BadParameter(_("Le fichier doit finir par .xlsx ou .csv."), param_hint="-o")
    try:
        export = batches.export(_batch(batch_id))
    except CompensationError as error:
        raise CompensationCliError(_text(error.message)) from None
    output.write_bytes(export.xlsx() if suffix == ".xlsx" else export.csv())
    click.echo(
        _(
            "%(file)s : %(people)d personne(s), %(lines)d ligne(s), total %(total)s.",
            file=str(output),
            people=len(export.people),
            lines=len(export.lines),
            total=_amount(export.grand_total),
        )
    )


@batch_group.command("paid")
@click.argument("batch_id", type=int)
@click.option("--on", "on", required=True, type=DATE, help="Payment date, YYYY-MM-DD.")
@YES
def batch_paid(batch_id: int, on, yes: bool) -> None:
    """Record that finance paid a batch, on that date."""
    begin_write(db.session)
    batch = _batch(batch_id)
    try:
        batches.mark_paid(batch, on.date(), by=_by(), actor_label=audit.COMMAND_LINE)
    except CompensationError as error:
        db.session.rollback()
        raise CompensationCliError(_text(error.message)) from None
    _confirm(
        yes,
        _(
            "Marquer le lot « %(name)s » payé le %(day)s ?",
            name=batch.name,
            day=date_text(on.date(), _locale()),
        ),
    )
    db.session.commit()
    click.echo(
        _("Lot n° %(id)s payé le %(day)s.", id=batch.id, day=date_text(on.date(), _locale()))
    )
