"""``flask retention purge``: erase personal data past its retention period."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from ..audit import service as audit
from ..database import begin_write, utcnow
from ..extensions import db
from . import service

retention = AppGroup("retention", help="Personal data retention (GDPR).")

LABELS = {
    "events": "events purged",
    "registrations": "registrations anonymised",
    "answers": "answers erased",
    "declarations": "travel declarations erased",
    "draft_claims": "draft claims deleted",
    "outbox_messages": "emails erased from the outbox",
    "audit_entries": "audit log details erased",
    "imports": "CSV uploads deleted",
    "invitation_replies": "invitation replies cleared of excuses and representatives",
    "claims_anonymised": "validated/paid claims past their legal retention anonymised",
    "webhook_deliveries": "webhooks delivered or given up deleted",
}


@retention.command("purge")
@click.option(
    "--months",
    type=click.IntRange(min=0),
    help="Erase registrations of events that ended more than this many months ago "
    "(default: EVENTSVC_RETENTION_MONTHS).",
)
@click.option("--dry-run", is_flag=True, help="Report what would be erased; change nothing.")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Erase without asking.")
def purge_command(months: int | None, dry_run: bool, assume_yes: bool) -> None:
    """Anonymise registrations of long-ended events, erase old emails, audit details and uploads.

    Counts, attendance (check-ins) and validated/paid claims stay; see README « Données
    personnelles ». Running it twice erases nothing more.
    """
    if dry_run and assume_yes:
        raise click.UsageError("--dry-run and --yes exclude each other")
    now = utcnow()
    cutoffs = service.Cutoffs.from_config(current_app.config, now, months)
    begin_write(db.session)
    report = service.purge(cutoffs, now, actor_label=audit.COMMAND_LINE)
    click.echo(f"events ended before {cutoffs.events:%Y-%m-%d %H:%M} UTC")
    click.echo(f"claims validated or paid before {cutoffs.claims:%Y-%m-%d}")
    for name, count in report.counts().items():
        click.echo(f"{count:>8}  {LABELS[name]}")
    if dry_run:
        db.session.rollback()
        click.echo("dry run: nothing changed")
        return
    if not any(report.counts().values()):
        db.session.rollback()
        click.echo("nothing to erase")
        return
    if not assume_yes and not click.confirm("Erase this for good?", default=False):
        db.session.rollback()
        click.echo("nothing changed")
        return
    db.session.commit()
    click.echo("done")
