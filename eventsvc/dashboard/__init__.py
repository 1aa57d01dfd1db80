"""The organiser's dashboard: the shell every organiser page hangs on.

One blueprint (``/dashboard``, login required, ``no-store``: see ``common.py``) with the home page
(``home.py``) and what pages share (template filters). Each domain writes its own pages in its
``organiser*.py`` modules (``web.OrganiserPages``); they are registered here, the only place that
imports them, so no domain imports the dashboard."""

from flask import Blueprint

from ..web import organiser_pages

bp = Blueprint("dashboard", __name__, url_prefix="/dashboard")

from ..attendance import organiser as attendance_organiser  # noqa: E402
from ..attendance import organiser_documents as attendance_documents  # noqa: E402
from ..attendance import organiser_scan as attendance_scan  # noqa: E402
from ..attendance import organiser_signatures as attendance_signatures  # noqa: E402
from ..compensation import organiser as compensation_organiser  # noqa: E402
from ..events import organiser as events_organiser  # noqa: E402
from ..events import organiser_parts as events_parts  # noqa: E402
from ..events import organiser_qr as events_qr  # noqa: E402
from ..events import organiser_questions as events_questions  # noqa: E402
from ..invitations import organiser as invitations_organiser  # noqa: E402
from ..invitations import organiser_bodies as invitations_bodies  # noqa: E402
from ..messaging import organiser as messaging_organiser  # noqa: E402
from ..registrations import organiser as registrations_organiser  # noqa: E402
from ..registrations import organiser_actions as registrations_actions  # noqa: E402
from ..registrations import organiser_import as registrations_import  # noqa: E402
from ..webhooks import organiser as webhooks_organiser  # noqa: E402
from . import common, email_preview, home, jobs  # noqa: E402,F401  (routes and filters attach to bp)

organiser_pages(
    bp, events_organiser.pages, events_parts.pages, events_questions.pages, events_qr.pages
)
organiser_pages(
    bp, registrations_organiser.pages, registrations_actions.pages, registrations_import.pages
)
organiser_pages(
    bp,
    attendance_organiser.pages,
    attendance_documents.pages,
    attendance_signatures.pages,
    attendance_scan.pages,
)
organiser_pages(bp, invitations_organiser.pages, messaging_organiser.pages)
organiser_pages(bp, invitations_bodies.pages)
organiser_pages(bp, email_preview.pages)
organiser_pages(bp, compensation_organiser.pages)
organiser_pages(bp, webhooks_organiser.pages)
bp.add_app_template_filter(compensation_organiser.message_text, "message")
