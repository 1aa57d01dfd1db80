"""The organiser's dashboard: one blueprint, every page behind a login, every event looked up
through ``events.service.get_event_for_organiser_or_404``. Views live in ``events``,
``registrations`` and ``imports`` modules of this package; the work is done by the services of the
domain packages."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from ..compensation import organiser as compensation_organiser  # noqa: E402
from ..invitations import views as _invitations  # noqa: E402,F401  (contacts, invitations)
from ..web import organiser_pages  # noqa: E402
from . import (  # noqa: E402,F401  (routes attach to bp)
    attendance,
    common,
    events,
    imports,
    registrations,
)

organiser_pages(bp, compensation_organiser.pages)
bp.add_app_template_filter(compensation_organiser.message_text, "message")
