"""Cursor pagination and ``updated_since``: rows in the order of (a time, id), so that a tool
syncing incrementally asks for what changed since its last run and pages through it without
missing or repeating a row, whatever is written meanwhile.

The cursor is opaque to the client: base64 of the last row's (time, id)."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import current_app, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, or_

from ..extensions import db
from .problems import ApiProblem


@dataclass(frozen=True)
class PageArgs:
    limit: int
    after: tuple[datetime, int] | None
    updated_since: datetime | None


def page_args() -> PageArgs:
    """``limit`` (1 to API_PAGE_MAX), ``cursor`` and ``updated_since`` of the query string."""
    largest = current_app.config["API_PAGE_MAX"]
    errors = []
    limit = largest
    if "limit" in request.args:
        try:
            limit = min(largest, int(request.args["limit"]))
            if limit < 1:
                raise ValueError
        except ValueError:
            errors.append({"field": "limit", "detail": _l("Un nombre entier de 1 ou plus.")})
    after = None
    if request.args.get("cursor"):
        after = _read_cursor(request.args["cursor"])
        if after is None:
            errors.append(
                {"field": "cursor", "detail": _l("Ce curseur ne vient pas d'une page précédente.")}
            )
    since = None
    if request.args.get("updated_since"):
        since = _read_time(request.args["updated_since"])
        if since is None:
            errors.append(
                {
                    "field": "updated_since",
                    "detail": _l("Une date et heure ISO 8601, par exemple 2026-05-02T09:30:00Z."),
                }
            )
    if errors:
        raise ApiProblem("validation", errors=errors)
    return PageArgs(limit, after, since)


def page(query: Select, when, ident, args: PageArgs) -> tuple[list, str | None]:
    """One page of ``query`` ordered by (``when``, ``ident``) columns; the next cursor or None."""
    if args.updated_since is not None:
        query = query.where(when >= args.updated_since)
    if args.after is not None:
        at, last = args.after
        query = query.where(or_(when > at, and_(when == at, ident > last)))
    rows = list(db.session.scalars(query.order_by(when, ident).limit(args.limit + 1)))
    more = len(rows) > args.limit
    rows = rows[: args.limit]
    return rows, (_cursor(rows[-1], when.key, ident.key) if more else None)


def _cursor(row, when: str, ident: str) -> str:
    value = json.dumps([getattr(row, when).isoformat(), getattr(row, ident)])
    return base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")


def _read_cursor(text: str) -> tuple[datetime, int] | None:
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        at, last = json.loads(raw)
        moment = _read_time(at)
        if moment is None or not isinstance(last, int):
            return None
        return moment, last
    except (binascii.Error, ValueError, TypeError):
        return None


def _read_time(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
