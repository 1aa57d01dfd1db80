"""The participant's public pages: one blueprint, ``public``, for the event's page and form
(``signup``) and the personal page of ``/r/<token>`` (``personal_page``). Endpoint names are
``public.<view>``."""

from __future__ import annotations

from flask import Blueprint, Response

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


def expected(error, kind: type):
    """The refusal a page answers in its own words; any other still fails loudly."""
    if not isinstance(error, kind):
        raise error
    return error


from . import personal_page, signup  # noqa: E402,F401  (routes attach to bp)
