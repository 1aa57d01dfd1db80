"""The dashboard's own pages: the organiser's events (the home page) and an event's overview.

Both show several domains at once (events, registration counts, attendance figures, the audit
log), so they belong to the dashboard shell rather than to the events domain, which may not import
the domains above it. The event's own pages (edit, parts, questions, organisers...) live in
``events.organiser``."""

from __future__ import annotations

from flask_login import current_user

from ..attendance import service as attendance
from ..audit import service as audit
from ..events import queries
from ..events.forms import OrganiserForm, StatusForm
from ..events.lookups import organiser_event
from ..registrations import queries as listing
from ..web import render
from . import bp


@bp.get("/")
def index():
    events = queries.events_for(current_user)
    counts = {event.id: listing.status_counts(event) for event in events}
    return render("index.html", events=events, counts=counts)


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    event = organiser_event(event_id)
    return render(
        "event.html",
        event=event,
        counts=listing.counts(event),
        log=audit.for_event(event, limit=10),
        status_form=StatusForm(),
        organiser_form=OrganiserForm(),
        needs_confirmation=queries.needs_confirmation(event),
        figures=attendance.figures(event),
    )
