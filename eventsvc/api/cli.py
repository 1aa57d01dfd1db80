"""``flask api-tokens ...``: an organiser's API tokens from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ..audit import service as audit
from ..auth import service as accounts
from ..database import begin_write
from ..extensions import db
from . import tokens
from .models import ApiToken

api_tokens = AppGroup("api-tokens", help="API tokens of the organisers (/api/v1).")


def _organiser(email: str):
    user = accounts.find_by_email(email)
    if user is None:
        db.session.rollback()
        raise click.ClickException(f"No organiser account for {email.strip()}.")
    return user


@api_tokens.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What will use it (« CRM », « Grist »...).")
@click.option("--write", is_flag=True, help="Also register, change, cancel and check in.")
def create_command(email: str, name: str, write: bool) -> None:
    """Create a token for the organiser EMAIL and print it, once: it is stored hashed."""
    begin_write(db.session)
    user = _organiser(email)
    try:
        new = tokens.create(user, name, can_write=write, actor_label=audit.COMMAND_LINE)
    except tokens.TokenError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    access = "read and write" if write else "read only"
    click.echo(f"Token {new.token.id} « {new.token.name} » ({access}) for {user.email}:")
    click.echo(new.secret)
    click.echo("Keep it now: it will not be shown again.", err=True)


@api_tokens.command("list")
@click.argument("email")
def list_command(email: str) -> None:
    """The organiser's tokens (their first characters only)."""
    for token in tokens.of_user(_organiser(email)):
        state = "revoked" if token.revoked_at else ("write" if token.can_write else "read")
        used = token.last_used_at.isoformat(timespec="minutes") if token.last_used_at else "never"
        click.echo(f"{token.id}\t{token.prefix}…\t{state}\t{token.name}\tlast used: {used}")


@api_tokens.command("revoke")
@click.argument("token_id", type=int)
def revoke_command(token_id: int) -> None:
    """Revoke the token TOKEN_ID: requests with it get 401 from now on."""
    begin_write(db.session)
    token = db.session.get(ApiToken, token_id)
    if token is None:
        db.session.rollback()
        raise click.ClickException(f"No token {token_id}.")
    done = tokens.revoke(token, actor_label=audit.COMMAND_LINE)
    db.session.commit()
    click.echo(f"Token {token_id} revoked." if done else f"Token {token_id} was already revoked.")
