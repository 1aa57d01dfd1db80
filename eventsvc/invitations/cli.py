"""``flask contacts import`` and ``flask invitations send|remind|remind-due``.

Each command takes the write lock first (``begin_write``), prints what it will do, and acts only
when confirmed (``--yes`` in scripts).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from ..audit import service as audit
from ..auth.models import User
from ..common import csv_reading
from ..common.csv_options import csv_reading_options, delimiter_of, mapping_of
from ..common.validation import RuleError, check_email
from ..database import begin_write
from ..events.models import Event
from ..extensions import db
from ..i18n import long_date
from ..mail import bulk
from . import bodies, contacts, contacts_csv, queries, sending
from .errors import InvitationError
from .models import ContactList


@click.group("contacts")
def contacts_cli() -> None:
    """An organiser's address book."""


@click.group("invitations")
def invitations_cli() -> None:
    """Invitations with a reply slip, and reminders."""


def _owner(email: str | None) -> User:
    users = list(db.session.scalars(select(User).order_by(User.id)))
    if email:
        try:
            key = check_email(email).key
        except RuleError as error:
            raise click.BadParameter(str(error.message), param_hint="--owner") from None
        for user in users:
            if user.email_key == key:
                return user
        raise click.ClickException(_("Aucun compte organisateur %(email)s.", email=email))
    if len(users) == 1:
        return users[0]
    if not users:
        raise click.ClickException(
            _("Aucun compte organisateur : créez-en un (flask users create).")
        )
    raise click.ClickException(
        _("Plusieurs comptes organisateurs : dites à qui est la liste avec --owner EMAIL.")
    )


def _abandon(message: str) -> None:
    db.session.rollback()
    click.echo(message)


@contacts_cli.command("import")
@click.argument("list_name", metavar="LIST")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--owner", help="Email of the organiser who owns the list (several accounts).")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Import without asking.")
@csv_reading_options(contacts_csv.FIELDS)
def import_contacts(
    list_name: str,
    path: Path,
    owner: str | None,
    assume_yes: bool,
    encoding: str | None,
    delimiter: str | None,
    mappings: tuple[str, ...],
) -> None:
    """Create or fill the list LIST with the contacts of a CSV file (preview first)."""
    mapping = mapping_of(mappings, contacts_csv.FIELDS)
    begin_write(db.session)
    user = _owner(owner)
    preview = contacts.preview_import(
        user,
        csv_reading.read_file(path, csv_reading.CONTACTS),
        encoding=encoding,
        delimiter=delimiter_of(delimiter),
        mapping=mapping,
    )
    parsed = preview.parsed
    click.echo(_("Liste « %(name)s » de %(owner)s", name=list_name, owner=user.email))
    for header in parsed.header:
        target = parsed.mapping.get(header, "")
        label = contacts_csv.field_label(target) if target else _("(ignorée)")
        click.echo(f"  {header} -> {label}")
    for problem in parsed.problems:
        click.echo(_("Problème : %(problem)s", problem=problem))
    click.echo(ngettext("%(num)d nouveau contact", "%(num)d nouveaux contacts", len(preview.new)))
    click.echo(
        ngettext(
            "%(num)d contact déjà connu, ajouté à la liste",
            "%(num)d contacts déjà connus, ajoutés à la liste",
            len(preview.known),
        )
    )
    for row in parsed.refused:
        click.echo(
            _(
                "Ligne %(line)d refusée : %(reason)s (%(value)s)",
                line=row.line,
                reason=row.reason,
                value=row.value,
            )
        )
    if not preview.can_import:
        db.session.rollback()
        raise click.exceptions.Exit(1 if parsed.problems else 0)
    if not assume_yes and not click.confirm(_("Importer ?"), default=False):
        return _abandon(_("Rien n'a été importé."))
    contact_list = contacts.commit_import(user, preview, list_name, actor_label=audit.COMMAND_LINE)
    db.session.commit()
    click.echo(
        ngettext(
            "%(num)d contact dans la liste « %(name)s ».",
            "%(num)d contacts dans la liste « %(name)s ».",
            len(contact_list.contacts),
            name=contact_list.name,
        )
    )


def _event(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        db.session.rollback()
        raise click.ClickException(_("Aucun événement à l'adresse %(slug)s.", slug=slug))
    return event


def _event_list(event: Event, name: str, owner: str | None) -> ContactList:
    """The list of that name among the event's organisers' lists (or the --owner's)."""
    owners = [_owner(owner)] if owner else list(event.organisers)
    found = [found for user in owners if (found := contacts.find_list(user, name)) is not None]
    if len(found) == 1:
        return found[0]
    db.session.rollback()
    if not found:
        raise click.ClickException(
            _("Aucune liste « %(name)s » chez les organisateurs de l'événement.", name=name)
        )
    raise click.ClickException(
        _("Plusieurs listes « %(name)s » : choisissez avec --owner EMAIL.", name=name)
    )


@invitations_cli.command("send")
@click.argument("slug")
@click.argument("list_name", metavar="LIST")
@click.option("--owner", help="Email of the organiser whose list it is (if ambiguous).")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Send without asking.")
@click.option(
    "--late",
    "late_ok",
    is_flag=True,
    help="Send a body's convocation even after its notice period (with --yes).",
)
def send(slug: str, list_name: str, owner: str | None, assume_yes: bool, late_ok: bool) -> None:
    """Invite every contact of LIST to the event SLUG (never twice the same contact)."""
    begin_write(db.session)
    event = _event(slug)
    contact_list = _event_list(event, list_name, owner)
    plan = sending.plan_invitations(event, list(contact_list.contacts))
    click.echo(
        _(
            "Invitations à « %(title)s », liste « %(name)s »",
            title=event.title,
            name=contact_list.name,
        )
    )
    for contact in plan.to_invite:
        click.echo(f"  + {contact.formal_name} <{contact.email}>")
    click.echo(
        ngettext(
            "%(num)d invitation à envoyer", "%(num)d invitations à envoyer", len(plan.to_invite)
        )
    )
    click.echo(
        ngettext(
            "%(num)d contact déjà invité (pas d'envoi)",
            "%(num)d contacts déjà invités (pas d'envoi)",
            len(plan.already_invited),
        )
    )
    click.echo(
        ngettext(
            "%(num)d contact ne souhaite plus recevoir d'invitations (pas d'envoi)",
            "%(num)d contacts ne souhaitent plus recevoir d'invitations (pas d'envoi)",
            len(plan.opted_out),
        )
    )
    if not plan.to_invite:
        return _abandon(_("Rien à envoyer."))
    if not assume_yes and not click.confirm(_("Envoyer ?"), default=False):
        return _abandon(_("Rien n'a été envoyé."))
    late = bodies.late_notice(event)
    if late is not None:
        due = bodies.notice_due(late)
        click.echo(_("La convocation devait partir au plus tard le %(day)s.", day=long_date(due)))
        confirmed = late_ok if assume_yes else click.confirm(_("L'envoyer quand même ?"))
        if not confirmed:
            return _abandon(_("Rien n'a été envoyé (ajoutez --late pour l'envoyer quand même)."))
    try:
        with bulk.collect() as unsent:
            if late is not None:
                bodies.confirm_late_notice(late, actor_label=audit.COMMAND_LINE)
            sent = sending.send_invitations(event, plan, actor_label=audit.COMMAND_LINE)
    except InvitationError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(ngettext("%(num)d invitation envoyée.", "%(num)d invitations envoyées.", len(sent)))
    _report_unsent(unsent)


@invitations_cli.command("remind")
@click.argument("slug")
@click.option("--yes", "-y", "assume_yes", is_flag=True, help="Send without asking.")
def remind(slug: str, assume_yes: bool) -> None:
    """Remind every invitee of SLUG who has not replied, and only them."""
    begin_write(db.session)
    event = _event(slug)
    pending = queries.to_remind(event)
    for invitation in pending:
        contact = invitation.contact
        click.echo(
            f"  {contact.formal_name} <{contact.email}> "
            + ngettext(
                "(déjà relancé·e %(num)d fois)",
                "(déjà relancé·e %(num)d fois)",
                invitation.reminders,
            )
        )
    click.echo(ngettext("%(num)d relance à envoyer", "%(num)d relances à envoyer", len(pending)))
    if not pending:
        return _abandon(_("Rien à envoyer."))
    if not assume_yes and not click.confirm(_("Envoyer ?"), default=False):
        return _abandon(_("Rien n'a été envoyé."))
    with bulk.collect() as unsent:
        count = sending.remind(event, pending, actor_label=audit.COMMAND_LINE)
    db.session.commit()
    click.echo(ngettext("%(num)d relance envoyée.", "%(num)d relances envoyées.", count))
    _report_unsent(unsent)


@invitations_cli.command("remind-due")
def remind_due() -> None:
    """Send the automatic reminders due (events with « relance automatique »); for cron."""
    with bulk.collect() as unsent:
        sent = sending.reminders_due()
    for slug, count in sent.items():
        click.echo(
            f"{slug}: " + ngettext("%(num)d relance envoyée.", "%(num)d relances envoyées.", count)
        )
    _report_unsent(unsent)


def _report_unsent(unsent: list[bulk.Unsent]) -> None:
    """Who could not be written to, on stderr; status 1 (what was sent stays sent) so that a
    script or cron notices."""
    for line in bulk.summary(unsent):
        click.echo(line, err=True)
    if unsent:
        raise SystemExit(1)
