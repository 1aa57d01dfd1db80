"""Integers read from query strings, bounded before they reach the database or ``date``.

``int()`` (and Flask's ``type=int``) takes signs, « 1_000 », non-ASCII digits and any size:
« 99999999999999999999 » overflows PostgreSQL's and SQLite's integers (a 500), a year past 9999
breaks ``date``. Every query-string integer an organiser page reads goes through :func:`arg_int`
(or :func:`bounded_int` where nonsense is ignored rather than refused).
"""

from __future__ import annotations

from flask import abort, request

# PostgreSQL's INTEGER: the largest id any table can hold.
ID_MAX = 2**31 - 1
PAGE_MAX = 1_000_000
YEAR_MIN, YEAR_MAX = 1900, 2999


def bounded_int(text: str | None, *, minimum: int, maximum: int) -> int | None:
    """The value of ``text`` if it is plain ASCII digits (an optional leading « - » when the
    minimum is negative) within the bounds; None otherwise."""
    if not text:
        return None
    digits = text[1:] if text.startswith("-") and minimum < 0 else text
    # Length first: int() of a huge digit string costs time (and raises past 4300 digits).
    if len(digits) > 20 or not (digits.isascii() and digits.isdigit()):
        return None
    value = int(text)
    return value if minimum <= value <= maximum else None


def arg_int(name: str, default: int | None = None, *, minimum: int = 1, maximum: int = ID_MAX):
    """The query-string integer ``name``; ``default`` when absent or empty, 400 when it is not a
    whole number within the bounds."""
    text = request.args.get(name, "")
    if text == "":
        return default
    value = bounded_int(text, minimum=minimum, maximum=maximum)
    if value is None:
        abort(400)
    return value
