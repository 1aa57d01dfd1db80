"""Calendars to download: the public programme of an event, the feed of the public list, a
participant's own days."""

from __future__ import annotations

from .. import calendars as calendar
from ..database import utcnow
from ..i18n import part_label
from ..links import external_url, personal_url
from .notifications import attended_days, occurrences, organizer, sequence


def event_calendar(event) -> bytes:
    """One VEVENT per part, METHOD:PUBLISH (an ORGANIZER, no ATTENDEE)."""
    return calendar.publish(
        _part_occurrences(event),
        organizer=organizer(event),
        sequence=event.calendar_sequence,
        zone=event.timezone,
        stamp=utcnow(),
    )


def events_feed(events, *, name: str) -> bytes:
    """The public list as a calendar to subscribe to: each event's parts as in
    :func:`event_calendar`, with the same UIDs, so that a part imported from the event's page
    and the same part from the feed are one entry, updated in place, in the person's calendar."""
    return calendar.feed(
        [
            calendar.Published(
                occurrences=_part_occurrences(event),
                organizer=organizer(event),
                sequence=event.calendar_sequence,
                zone=event.timezone,
            )
            for event in events
        ],
        name=name,
        stamp=utcnow(),
    )


def _part_occurrences(event) -> list[calendar.Occurrence]:
    location = ", ".join(
        x for x in (event.venue_name, event.venue_address, event.venue_commune) if x
    )
    url = external_url("public.event_page", slug=event.slug)
    return [
        calendar.Occurrence(
            uid=f"part-{part.id}-{event.slug}@eventsvc",
            start=part.local_start,
            end=part.local_end,
            summary=f"{event.title} — {part.label}",
            location=location,
            description=f"{part_label(part)}\n{url}",
            url=url,
        )
        for part in event.parts
    ]


def personal_calendar(registration) -> bytes:
    """The person's attended days with the UIDs of their invitations, to import by hand."""
    link = personal_url(registration)
    items = occurrences(registration, attended_days(registration), link)
    return calendar.publish(
        items,
        organizer=organizer(registration.event),
        sequence=sequence(registration),
        zone=registration.event.timezone,
        stamp=utcnow(),
    )
