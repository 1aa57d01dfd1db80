"""Pages that belong to no domain: the health check, the privacy notice."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template
from flask_babel import lazy_gettext as _l
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


# GDPR art. 6.1: the legal basis named by EVENTSVC_PRIVACY_LEGAL_BASIS.
LEGAL_BASES = {
    "public_task": _l(
        "l'exécution d'une mission d'intérêt public (article 6.1.e du RGPD) : l'organisation de "
        "rencontres et de formations qui relèvent des missions de l'organisme"
    ),
    "contract": _l(
        "l'exécution de mesures précontractuelles ou d'un contrat (article 6.1.b du RGPD) : "
        "votre inscription"
    ),
    "legitimate_interest": _l(
        "l'intérêt légitime de l'organisateur à organiser ses événements (article 6.1.f du RGPD)"
    ),
    "consent": _l("votre consentement (article 6.1.a du RGPD), donné en vous inscrivant"),
}


@bp.get("/confidentialite")
def privacy():
    config = current_app.config
    basis = LEGAL_BASES.get(config["PRIVACY_LEGAL_BASIS"], LEGAL_BASES["public_task"])
    return render_template(
        "public/privacy.html",
        controller=config["PRIVACY_CONTROLLER"],
        contact=config["PRIVACY_CONTACT"],
        dpo=config["PRIVACY_DPO_CONTACT"],
        legal_basis=basis,
        extra_recipients=config["PRIVACY_EXTRA_RECIPIENTS"],
        months=int(config["RETENTION_MONTHS"]),
        claim_years=int(config["CLAIM_RETENTION_YEARS"]),
    )
