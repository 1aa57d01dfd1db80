"""The API's reads, its authentication, its errors and its rate limit."""

from __future__ import annotations

from flask import current_app, g, jsonify, request
from werkzeug.exceptions import HTTPException

from ..database import begin_write
from ..extensions import db, limiter
from ..security import client_address
from . import bp, operation, reads, schemas, tokens
from .openapi import document
from .paging import page_args
from .problems import ApiProblem, rate_limited, response, status_kind, unauthorized

PUBLIC_ENDPOINTS = {"api.openapi_document"}


def token_key() -> str:
    """Rate limits count per token (its digest), not per client address; requests without a
    token count per address (they get 401 anyway)."""
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return "api-anonymous:" + client_address()
    return "api:" + tokens.digest(secret.strip())


bp_limit = limiter.limit(
    lambda: current_app.config["API_RATE_LIMIT"],
    key_func=token_key,
    exempt_when=lambda: request.endpoint in PUBLIC_ENDPOINTS,
)
bp_limit(bp)


@bp.before_request
def authenticate():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
    token = tokens.authenticate(secret.strip()) if scheme.lower() == "bearer" else None
    if token is None:
        raise unauthorized()
    if tokens.use_is_due(token):
        # Its own short write, even in a GET (whose transaction SQLite began as a reader).
        db.session.commit()
        begin_write(db.session)
        tokens.record_use(token)
        db.session.commit()
    g.api_token = token


def organiser():
    return g.api_token.user


@bp.after_request
def no_store(result):
    result.headers["Cache-Control"] = "no-store"
    return result


@bp.errorhandler(ApiProblem)
def problem(error: ApiProblem):
    return response(error)


def http_problem(error: HTTPException):
    if error.code == 429:
        current = limiter.current_limit
        return response(rate_limited(current.reset_at if current else None))
    return response(ApiProblem(status_kind(error.code or 400)))


# By code as well: the app's HTML pages for these codes would otherwise answer first.
bp.register_error_handler(HTTPException, http_problem)
for _code in (400, 404, 405, 429):
    bp.register_error_handler(_code, http_problem)


def found(value):
    if value is None:
        raise ApiProblem("not-found")
    return value


def paged(rows, cursor, out):
    return jsonify(
        {"data": [out(row).model_dump(mode="json") for row in rows], "next_cursor": cursor}
    )


@operation(
    "GET", "/events", "The organiser's events, with their parts and questions",
    schemas.Page[schemas.EventOut], paged=True,
)  # fmt: skip
def list_events():
    rows, cursor = reads.events_page(organiser(), page_args())
    return paged(rows, cursor, reads.event_out)


@operation("GET", "/events/<int:event_id>", "One event", schemas.EventOut, problems=(404,))
def get_event(event_id: int):
    return jsonify(
        reads.event_out(found(reads.event(organiser(), event_id))).model_dump(mode="json")
    )


@operation(
    "GET", "/events/<int:event_id>/registrations", "The event's registrations",
    schemas.Page[schemas.RegistrationOut], paged=True, problems=(404,),
)  # fmt: skip
def list_registrations(event_id: int):
    event = found(reads.event(organiser(), event_id))
    rows, cursor = reads.registrations_page(event, page_args())
    return paged(rows, cursor, reads.registration_out)


@operation(
    "GET", "/registrations/<registration_id>", "One registration", schemas.RegistrationOut,
    problems=(404,),
)  # fmt: skip
def get_registration(registration_id: str):
    registration = found(reads.registration(organiser(), registration_id))
    return jsonify(reads.registration_out(registration).model_dump(mode="json"))


@operation(
    "GET", "/events/<int:event_id>/check-ins", "The event's check-ins (one per person and part)",
    schemas.Page[schemas.CheckInOut], paged=True, problems=(404,),
)  # fmt: skip
def list_checkins(event_id: int):
    event = found(reads.event(organiser(), event_id))
    rows, cursor = reads.checkins_page(event, page_args())
    return paged(rows, cursor, reads.checkin_out)


@operation(
    "GET", "/events/<int:event_id>/claims", "The event's compensation claims",
    schemas.Page[schemas.ClaimOut], paged=True, problems=(404,),
)  # fmt: skip
def list_claims(event_id: int):
    event = found(reads.event(organiser(), event_id))
    rows, cursor = reads.claims_page(event, page_args())
    return paged(rows, cursor, reads.claim_out)


@operation(
    "GET", "/batches", "Batches of claims for finance holding only the organiser's events",
    schemas.Page[schemas.BatchOut], paged=True,
)  # fmt: skip
def list_batches():
    rows, cursor = reads.batches_page(organiser(), page_args())
    return paged(rows, cursor, reads.batch_out)


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(document())
