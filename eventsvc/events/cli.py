"""The account commands that show or change events: ``flask users list`` (each account with its
events) and ``flask users add-to-event``. They belong to auth's ``users`` group, but auth sits
below events and may not read them: these two live here and join the group when the commands are
registered (``eventsvc.cli.register``)."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..audit import service as audit
from ..auth import service as accounts
from ..database import begin_write
from ..extensions import db
from .models import Event


def _fail(message: object) -> click.ClickException:
    """End the unit of work, then report: nothing half-done stays open."""
    db.session.rollback()
    return click.ClickException(str(message))


@click.command("list")
@with_appcontext
def list_command() -> None:
    """List organiser accounts and their events."""
    users = accounts.list_users()
    if not users:
        click.echo("No account yet: flask --app eventsvc users create EMAIL")
        return
    for user in users:
        events = db.session.scalars(
            select(Event.slug).where(Event.organisers.contains(user)).order_by(Event.slug)
        ).all()
        state = ("active" if user.active else "inactive") + (", admin" if user.is_admin else "")
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if user.last_login_at else "never"
        click.echo(
            f"{user.email}\t{user.name or '-'}\t{state}\tlast login: {last}\t"
            f"events: {', '.join(events) or '-'}"
        )


@click.command("add-to-event")
@click.argument("email")
@click.argument("slug")
@with_appcontext
def add_to_event_command(email: str, slug: str) -> None:
    """Make an account an organiser of an event (e.g. one created before accounts existed)."""
    begin_write(db.session)
    user = accounts.find_by_email(email)
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if user is None:
        raise _fail(f"No account for {email.strip()}.")
    if event is None:
        raise _fail(f"No event with the address {slug}.")
    if user not in event.organisers:
        event.organisers.append(user)
        audit.record(
            "event.organiser_added",
            actor_label=audit.COMMAND_LINE,
            event=event,
            details={"organiser": user.email},
        )
    done = f"{user.email} organises {event.slug}"
    db.session.commit()
    click.echo(done)


# Joined to auth's ``users`` group by ``eventsvc.cli.register``.
USERS_COMMANDS = (list_command, add_to_event_command)
