"""What every page that writes needs, whatever domain it belongs to.

Foundation of the web layer: it imports no domain, so a domain's own pages (``organiser.py``,
``public.py``) use it without a cycle. Two pieces:

- :class:`writes`: one write operation per request, committed on success; a :class:`DomainError`
  rolls back and is shown to the person (next to its field, or at the top), never a 500 and never
  half a change. Views lose their try/except/rollback blocks.
- :class:`OrganiserPages` and :func:`organiser_pages`: a domain collects its dashboard pages, the
  dashboard registers them on its blueprint, which sets the ``/dashboard`` prefix, the login
  requirement and ``Cache-Control: no-store`` once for all. Endpoints keep their ``dashboard.``
  names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, abort, flash, render_template
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .common.errors import DomainError
from .extensions import db
from .mail import bulk

T = TypeVar("T")

# Flashed messages travel in the session cookie: the first few names, the others in the log.
FLASHED_UNSENT = 5


class writes:  # noqa: N801 - used as a statement: ``with writes(form) as write:``
    """Run the write of one request: commit when the block ends normally.

    On a :class:`DomainError` the session rolls back, the error is kept in ``write.error`` and
    shown (appended to ``form[error.field].errors`` when the form has that field, else flashed),
    and the exception stops here: the view checks ``write.failed`` and renders the page again.
    Any other exception rolls back and goes on up. Mass sendings inside the block collect who
    could not be written to (``write.unsent``), flashed after the commit unless ``flash_unsent``
    is False."""

    def __init__(self, form=None, *, flash_error: bool = True, flash_unsent: bool = True):
        self.form = form
        self.flash_error = flash_error
        self.flash_unsent = flash_unsent
        self.error: DomainError | None = None
        self.unsent: list[bulk.Unsent] = []

    @property
    def failed(self) -> bool:
        return self.error is not None

    def __enter__(self) -> writes:
        self._collecting = bulk.collect()
        self.unsent = self._collecting.__enter__()
        return self

    def __exit__(self, kind, error, traceback) -> bool:
        self._collecting.__exit__(kind, error, traceback)
        if error is None:
            db.session.commit()
            if self.flash_unsent:
                flash_unsent(self.unsent)
            return False
        db.session.rollback()
        if not isinstance(error, DomainError):
            return False
        self.error = error
        self.unsent = []
        field = _form_field(self.form, error.field)
        if field is not None:
            field.errors = [*field.errors, message_text(error.message)]
        elif self.flash_error:
            flash(message_text(error.message), "error")
        return True


def message_text(message) -> str:
    """A domain's message in the reader's language: a lazy string, or a ``common.wording.Message``
    that pure modules return (rendered here, since they cannot call Flask-Babel themselves)."""
    if hasattr(message, "render"):
        return message.render(_, str(get_locale()))
    return str(message)


def _form_field(form, name: str | None):
    if form is None or not name:
        return None
    try:
        return form[name]
    except KeyError:
        return None


def found(value: T | None) -> T:
    """The object a URL names, or the 404 of one that does not exist: domains' queries answer
    None for another organiser's object too, so nobody learns which ids exist."""
    if value is None:
        abort(404)
    return value


def flash_unsent(unsent: list[bulk.Unsent]) -> None:
    """After a mass operation: who could not be written to, and why (the rest in the log)."""
    for line in bulk.summary(unsent, limit=FLASHED_UNSENT):
        flash(line, "warning")


def actor():
    """The organiser logged in, as the operations take them (not the request-bound proxy)."""
    return current_user._get_current_object()


def render(template: str, status: int = 200, **context):
    """A dashboard page: templates live under ``templates/dashboard/``."""
    return render_template(f"dashboard/{template}", **context), status


class OrganiserPages:
    """A domain's dashboard pages, collected where they are written and registered by the
    dashboard (:func:`organiser_pages`), so that no domain imports the dashboard."""

    def __init__(self, name: str):
        self.name = name
        self._rules: list[tuple[str, str, Callable, dict[str, Any]]] = []

    def route(self, rule: str, **options):
        def register(view: Callable) -> Callable:
            endpoint = options.pop("endpoint", view.__name__)
            self._rules.append((rule, endpoint, view, options))
            return view

        return register

    def register_on(self, bp: Blueprint) -> None:
        for rule, endpoint, view, options in self._rules:
            bp.add_url_rule(rule, endpoint, view, **options)


def organiser_pages(bp: Blueprint, *domains: OrganiserPages) -> None:
    """Put each domain's pages on the dashboard blueprint: its prefix, login check and no-store
    apply to all of them, and ``url_for("dashboard.<view>")`` names them."""
    for pages in domains:
        pages.register_on(bp)
