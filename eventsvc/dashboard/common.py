"""What every dashboard view needs: the login check, the event lookup, no caching."""

from __future__ import annotations

from babel.dates import format_datetime
from flask import flash, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..audit import service as audit
from ..events import service as events
from ..events.models import Event
from ..mail import bulk
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


def organiser_event(event_id: int) -> Event:
    """The event, if the organiser logged in is one of its organisers; 404 otherwise."""
    return events.get_event_for_organiser_or_404(event_id, current_user)


def actor():
    return current_user._get_current_object()


def flash_unsent(unsent: list[bulk.Unsent]) -> None:
    """After a mass operation: who could not be written to, and why (the rest in the log)."""
    for line in bulk.summary(unsent, limit=FLASHED_UNSENT):
        flash(line, "warning")


# Flashed messages travel in the session cookie: the first few names, the others in the log.
FLASHED_UNSENT = 5


def render(template: str, status: int = 200, **context):
    return render_template(f"dashboard/{template}", **context), status


@bp.app_template_global("audit_label")
def audit_label(action: str):
    return audit.label(action)


@bp.app_template_filter("audit_details")
def audit_details(details: dict) -> str:
    """A log line's details as plain text (escaped by the template like any text)."""
    parts = []
    for key, value in (details or {}).items():
        if key == "changes" and isinstance(value, dict):
            for name, change in value.items():
                old, new = change if isinstance(change, list) and len(change) == 2 else ("", change)
                parts.append(f"{name} : {_plain(old)} → {_plain(new)}")
        else:
            parts.append(f"{key} : {_plain(value)}")
    return " ; ".join(parts)


def _plain(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(_plain(item) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k} = {_plain(v)}" for k, v in value.items())
    if isinstance(value, bool):
        return _("oui") if value else _("non")
    return str(value)


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
