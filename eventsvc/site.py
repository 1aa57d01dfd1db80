"""Pages that belong to no domain: the health check."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import text

from .extensions import db

bp = Blueprint("site", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means the database is not reachable
        db.session.rollback()
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}
