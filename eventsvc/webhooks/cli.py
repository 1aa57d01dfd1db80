"""``flask webhooks add|list|deliver``: an organiser's endpoints from the command line, and one
delivery pass of the due webhooks (``flask mail send`` runs the same pass after the emails)."""

from __future__ import annotations

import click
from flask_babel import gettext as _

from ..audit import service as audit
from ..auth import service as accounts
from ..auth.models import User
from ..common.errors import DomainError
from ..database import begin_write
from ..extensions import db
from . import delivery, operations, rules


@click.group("webhooks")
def webhooks_cli() -> None:
    """Webhooks: an organiser's endpoints and their deliveries."""


def _owner(email: str) -> User:
    user = accounts.find_by_email(email)
    if user is None:
        raise click.ClickException(_("Aucun compte organisateur %(email)s.", email=email))
    return user


@webhooks_cli.command("add")
@click.argument("email")
@click.argument("url")
@click.option(
    "--event",
    "events",
    multiple=True,
    type=click.Choice(rules.EVENT_TYPES),
    help="A type of event to send (repeat it); all of them when none is given.",
)
def add_command(email: str, url: str, events: tuple[str, ...]) -> None:
    """Register URL for the organiser EMAIL; prints the signing secret, shown only once."""
    begin_write(db.session)
    owner = _owner(email)
    try:
        endpoint, secret = operations.add_endpoint(
            owner, url, list(events) or list(rules.EVENT_TYPES), actor_label=audit.COMMAND_LINE
        )
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"endpoint #{endpoint.id} {endpoint.url}: {', '.join(endpoint.event_types)}")
    click.echo(_("Secret de signature (affiché une seule fois) :"))
    click.echo(secret)


@webhooks_cli.command("list")
@click.argument("email")
def list_command(email: str) -> None:
    """The organiser's endpoints: id, state, URL, event types."""
    for endpoint in operations.endpoints_of(_owner(email)):
        state = "active" if endpoint.active else "disabled"
        click.echo(f"#{endpoint.id} {state} {endpoint.url} {','.join(endpoint.event_types)}")


@webhooks_cli.command("deliver")
def deliver_command() -> None:
    """Deliver every webhook that is due, then exit."""
    counts = delivery.deliver_all_due()
    click.echo(", ".join(f"{key} {value}" for key, value in counts.items()))
