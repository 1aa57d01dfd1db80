"""The reminder email: text and HTML in the person's language, queued in the outbox.

It carries what a person needs on the way: the days and the parts they attend with their times,
the venue with its address and a map link, the organiser's text for the reminder, and their
personal link. No calendar: their agenda already holds the event (confirmation, updates).
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from ..links import external_url, personal_url
from ..mail import outbox
from ..mail.compose import compose
from ..registrations.models import Registration
from . import rules


def _organiser_text_html(text: str | None) -> Markup:
    """The organiser's text as escaped plain text: paragraphs at blank lines, line breaks kept.

    Nothing typed can become markup (``<b>`` shows as typed)."""
    paragraphs = [p for p in re.split(r"\n\s*\n", (text or "").replace("\r\n", "\n")) if p.strip()]
    return Markup("\n").join(
        Markup("<p>{}</p>").format(Markup("<br>\n").join(escape(line) for line in p.splitlines()))
        for p in paragraphs
    )


def message_key(registration: Registration, start) -> str:
    """« kind:<public id>:… » as every message of a registration (the retention purge finds it)."""
    return f"reminder:{registration.public_id}:{start:%Y%m%dT%H%M%SZ}"


def send_reminder(registration: Registration, start) -> bool:
    """Queue the reminder of ``registration`` for the first part it attends, starting at
    ``start`` (UTC); False if that message was queued already."""
    event = registration.event
    parts = sorted(registration.attended_parts, key=lambda part: part.starts_at)
    venue = ", ".join(x for x in (event.venue_name, event.venue_address, event.venue_commune) if x)
    composed = compose(
        "reminder",
        to_name=registration.display_name,
        to_email=registration.email,
        locale=registration.locale,
        context={
            "event": event,
            "registration": registration,
            "parts": parts,
            "days": sorted({part.local_start.date() for part in parts}),
            "venue": venue,
            "map_url": rules.map_url(event.venue_address, event.venue_commune)
            or rules.map_url(event.venue_name),
            "organiser_text": (event.reminder_text or "").strip(),
            "organiser_html": _organiser_text_html(event.reminder_text),
            "link": personal_url(registration),
            "event_url": external_url("public.event_page", slug=event.slug),
        },
    )
    return outbox.enqueue(message_key(registration, start), composed.message)
