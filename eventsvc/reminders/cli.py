"""``flask reminders send-due``: the participants' reminders due now, for cron (the mail worker's
loop sends them too, every ``REMINDERS_EVERY`` seconds)."""

from __future__ import annotations

import click
from flask_babel import ngettext

from ..mail import bulk
from . import operations


@click.group("reminders")
def reminders_cli() -> None:
    """Reminders to participants before the event."""


@reminders_cli.command("send-due")
def send_due() -> None:
    """Send the reminders due at the current time (never twice); prints how many."""
    with bulk.collect() as unsent:
        sent = operations.send_due_now()
    for slug, count in sent.items():
        click.echo(
            f"{slug}: " + ngettext("%(num)d rappel envoyé.", "%(num)d rappels envoyés.", count)
        )
    total = sum(sent.values())
    click.echo(
        ngettext("%(num)d rappel envoyé au total.", "%(num)d rappels envoyés au total.", total)
    )
    for line in bulk.summary(unsent):
        click.echo(line, err=True)
    if unsent:
        raise SystemExit(1)
