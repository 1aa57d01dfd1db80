"""``compensation distances import|list|lookup``: the organisation's distance table."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from flask_babel import gettext as _

from ..audit import service as audit
from ..common import csv_reading
from ..common.wording import number_text
from ..database import begin_write
from ..extensions import db
from . import cli_common as common
from . import distances
from .cli_common import YES, CompensationCliError
from .distance_table import DistancierError

distances_group = AppGroup("distances", help="The organisation's distance table (distancier).")


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
        raise CompensationCliError(common.text(error.message)) from None
    locale = common.locale()
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
    common.confirm(yes, _("Remplacer la table des distances par ce fichier ?"))
    distances.replace_table(preview.table, actor_label=audit.COMMAND_LINE)
    db.session.commit()
    click.echo(_("Table des distances remplacée : %(count)d trajets.", count=preview.count))


@distances_group.command("list")
@click.option("--commune", help="Only the pairs that touch this commune.")
def distances_list(commune: str | None) -> None:
    """List the stored pairs (one-way km)."""
    pairs = distances.pairs(commune)
    locale = common.locale()
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
    click.echo(_("Aller-retour : %(km)s km", km=number_text(km, common.locale())))
