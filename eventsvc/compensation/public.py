"""Public compensation endpoint: the distance from a commune to an event's venue, as JSON.

Used by ``static/distance.js`` to prefill the round-trip distance while the person types their
commune (progressive enhancement: the form works fully without it, the server fills the distance
from the same table).
"""

from __future__ import annotations

from flask import Blueprint, abort, jsonify, request

from ..events import lookups
from . import declarations

bp = Blueprint("compensation", __name__)
ORIGIN_MAX = 300


@bp.get("/e/<slug>/distance")
def distance(slug: str):
    event = lookups.public_event(slug)
    if not event.compensation_offered:
        abort(404)
    origin = (request.args.get("from") or "").strip()[:ORIGIN_MAX]
    km = declarations.distance_for(event, origin) if origin else None
    response = jsonify(
        {"from": origin, "round_trip_km": None if km is None else format(km.normalize(), "f")}
    )
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
