"""The organiser's compensation pages, registered by the dashboard on its blueprint:

- ``organiser_distances``: the organisation's distance table (read by all, replaced by admins);
- ``organiser_claims``: the claims of an event (compute, review, correct, validate, history);
- ``organiser_batches``: the finance batches (create, export, record the payment).

Each adds its routes to the one ``pages`` collection (``organiser_common``), which the dashboard
registers with ``web.organiser_pages``, with the template filter ``message`` (:func:`message_text`,
compensation messages in the page's language). Importing this module attaches every route.
"""

from __future__ import annotations

from . import organiser_batches, organiser_claims, organiser_distances  # noqa: F401 (routes)
from .organiser_common import message_text, pages

__all__ = ["message_text", "pages"]
