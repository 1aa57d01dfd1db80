"""``flask messages send SLUG --to confirmed|waitlisted|all [--part PART_ID] --subject TEXT
--body-file FILE [--yes]``: the same message as the dashboard's, from a script.

It takes the write lock first (``begin_write``), says how many people the message goes to, and
sends only when confirmed (``--yes`` in scripts)."""

from __future__ import annotations

import click
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..audit import service as audit
from ..common.errors import DomainError
from ..common.validation import RuleError, check_single_line
from ..database import begin_write
from ..events.models import Event
from ..extensions import db
from ..mail import bulk
from . import operations, queries


@click.group("messages")
def messages_cli() -> None:
    """Messages to an event's participants."""


@messages_cli.command("send")
@click.argument("slug")
@click.option("--to", "to", type=click.Choice(queries.STATUSES), required=True)
@click.option("--part", "part_id", type=int, help="Only the people attending this part (id).")
@click.option("--subject", required=True, help="The subject of the email.")
@click.option(
    "--body-file",
    type=click.File("r", encoding="utf-8"),
    required=True,
    help="The text (Markdown subset: bold, italics, lists, links), UTF-8.",
)
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Send without asking.")
def send(
    slug: str, to: str, part_id: int | None, subject: str, body_file, assume_yes: bool
) -> None:
    """Write to the people signed up to the event SLUG (never to cancelled registrations)."""
    subject = subject.strip()
    body = body_file.read().strip()
    _check_text(subject, body)
    begin_write(db.session)
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        db.session.rollback()
        raise click.ClickException(_("Aucun événement à l'adresse %(slug)s.", slug=slug))
    audience = queries.Audience(to, part_id=part_id)
    try:
        operations.check_audience(event, audience)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    count = len(queries.recipients(event, audience))
    click.echo(
        ngettext(
            "%(num)d personne : %(audience)s.",
            "%(num)d personnes : %(audience)s.",
            count,
            audience=operations.describe(event, audience),
        )
    )
    if not count:
        db.session.rollback()
        click.echo(_("Rien n'a été envoyé."))
        return
    if not assume_yes and not click.confirm(_("Envoyer ?"), default=False):
        db.session.rollback()
        click.echo(_("Rien n'a été envoyé."))
        return
    try:
        with bulk.collect():
            sent = operations.send_message(
                event, audience, subject, body, actor_label=audit.COMMAND_LINE
            )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(
        ngettext(
            "Message envoyé à %(num)d personne.",
            "Message envoyé à %(num)d personnes.",
            sent.message.recipients,
        )
    )
    for line in bulk.summary(sent.unsent, limit=20):
        click.echo(line, err=True)


def _check_text(subject: str, body: str) -> None:
    if not subject:
        raise click.BadParameter(_("Donnez un objet au message."), param_hint="--subject")
    if len(subject) > operations.SUBJECT_MAX:
        raise click.BadParameter(
            _("%(max)d caractères au plus.", max=operations.SUBJECT_MAX), param_hint="--subject"
        )
    try:
        check_single_line(subject)
    except RuleError as error:
        raise click.BadParameter(str(error.message), param_hint="--subject") from None
    if not body:
        raise click.BadParameter(_("Écrivez le message."), param_hint="--body-file")
    if len(body) > operations.BODY_MAX:
        raise click.BadParameter(
            _("%(max)d caractères au plus : raccourcissez le message.", max=operations.BODY_MAX),
            param_hint="--body-file",
        )
