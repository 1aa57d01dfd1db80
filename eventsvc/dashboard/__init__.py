"""The organiser's dashboard: one blueprint, every page behind a login, every event looked up
through ``events.service.get_event_for_organiser_or_404``. Views live in ``events``,
``registrations`` and ``imports`` modules of this package; the work is done by the services of the
domain packages."""

from flask import Blueprint

from ..web import organiser_pages

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from ..events import organiser as events_organiser  # noqa: E402
from ..events import organiser_parts as events_parts  # noqa: E402
from ..events import organiser_questions as events_questions  # noqa: E402
from ..invitations import views as _invitations  # noqa: E402,F401  (contacts, invitations)
from . import (  # noqa: E402,F401  (routes attach to bp)
    attendance,
    common,
    compensation,
    home,
    imports,
    registrations,
)

organiser_pages(bp, events_organiser.pages, events_parts.pages, events_questions.pages)
