"""``flask invitations read-replies``: the calendar replies of the organiser's mailbox (IMAP),
or of one message saved as a file (``--from-file``); for cron when the delivery loop does not
read them (``INVITATION_REPLIES_EVERY`` = 0)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click
from flask_babel import gettext as _

from . import calendar_replies as outcomes
from . import mailbox

IGNORED = (
    outcomes.STALE,
    outcomes.UNKNOWN,
    outcomes.NOT_INVITEE,
    outcomes.FORGED,
    outcomes.REFUSED,
    outcomes.UNSUPPORTED,
)


@click.command("read-replies")
@click.option(
    "--from-file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read one message saved as a file (.eml) instead of the IMAP mailbox.",
)
def read_replies_command(path: Path | None) -> None:
    """Apply the members' calendar replies (Accepter / Refuser) to the reply slips."""
    if path is not None:
        counts = mailbox.apply_bytes(path.read_bytes())
        counts["messages"] = 1
    else:
        if not mailbox.configured():
            raise click.ClickException(
                _(
                    "Aucun serveur IMAP configuré (EVENTSVC_IMAP_HOST) : indiquez-le, ou lisez "
                    "un message enregistré avec --from-file."
                )
            )
        try:
            counts = mailbox.read_replies()
        except mailbox.MailboxError as error:
            raise click.ClickException(
                _("Boîte aux lettres illisible : %(error)s", error=str(error))
            ) from None
    click.echo(summary(counts))
    if counts["failed"]:
        click.echo(
            _(
                "%(num)d message(s) non traité(s), laissé(s) non lu(s) : voir le journal du "
                "service.",
                num=counts["failed"],
            ),
            err=True,
        )
        raise SystemExit(1)


def summary(counts: Counter) -> str:
    return _(
        "Messages lus : %(messages)d ; réponses appliquées : %(applied)d ; « peut-être » "
        "notés : %(noted)d ; déjà appliquées : %(duplicate)d ; laissées de côté : %(ignored)d.",
        messages=counts["messages"],
        applied=counts[outcomes.APPLIED],
        noted=counts[outcomes.NOTED],
        duplicate=counts[outcomes.DUPLICATE],
        ignored=sum(counts[reason] for reason in IGNORED),
    )
