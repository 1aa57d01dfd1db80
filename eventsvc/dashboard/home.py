"""The dashboard's own pages: the organiser's events (the home page) and an event's overview.

Both show several domains at once (events, registration counts, attendance figures, the audit
log), so they belong to the dashboard shell rather than to the events domain, which may not import
the domains above it. The event's own pages (edit, parts, questions, organisers...) live in
``events.organiser``."""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from flask_login import current_user

from .. import embedding
from ..attendance import service as attendance
from ..audit import service as audit
from ..database import utcnow
from ..events import queries, rules
from ..events.forms import OrganiserForm, StatusForm
from ..events.lookups import organiser_event
from ..jobs import queries as jobs
from ..links import external_url
from ..registrations import queries as listing
from ..registrations.models import RegistrationStatus
from ..web import render
from . import bp

# A longer search is cut rather than refused: no title is that long (events.models: 200).
SEARCH_MAX = 200


@bp.get("/")
def index():
    """The organiser's events: upcoming and in progress first, then past ones, each with how full
    it is; ``?q=`` keeps those whose title holds the words searched."""
    search = request.args.get("q", "").strip()[:SEARCH_MAX]
    events = queries.events_for(current_user, search)
    counts = listing.status_counts_by_event([event.id for event in events])
    fills = {
        event.id: rules.Fill(
            confirmed=counts[event.id][RegistrationStatus.CONFIRMED],
            capacity=event.capacity,
            waitlisted=counts[event.id][RegistrationStatus.WAITLISTED],
        )
        for event in events
    }
    now = utcnow()
    upcoming, past = rules.upcoming_first(events, now)
    return render(
        "index.html",
        now=now,
        upcoming=upcoming,
        past=past,
        fills=fills,
        search=search,
        has_events=bool(events) or bool(search),
    )


@bp.get("/events/<int:event_id>")
def event(event_id: int):
    event = organiser_event(event_id)
    return render(
        "event.html",
        event=event,
        counts=listing.counts(event),
        log=audit.for_event(event, limit=10),
        jobs=[jobs.view(job) for job in jobs.recent_for_event(event.id)],
        status_form=StatusForm(),
        organiser_form=OrganiserForm(),
        needs_confirmation=queries.needs_confirmation(event),
        figures=attendance.figures(event),
        embed_snippet=embedding.snippet(
            external_url("public.embed", slug=event.slug),
            external_url("static", filename="embed-host.js"),
            _("Inscription : %(title)s", title=event.title),
        ),
        embed_origins=embedding.origins(),
    )
