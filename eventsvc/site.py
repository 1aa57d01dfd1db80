"""Pages that belong to no domain: the health check, the privacy notice, the accessibility
statement."""

from __future__ import annotations

from datetime import date

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


# RGAA: the footer of every page names the conformity status, linked to the statement.
ACCESSIBILITY_STATUSES = {
    "non": _l("non conforme"),
    "partial": _l("partiellement conforme"),
    "full": _l("totalement conforme"),
}
# The day the statement's text (the checks it lists, the known gaps) was last reviewed.
STATEMENT_DATE = date(2026, 12, 5)


def check_accessibility_settings(config) -> None:
    """At start-up: a wrong status or date stops the app rather than publish a wrong statement."""
    if config["ACCESSIBILITY_STATUS"] not in ACCESSIBILITY_STATUSES:
        raise ValueError(
            "EVENTSVC_ACCESSIBILITY_STATUS must be one of: " + ", ".join(ACCESSIBILITY_STATUSES)
        )
    made_on = config["ACCESSIBILITY_STATEMENT_DATE"]
    if isinstance(made_on, str):
        try:
            config["ACCESSIBILITY_STATEMENT_DATE"] = date.fromisoformat(made_on)
        except ValueError:
            raise ValueError(
                "EVENTSVC_ACCESSIBILITY_STATEMENT_DATE must be a date such as 2027-03-15"
            ) from None


def accessibility_status() -> str:
    """The configured status; anything unknown counts as « non conforme », never as better."""
    return ACCESSIBILITY_STATUSES.get(
        current_app.config["ACCESSIBILITY_STATUS"], ACCESSIBILITY_STATUSES["non"]
    )


@bp.app_template_global("accessibility_footer")
def accessibility_footer() -> str:
    return _l("Accessibilité : %(status)s", status=accessibility_status())


@bp.get("/accessibilite")
def accessibility():
    config = current_app.config
    return render_template(
        "public/accessibility.html",
        organisation=config["PRIVACY_CONTROLLER"] or config["ORGANISATION_NAME"],
        status=accessibility_status(),
        audit=config["ACCESSIBILITY_AUDIT"],
        contact=config["ACCESSIBILITY_CONTACT"] or config["PRIVACY_CONTACT"],
        made_on=config["ACCESSIBILITY_STATEMENT_DATE"] or STATEMENT_DATE,
    )
