"""The reminder email: text and HTML in the person's language, queued in the outbox.

It carries what a person needs on the way: the days and the parts they attend with their times,
the venue with its address and a map link, the organiser's text for the reminder, and their
personal link. No calendar: their agenda already holds the event (confirmation, updates).
"""

from __future__ import annotations

from ..common import markdown_text
from ..links import external_url, personal_url
from ..mail import outbox
from ..mail.compose import compose
from ..registrations import participant_rights
from ..registrations.models import Registration
from . import rules


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
            # The organiser's words: the Markdown subset of every email text, never HTML.
            "organiser_text": markdown_text.to_plain(event.reminder_text or ""),
            "organiser_html": markdown_text.to_html(event.reminder_text or ""),
            "link": personal_url(registration),
            "link_offer": participant_rights.link_offer(registration),
            "event_url": external_url("public.event_page", slug=event.slug),
        },
    )
    return outbox.enqueue(message_key(registration, start), composed.message)
