"""The public list (``/``): the upcoming events anyone may sign up to, with the places left, and
the same events as an iCalendar feed to subscribe to (``/evenements.ics``).

``PUBLIC_LIST`` turns both off (404, as before the list existed). Three queries whatever the
number of events (the events, their parts, the confirmed places of all of them at once), and
two more when some part has a limit of its own.
"""

from __future__ import annotations

from flask import Response, abort, current_app, render_template
from flask_babel import gettext as _

from ..events import rules
from ..events import service as events
from ..registrations import calendar_files
from ..registrations import queries as listing
from ..registrations.models import RegistrationStatus
from .public import bp

# Calendar applications poll a feed; public data, so a shared cache may keep it a few minutes.
FEED_MAX_AGE = 15 * 60


def _listed():
    if not current_app.config["PUBLIC_LIST"]:
        abort(404)
    return events.open_for_signup()


@bp.get("/")
def events_list():
    upcoming = _listed()
    counts = listing.status_counts_by_event([event.id for event in upcoming])
    # Only when some part has a limit of its own (two more grouped queries, whatever the number).
    limited = [e for e in upcoming if any(part.capacity is not None for part in e.parts)]
    per_part = listing.part_counts_by_event(limited)
    places = {}
    for event in upcoming:
        fill = rules.Fill(
            confirmed=counts[event.id][RegistrationStatus.CONFIRMED], capacity=event.capacity
        )
        part_left = [
            None if part.capacity is None else max(part.capacity - per_part[part.id], 0)
            for part in event.parts
        ]
        places[event.id] = rules.places_to_announce(fill.places_left, part_left)
    return render_template("public/events.html", events=upcoming, places=places)


@bp.get("/evenements.ics")
def events_feed():
    body = calendar_files.events_feed(_listed(), name=_feed_name())
    return Response(
        body,
        mimetype="text/calendar",
        headers={
            "Content-Disposition": 'inline; filename="evenements.ics"',
            "Cache-Control": f"public, max-age={FEED_MAX_AGE}",
            # Its name and the parts' times are written in the visitor's language.
            "Vary": "Accept-Language, Cookie",
        },
    )


def _feed_name() -> str:
    return _("%(organisation)s : événements à venir", organisation=_organisation())


def _organisation() -> str:
    return current_app.config["ORGANISATION_NAME"] or "eventsvc"
