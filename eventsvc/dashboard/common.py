"""What every dashboard view needs: the login check, the event lookup, no caching."""

from __future__ import annotations

from babel.dates import format_datetime
from babel.numbers import format_percent
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select

from ..attendance import rules as attendance_rules
from ..audit import service as audit
from ..audit.sentences import Line, sentence
from ..events.lookups import organiser_event
from ..extensions import db
from ..registrations.models import Registration
from ..web import actor, flash_unsent, render
from . import bp


@bp.before_request
@login_required
def require_login():
    """Every dashboard URL needs an organiser session (else: the login page)."""


@bp.after_request
def no_store(response):
    """Pages full of personal data stay out of shared caches and the browser's history cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


# Moved where every domain's organiser pages can reach them without importing the dashboard.
__all__ = ["actor", "flash_unsent", "organiser_event", "render"]


@bp.app_template_global("audit_sentences")
def audit_sentences(entries) -> list[str]:
    """Each log line as a sentence in the page's language (``audit.sentences``), naming the
    person it is about: plain text, escaped by the template like any other."""
    ids = {entry.registration_id for entry in entries if entry.registration_id is not None}
    names = {}
    if ids:
        rows = db.session.execute(
            select(Registration.id, Registration.first_name, Registration.last_name).where(
                Registration.id.in_(ids)
            )
        )
        names = {row.id: " ".join(x for x in (row.first_name, row.last_name) if x) for row in rows}
    locale = str(get_locale())
    return [
        sentence(
            Line(
                entry.action,
                entry.details or {},
                entry.actor_label or "",
                names.get(entry.registration_id, ""),
            ),
            locale,
            audit.ACTION_LABELS,
        ).render(_, locale)
        for entry in entries
    ]


@bp.app_template_filter("when")
def when(value, zone=None) -> str:
    """« 25/11/2026 09:22 »: a moment, short, in the event's zone."""
    if value is None:
        return ""
    return format_datetime(value.astimezone(zone), format="short", locale=get_locale())


@bp.app_template_filter("actor")
def actor_label(label: str) -> str:
    """Who acted, as the log shows it: an organiser's email, or a label for the others."""
    return {
        "": _("participant·e"),
        audit.PARTICIPANT: _("participant·e"),
        audit.COMMAND_LINE: _("ligne de commande"),
    }.get(label, label)


@bp.app_template_filter("folded")
def folded(text: str) -> str:
    """What static/checkin.js compares a search with: lower case, accents removed."""
    return attendance_rules.folded(text)


@bp.app_template_filter("percent")
def percent(value: float) -> str:
    """0.125 → « 13 % » in French, « 13% » in English."""
    return format_percent(value, locale=get_locale())
