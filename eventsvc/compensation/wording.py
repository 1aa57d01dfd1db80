"""Translatable wording for the pure compensation modules, without Flask.

Claim lines, checks and errors are shown to organisers in French or English, and later stored on
claims and exported for finance. The pure modules cannot call Flask-Babel, so they return a
``Message``: a French message id (marked with ``N_`` so that ``pybabel extract`` collects it) and
its parameters. Whoever shows it renders it in the reader's language::

    message.render()                                   # French, plain Python
    message.render(flask_babel.gettext, get_locale())  # in a request or a CLI command
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

FRENCH = "fr"


@dataclass(frozen=True)
class Amount:
    """A sum of money in a message: always shown with its cents and the euro sign."""

    value: Decimal


@dataclass(frozen=True)
class Message:
    msgid: str
    params: tuple[tuple[str, object], ...] = ()

    def render(self, translate: Callable[[str], str] | None = None, locale=FRENCH) -> str:
        text = translate(self.msgid) if translate else self.msgid
        if not self.params:
            return text
        return text % {name: _render(value, translate, locale) for name, value in self.params}

    def __str__(self) -> str:
        return self.render()


def N_(msgid: str, **params: object) -> Message:
    """Mark a French message id for extraction (pybabel knows ``N_``) and keep its parameters."""
    return Message(msgid, tuple(sorted(params.items())))


def _render(value: object, translate, locale) -> str:
    if isinstance(value, Message):
        return value.render(translate, locale)
    if isinstance(value, Amount):
        return format_decimal(value.value, format="#,##0.00", locale=locale) + "\u00a0€"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)  # line numbers, counts: never grouped
    if isinstance(value, Decimal):
        return format_decimal(value, format="#,##0.###", locale=locale)
    if isinstance(value, date):
        return format_date(value, format="long", locale=locale)
    return str(value)
