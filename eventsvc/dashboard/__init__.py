"""The organiser's dashboard: one blueprint, every page behind a login, every event looked up
through ``events.service.get_event_for_organiser_or_404``. Views live in ``events``,
``registrations`` and ``imports`` modules of this package; the work is done by the services of the
domain packages."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from ..attendance import organiser as attendance_organiser  # noqa: E402
from ..attendance import organiser_documents as attendance_documents  # noqa: E402
from ..invitations import views as _invitations  # noqa: E402,F401  (contacts, invitations)
from ..registrations import organiser as registrations_organiser  # noqa: E402
from ..registrations import organiser_import as registrations_import  # noqa: E402
from ..web import organiser_pages  # noqa: E402
from . import (  # noqa: E402,F401  (routes attach to bp)
    common,
    compensation,
    events,
)

organiser_pages(bp, registrations_organiser.pages, registrations_import.pages)
organiser_pages(bp, attendance_organiser.pages, attendance_documents.pages)
