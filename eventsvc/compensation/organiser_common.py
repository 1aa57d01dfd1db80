"""What the organiser's compensation pages share: the collection of pages (``pages``, which the
subject modules add their routes to and the dashboard registers), messages in the page's
language, who acts, and which events are the organiser's own.

Compensation refusals carry a translatable :class:`~eventsvc.common.wording.Message`, shown in the
reader's language (``say``), so the pages run their writes with ``writes(flash_error=False)`` and
show ``say(write.error)`` themselves.
"""

from __future__ import annotations

from flask_login import current_user

from .. import web
from ..common.errors import DomainError
from ..common.wording import Message
from ..events import queries as event_queries
from ..web import OrganiserPages

pages = OrganiserPages("compensation")


def message_text(message: Message | str) -> str:
    """A compensation ``Message`` in the page's language (escaped by the template like any text).

    The dashboard registers it as the template filter ``message``."""
    return web.message_text(message)


def say(error: DomainError) -> str:
    return message_text(error.message)


def by() -> str:
    """Who acts, as the claims and batches keep it (``computed_by``, ``validated_by``...)."""
    return current_user.email


def own_event_ids() -> set[int]:
    return {event.id for event in event_queries.events_for(current_user)}
