"""The organiser's compensation pages, registered by the dashboard on its blueprint:

- ``organiser_distances``: the organisation's distance table (read by all, replaced by admins);
- ``organiser_claims``: the claims of an event (compute, review, correct, validate, history);
- ``organiser_batches``: the finance batches (create, export, record the payment).

The dashboard registers ``pages`` with ``web.organiser_pages`` and the template filter
``message`` (:func:`message_text`, compensation messages in the page's language).
"""

from __future__ import annotations

from . import organiser_batches, organiser_claims, organiser_distances
from .organiser_common import message_text

pages = (organiser_distances.pages, organiser_claims.pages, organiser_batches.pages)

__all__ = ["message_text", "pages"]
