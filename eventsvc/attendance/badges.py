"""Badges and table cards (issue 17): PDFs by WeasyPrint, like the sign-in sheets.

- Badges: A4 sheets of 10 labels (2 columns × 5 rows of 105 × 59.4 mm, the common « 10 par
  page » label sheets), each with the person's name, organisation and the QR code of their
  check-in code (``common.tokens.checkin_code``), read by the check-in page's scanner.
- Table cards: one A4 landscape page per person, folded in half along its length; the name
  large on both halves, the upper one upside down so that it reads from across the table.

For the confirmed participants of the event, or a selection of them (registration ids)."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import select

from ..common import qr_codes
from ..events.models import Event
from ..extensions import db
from ..links import checkin_code
from ..registrations.models import Registration, RegistrationStatus
from . import rules
from .documents import _pdf

PER_SHEET = 10  # 2 columns × 5 rows


@dataclass(frozen=True)
class Badge:
    registration: Registration
    code: str
    qr_data_uri: str


def people(event: Event, selection: Iterable[int] | None = None) -> list[Registration]:
    """The confirmed participants of the event (not erased), by name; only those of
    ``selection`` when given (ids of other events or of people not confirmed are left out)."""
    query = select(Registration).where(
        Registration.event_id == event.id,
        Registration.status == RegistrationStatus.CONFIRMED,
        Registration.anonymised_at.is_(None),
    )
    if selection is not None:
        query = query.where(Registration.id.in_(list(selection)))
    found = db.session.scalars(query).all()
    return sorted(found, key=lambda r: rules.name_order(r.last_name, r.first_name))


def _badge(registration: Registration) -> Badge:
    code = checkin_code(registration)
    png = qr_codes.png(code, scale=6)
    return Badge(registration, code, "data:image/png;base64," + base64.b64encode(png).decode())


def badges_pdf(event: Event, registrations: list[Registration]) -> bytes:
    badges = [_badge(r) for r in registrations]
    sheets = [badges[i : i + PER_SHEET] for i in range(0, len(badges), PER_SHEET)]
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        html = render_template("print/badges.html", event=event, sheets=sheets)
    return _pdf(html)


def table_cards_pdf(event: Event, registrations: list[Registration]) -> bytes:
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        html = render_template("print/table_cards.html", event=event, people=registrations)
    return _pdf(html)
