"""``flask import-signups SLUG FILE.csv``: the dashboard's import, from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..audit import service as audit
from ..common import csv_reading, csv_tables
from ..common.csv_options import csv_reading_options, delimiter_of, mapping_of
from ..database import begin_write
from ..events.models import Event
from ..extensions import db
from . import importing, signup_csv


@click.command("import-signups")
@click.argument("slug")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Only print the preview; write nothing.")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Import without asking.")
@csv_reading_options(signup_csv.FIELDS)
@click.option(
    "--send-invitations",
    is_flag=True,
    help="Send each imported person their confirmation and invitation (default: nothing sent).",
)
def import_signups_command(
    slug: str,
    path: Path,
    dry_run: bool,
    assume_yes: bool,
    encoding: str | None,
    delimiter: str | None,
    mappings: tuple[str, ...],
    send_invitations: bool,
) -> None:
    """Import sign-ups from a CSV file into the event SLUG (preview first)."""
    begin_write(db.session)
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        db.session.rollback()
        raise click.ClickException(f"No event with the address {slug}.")
    options = importing.Options(
        encoding=encoding,
        delimiter=delimiter_of(delimiter),
        mapping=mapping_of(mappings, signup_csv.FIELDS),
    )
    preview = importing.preview(event, csv_reading.read_file(path, csv_reading.SIGNUPS), options)
    click.echo(format_preview(event, path.name, preview))
    if not preview.can_import:
        db.session.rollback()
        raise click.exceptions.Exit(1 if preview.parsed.problems else 0)
    if dry_run:
        db.session.rollback()
        click.echo(_("Simulation (--dry-run) : rien n'a été écrit."))
        return
    count = len(preview.planned)
    if not assume_yes and not click.confirm(
        ngettext("Importer %(num)d inscription ?", "Importer %(num)d inscriptions ?", count),
        default=False,
    ):
        db.session.rollback()
        click.echo(_("Rien n'a été importé."))
        return
    try:
        result = importing.commit(
            event, preview, send_invitations=send_invitations, actor_label=audit.COMMAND_LINE
        )
    except importing.ImportRefused as refused:
        db.session.rollback()
        raise click.ClickException(str(refused.message)) from None
    db.session.commit()
    click.echo(
        ngettext(
            "%(num)d inscription importée (dont %(waitlisted)d sur liste d'attente).",
            "%(num)d inscriptions importées (dont %(waitlisted)d sur liste d'attente).",
            len(result.registrations),
            waitlisted=result.waitlisted,
        )
    )
    click.echo(
        _("Messages : envoyés aux personnes importées.")
        if send_invitations
        else _("Messages : aucun envoyé (--send-invitations pour les envoyer).")
    )


def format_preview(event: Event, filename: str, preview: importing.Preview) -> str:
    """The preview as text: what the dashboard shows, for a terminal."""
    parsed = preview.parsed
    parts = {part.id: part.label for part in event.parts}
    lines = [
        _("Import dans « %(title)s » depuis %(file)s", title=event.title, file=filename),
        _("Fichier : classeur Excel, feuille « %(sheet)s »", sheet=parsed.sheet)
        if parsed.kind == "xlsx"
        else _(
            "Fichier : encodage %(encoding)s, séparateur %(delimiter)s, fins de ligne %(endings)s",
            encoding=csv_tables.encoding_label(parsed.encoding),
            delimiter=csv_tables.delimiter_label(parsed.delimiter),
            endings=csv_tables.line_endings_label(parsed.detected.line_endings),
        ),
        _("Colonnes :"),
    ]
    for header in parsed.header:
        target = parsed.mapping.get(header, "")
        label = signup_csv.field_label(target) if target else _("(ignorée)")
        lines.append(f"  {header} -> {label}")
    for problem in parsed.problems:
        lines.append(_("Problème : %(problem)s", problem=problem))
    for warning in parsed.warnings:
        lines.append(_("Attention : %(warning)s", warning=warning))
    if parsed.problems:
        return "\n".join(lines)
    lines.append(
        _(
            "Lignes lues : %(read)d ; à importer : %(accepted)d ; refusées : %(refused)d ; "
            "réparées : %(repaired)d ; présences suggérées à vérifier : %(suggested)d",
            read=parsed.rows_read,
            accepted=len(preview.planned),
            refused=len(parsed.refused),
            repaired=len(parsed.repaired),
            suggested=len(preview.suggestions),
        )
    )
    if preview.places_left is not None and len(preview.planned) > preview.places_left:
        lines.append(
            _(
                "Attention : %(left)d places restantes ; les personnes en surnombre iront sur "
                "liste d'attente.",
                left=preview.places_left,
            )
        )
    if parsed.refused:
        lines.append(_("Lignes refusées :"))
        for row in parsed.refused:
            lines.append(
                _(
                    "  ligne %(line)d : « %(value)s » : %(reason)s",
                    line=row.line,
                    value=row.value,
                    reason=row.reason,
                )
            )
    if parsed.repaired:
        lines.append(_("Lignes réparées (à vérifier) :"))
        for row in parsed.repaired:
            lines.append(_("  ligne %(line)d : %(note)s", line=row.line, note=row.repair))
    if preview.suggestions:
        lines.append(_("Présence partielle (« Non ») : suggestions lues dans le commentaire :"))
        for planned in preview.suggestions:
            attendance = planned.attendance
            what = ", ".join(parts[i] for i in attendance.part_ids)
            if attendance.arrival:
                what += _(", arrivée %(time)s", time=attendance.arrival.strftime("%H:%M"))
            if attendance.departure:
                what += _(", départ %(time)s", time=attendance.departure.strftime("%H:%M"))
            if attendance.source == "default":
                said = _("rien de lisible dans le commentaire : toutes les parties")
            else:
                said = _("lu : %(words)s", words=" ; ".join(f"« {w} »" for w in planned.evidence))
            lines.append(
                f"  {_('ligne %(line)d', line=planned.row.line)} "
                f"({planned.row.first_name} {planned.row.last_name}) : {what} ({said})"
            )
    return "\n".join(lines)
