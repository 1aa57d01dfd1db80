"""The REST API (``/api/v1``): JSON for the organisers' own tools, authenticated by API tokens.

Views are declared with :func:`operation`, which registers the URL rule and keeps what the OpenAPI
document needs (``openapi.py``): the path, the request and response models, whether a write token
is needed. ``views.py`` holds the reads, ``views_write.py`` the writes."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Blueprint
from pydantic import BaseModel

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str  # Flask's, e.g. /events/<int:event_id>
    summary: str
    response: type[BaseModel] | None
    status: int = 200
    body: type[BaseModel] | None = None
    write: bool = False
    paged: bool = False
    problems: tuple[int, ...] = field(default=())


OPERATIONS: list[Operation] = []


def operation(method: str, rule: str, summary: str, response=None, **options):
    """Register the view on the blueprint and describe it for the OpenAPI document."""

    def register(view):
        OPERATIONS.append(Operation(method, rule, summary, response, **options))
        bp.add_url_rule(rule, view.__name__, view, methods=[method])
        return view

    return register


from . import views, views_write  # noqa: E402,F401  (routes attach to bp)
