"""The participant's public pages: one blueprint, ``public``, for the event's page and form
(``signup``) and the personal page of ``/r/<token>`` (``personal_page``). Endpoint names are
``public.<view>``."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response
from wtforms import Field, FormField

from ..compensation import declarations
from ..security import download

bp = Blueprint("public", __name__)


def communes(event) -> list[str]:
    """Known origins for the declaration's list of suggestions (empty without compensation)."""
    if not event.compensation_offered:
        return []
    return declarations.communes_for(event)


def calendar_response(body: bytes, filename: str) -> Response:
    return download(body, mimetype="text/calendar", filename=filename)


def focus_first_error(form) -> None:
    """Give the focus to the first field with an error, in the order the page shows them (the
    comment after the extra questions): the page comes back at that field, with or without
    JavaScript (the templates' ``autofocus``)."""
    for field in _fields_in_page_order(form):
        if field.errors:
            field.flags.autofocus = True
            return


def _fields_in_page_order(form) -> Iterator[Field]:
    fields = list(form)
    fields.sort(key=lambda field: field.short_name == "comment")  # stable: only moves it last
    for field in fields:
        if isinstance(field, FormField):
            yield from _fields_in_page_order(field.form)
        else:
            yield field


def expected(error, kind: type):
    """The refusal a page answers in its own words; any other still fails loudly."""
    if not isinstance(error, kind):
        raise error
    return error


from . import personal_page, signup  # noqa: E402,F401  (routes attach to bp)
