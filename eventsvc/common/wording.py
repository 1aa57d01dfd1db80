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


def amount_text(value: Decimal, locale=FRENCH) -> str:
    """« 1 234,50 € »: always the cents (a non-breaking space before the euro sign)."""
    return format_decimal(value, format="#,##0.00", locale=locale) + "\u00a0€"


def rate_text(value: Decimal, locale=FRENCH) -> str:
    """« 0,41 € », « 0,502 € »: at least the cents, more when the rate has them."""
    return format_decimal(value, format="#,##0.00####", locale=locale) + "\u00a0€"


def number_text(value: Decimal | int, locale=FRENCH) -> str:
    """« 15,6 », « 2 000 »."""
    return format_decimal(value, format="#,##0.####", locale=locale)


def date_text(day: date, locale=FRENCH) -> str:
    """« 22 septembre 2023 », « 1er janvier 2022 »."""
    text = format_date(day, format="long", locale=locale)
    if day.day == 1 and str(locale).startswith("fr"):
        text = "1er" + text.removeprefix("1")
    return text


def _render(value: object, translate, locale) -> str:
    if isinstance(value, Message):
        return value.render(translate, locale)
    if isinstance(value, Amount):
        return amount_text(value.value, locale)
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)  # line numbers, counts: never grouped
    if isinstance(value, Decimal):
        return number_text(value, locale)
    if isinstance(value, date):
        return date_text(value, locale)
    return str(value)
