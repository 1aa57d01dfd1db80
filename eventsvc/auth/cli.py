"""``flask users ...``: organiser accounts from the command line. ``users list`` and
``users add-to-event``, which read or change events, live in ``events.cli`` (events is above auth)
and join this group in ``eventsvc.cli.register``."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from ..audit import service as audit
from ..common.validation import RuleError
from ..database import begin_write
from ..extensions import db
from . import service

users = AppGroup("users", help="Organiser accounts.")


def _fail(message: object) -> click.ClickException:
    """End the unit of work, then report: nothing half-done stays open."""
    db.session.rollback()
    return click.ClickException(str(message))


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@users.command("create")
@click.argument("email")
@click.option("--name", default="", help="Name shown in the dashboard.")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)
@click.option("--admin", is_flag=True, help="An administrator (replaces the distance table).")
def create_command(email: str, name: str, password_stdin: bool, admin: bool) -> None:
    """Create an organiser account (asks for the password twice)."""
    password = _read_password(password_stdin)
    begin_write(db.session)
    try:
        user = service.create_account(
            email, password, name=name, admin=admin, actor_label=audit.COMMAND_LINE
        )
    except RuleError as error:
        raise _fail(str(error.message)) from None
    except service.PasswordRefused as error:
        raise _fail(str(error.message)) from None
    except service.AccountExists:
        raise _fail(f"An account already exists for {email.strip()}.") from None
    created = user.email + (" (administrator)" if admin else "")
    db.session.commit()
    click.echo(f"Account created: {created}")


@users.command("set-password")
@click.argument("email")
@click.option("--password-stdin", is_flag=True)
def set_password_command(email: str, password_stdin: bool) -> None:
    """Set a new password (for someone who lost theirs); their sessions end."""
    begin_write(db.session)
    user = service.find_by_email(email)
    if user is None:
        raise _fail(f"No account for {email.strip()}.")
    try:
        service.set_password(user, _read_password(password_stdin), actor_label=audit.COMMAND_LINE)
    except service.PasswordRefused as error:
        raise _fail(str(error.message)) from None
    changed = user.email
    db.session.commit()
    click.echo(f"Password changed: {changed}")


@users.command("set-admin")
@click.argument("email")
@click.option("--revoke", is_flag=True, help="Take the administrator flag away instead.")
def set_admin_command(email: str, revoke: bool) -> None:
    """Make an account an administrator (who replaces the distance table), or no longer one."""
    begin_write(db.session)
    user = service.find_by_email(email)
    if user is None:
        raise _fail(f"No account for {email.strip()}.")
    changed = service.set_admin(user, not revoke, actor_label=audit.COMMAND_LINE)
    done = f"{user.email} is {'no longer ' if revoke else ''}an administrator"
    db.session.commit()
    click.echo(done + ("" if changed else " (unchanged)"))


@users.command("unlock")
@click.argument("email")
def unlock_command(email: str) -> None:
    """Lift the login lock of an account (and the delays of every address that tried it)."""
    begin_write(db.session)
    lifted = service.unlock(email, actor_label=audit.COMMAND_LINE)
    db.session.commit()
    click.echo(f"Login locks lifted for {email.strip()} ({lifted} counters).")
