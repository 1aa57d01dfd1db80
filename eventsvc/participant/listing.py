"""The public list (``/``): the upcoming events anyone may sign up to, with the places left, and
the same events as an iCalendar feed to subscribe to (``/evenements.ics``).

``PUBLIC_LIST`` turns both off (404, as before the list existed). Three queries whatever the
number of events: the events, their parts, and the confirmed places of all of them at once.
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
    fills = {
        event.id: rules.Fill(
            confirmed=counts[event.id][RegistrationStatus.CONFIRMED],
            capacity=event.capacity,
            waitlisted=counts[event.id][RegistrationStatus.WAITLISTED],
        )
        for event in upcoming
    }
    return render_template("public/events.html", events=upcoming, fills=fills)


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
