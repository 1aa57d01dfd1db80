"""What the compensation commands share: refusals printed as « Erreur : ... », number and date
parameters, who acts (``cli:<user>``), the event by its slug and the confirmation question."""

from __future__ import annotations

import getpass
from decimal import Decimal

import click
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import select

from ..common.wording import Message, amount_text
from ..events.models import Event
from ..extensions import db


class CompensationCliError(click.ClickException):
    def show(self, file=None) -> None:
        click.echo(_("Erreur : %(message)s", message=self.message), err=True)


class DecimalParam(click.ParamType):
    """A positive number, with a decimal point or a decimal comma: 120, 15.6, 15,6."""

    name = "number"

    def convert(self, value, param, ctx):
        if isinstance(value, Decimal):
            return value
        text = str(value).strip().replace(",", ".")
        try:
            number = Decimal(text)
        except ArithmeticError:
            number = None
        if number is None or not number.is_finite() or number < 0:
            self.fail(
                _(
                    "« %(value)s » n'est pas un nombre positif (exemple : 120 ou 15,6).",
                    value=value,
                ),
                param,
                ctx,
            )
        return number


def text(message: Message) -> str:
    return message.render(_, locale())


def locale() -> str:
    return str(get_locale() or "fr")


YES = click.option("--yes", is_flag=True, help="Do it without asking for confirmation.")
DATE = click.DateTime(formats=["%Y-%m-%d"])


def by() -> str:
    """Who did it, as recorded on claims: the command-line user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def event(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise CompensationCliError(_("Aucun événement ne porte l'adresse « %(slug)s ».", slug=slug))
    return event


def confirm(yes: bool, question: str) -> None:
    if not yes and not click.confirm(question, default=False):
        db.session.rollback()
        raise click.Abort()


def amount(value) -> str:
    return amount_text(value, locale())
