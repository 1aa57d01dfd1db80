"""Errors of the API as ``application/problem+json`` (RFC 9457): ``type``, ``title``, ``status``,
``detail`` and, for a request that fails validation, ``errors`` (one per field).

Titles and details are written in French in the code and translated into the request's language
(``Accept-Language``, French by default) like every page of the service."""

from __future__ import annotations

import time

from flask import Response, json
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from ..web import message_text

MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "urn:eventsvc:problem:"

# slug -> (status, title): the kinds of problem the API answers with (listed in the OpenAPI).
KINDS = {
    "unauthorized": (401, _l("Jeton d'API absent, inconnu ou révoqué")),
    "forbidden": (403, _l("Ce jeton ne permet que la lecture")),
    "not-found": (404, _l("Introuvable")),
    "method-not-allowed": (405, _l("Méthode non permise")),
    "bad-request": (400, _l("Requête illisible")),
    "validation": (422, _l("Certaines valeurs ne conviennent pas")),
    "conflict": (409, _l("Action refusée dans l'état actuel")),
    "already-registered": (409, _l("Cette personne est déjà inscrite")),
    "rate-limited": (429, _l("Trop de requêtes pour ce jeton")),
}


class ApiProblem(Exception):
    """Raised by the API's views; the blueprint's handler turns it into the response."""

    def __init__(
        self,
        kind: str,
        detail=None,
        *,
        errors: list[dict] | None = None,
        headers: dict | None = None,
        extra: dict | None = None,
    ):
        super().__init__(kind)
        self.kind = kind
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra or {}


def response(problem: ApiProblem) -> Response:
    status, title = KINDS[problem.kind]
    body = {"type": TYPE_BASE + problem.kind, "title": str(title), "status": status}
    if problem.detail is not None:
        body["detail"] = message_text(problem.detail)
    if problem.errors:
        body["errors"] = [
            {"field": error["field"], "detail": message_text(error["detail"])}
            for error in problem.errors
        ]
    body.update(problem.extra)
    result = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    result.headers["Content-Language"] = str(get_locale())
    for name, value in problem.headers.items():
        result.headers[name] = value
    return result


def unauthorized() -> ApiProblem:
    return ApiProblem(
        "unauthorized",
        _l("Envoyez un jeton valide dans l'en-tête « Authorization: Bearer … »."),
        headers={"WWW-Authenticate": 'Bearer realm="eventsvc"'},
    )


def rate_limited(reset_at: float | None) -> ApiProblem:
    wait = max(1, int((reset_at or time.time() + 60) - time.time()) + 1)
    return ApiProblem(
        "rate-limited",
        _l("Attendez %(seconds)d secondes avant la requête suivante.", seconds=wait),
        headers={"Retry-After": str(wait)},
    )


def status_kind(status: int) -> str:
    return {400: "bad-request", 404: "not-found", 405: "method-not-allowed"}.get(
        status, "bad-request"
    )
