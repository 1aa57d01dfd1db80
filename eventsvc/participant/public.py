"""The participant's public pages: one blueprint, ``public``, for the list of open events
(``listing``), the event's page and form (``signup``) and the personal page of ``/r/<token>``
(``personal_page``). Endpoint names are ``public.<view>``."""

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


def focus_first_error(form, anchor: str) -> None:
    """Send the page back to the first field with an error, in the order the page shows them
    (the comment after the extra questions), with or without JavaScript.

    The form's action ends with ``#anchor``; the field takes that anchor (``flags.anchor``, and
    the form's ``anchored``: its section then leaves the id to it), so the browser comes back at
    the field itself. It is also marked ``autofocus``, which browsers skip when the address
    points at an element (HTML's rule), hence ``static/focus.js`` where scripts run.
    """
    for field in _fields_in_page_order(form):
        if field.errors:
            field.flags.autofocus = True
            field.flags.anchor = anchor
            form.anchored = True
            return


def _fields_in_page_order(form) -> Iterator[Field]:
    fields = [field for field in form if field.type not in ("CSRFTokenField", "HiddenField")]
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


from . import embed, listing, own_signing, personal_page, signup  # noqa: E402,F401  (routes attach to bp)
