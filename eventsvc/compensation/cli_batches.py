"""``compensation batch create|list|export|paid``: batches of validated claims for finance."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from ..audit import service as audit
from ..common.wording import date_text
from ..database import begin_write
from ..extensions import db
from . import batches, claims
from . import cli_common as common
from .cli_common import DATE, YES, CompensationCliError
from .rules import CompensationError

batch_group = AppGroup("batch", help="Batches of validated claims for finance.")


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
            name, start.date(), end.date(), by=common.by(), actor_label=audit.COMMAND_LINE
        )
    except CompensationError as error:
        db.session.rollback()
        raise CompensationCliError(common.text(error.message)) from None
    total = sum((claim.total for claim in batch.claims), start=claims.ZERO)
    click.echo(
        _(
            "Lot « %(name)s » : %(count)d indemnité(s), %(total)s.",
            name=batch.name,
            count=len(batch.claims),
            total=common.amount(total),
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
    common.confirm(yes, _("Créer ce lot ?"))
    db.session.commit()
    click.echo(_("Lot n° %(id)s créé.", id=batch.id))


@batch_group.command("list")
def batch_list() -> None:
    """Batches, with their totals and payment date."""
    for batch in batches.batches():
        total = sum((claim.total for claim in batch.claims), start=claims.ZERO)
        paid = (
            _("payé le %(day)s", day=date_text(batch.paid_on, common.locale()))
            if batch.paid_on
            else _("non payé")
        )
        click.echo(
            f"{batch.id} {batch.name} ({batch.period_start} – {batch.period_end}) : "
            f"{len(batch.claims)}, {common.amount(total)}, {paid}"
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
        raise CompensationCliError(common.text(error.message)) from None
    output.write_bytes(export.xlsx() if suffix == ".xlsx" else export.csv())
    click.echo(
        _(
            "%(file)s : %(people)d personne(s), %(lines)d ligne(s), total %(total)s.",
            file=str(output),
            people=len(export.people),
            lines=len(export.lines),
            total=common.amount(export.grand_total),
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
        batches.mark_paid(batch, on.date(), by=common.by(), actor_label=audit.COMMAND_LINE)
    except CompensationError as error:
        db.session.rollback()
        raise CompensationCliError(common.text(error.message)) from None
    common.confirm(
        yes,
        _(
            "Marquer le lot « %(name)s » payé le %(day)s ?",
            name=batch.name,
            day=date_text(on.date(), common.locale()),
        ),
    )
    db.session.commit()
    click.echo(
        _("Lot n° %(id)s payé le %(day)s.", id=batch.id, day=date_text(on.date(), common.locale()))
    )
