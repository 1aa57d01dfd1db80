"""Single sign-on pages: ``/login/oidc`` sends the browser to the provider, and the provider sends
it back to ``/login/oidc/callback``. Every failure ends on the login page with a message saying
what to do, and an audit line (``auth.oidc_refused``), never an error page."""

from __future__ import annotations

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.base_client import MismatchingStateError
from flask import Blueprint, abort, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from joserfc.errors import InvalidClaimError, JoseError

from ..extensions import db, limiter
from . import oidc
from .oidc_rules import Refusal, person_from_claims
from .views import LOGIN_ERROR_KEY, own_url, safe_next, sign_in_browser

bp = Blueprint("sso", __name__)

NEXT_KEY = "oidc_next"


def _configured():
    if oidc.settings() is None:
        abort(404)
    return oidc.client()


@bp.get("/login/oidc")
@limiter.limit("30 per minute")
def start():
    provider = _configured()
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    session[NEXT_KEY] = safe_next(request.args.get("next")) or ""
    try:
        oidc.metadata(provider)
        return provider.authorize_redirect(own_url("sso.callback"))
    except (requests.RequestException, AuthlibBaseError, ValueError, Refusal) as error:
        return _refused(getattr(error, "reason", "provider_unreachable"))


@bp.get("/login/oidc/callback")
@limiter.limit("30 per minute")
def callback():
    provider = _configured()
    try:
        token = provider.authorize_access_token()
        id_claims = token.get("userinfo")
        if not id_claims:
            raise Refusal("no_id_token")
        claims = oidc.fetch_userinfo(provider, token, id_claims)
        person = person_from_claims({**id_claims, **claims})
        user = oidc.sign_in(person)
    except Refusal as refusal:
        db.session.rollback()
        return _refused(refusal.reason, refusal.email)
    except MismatchingStateError:
        db.session.rollback()
        return _refused("wrong_state")
    except InvalidClaimError as error:
        db.session.rollback()
        return _refused("wrong_nonce" if error.claim == "nonce" else f"invalid_{error.claim}")
    except AuthlibBaseError as error:  # the provider's error parameter, or the token endpoint's
        db.session.rollback()
        return _refused(f"provider_{error.error}"[:80], detail=error.error)
    except JoseError as error:  # a signature or claim of the ID token or the signed userinfo
        db.session.rollback()
        return _refused(f"invalid_token_{error.error}"[:80])
    except (requests.RequestException, ValueError):
        db.session.rollback()
        return _refused("provider_unreachable")
    after = session.pop(NEXT_KEY, "") or url_for("dashboard.index")
    sign_in_browser(user)  # commits
    if token.get("id_token"):
        session[oidc.ID_TOKEN_KEY] = token["id_token"]
    return redirect(after, code=303)


def _refused(reason: str, email: str = "", detail: str = ""):
    oidc.record_refusal(reason, email)
    db.session.commit()
    session.pop(NEXT_KEY, None)
    session[LOGIN_ERROR_KEY] = _message(reason, email, detail)
    return redirect(url_for("auth.login"), code=303)


def _message(reason: str, email: str, detail: str) -> str:
    name = oidc.settings().provider_name
    if reason == "domain_not_allowed":
        return _(
            "Votre adresse %(email)s n'a pas de compte ici ; demandez à un administrateur du "
            "service de vous en créer un, puis reconnectez-vous avec %(provider)s.",
            email=email,
            provider=name,
        )
    if reason == "inactive":
        return _("Ce compte est désactivé : demandez à un administrateur du service.")
    if reason in ("no_email", "email_not_verified", "invalid_email"):
        return _(
            "%(provider)s n'a pas transmis d'adresse électronique vérifiée : vérifiez votre "
            "adresse auprès de %(provider)s, puis réessayez.",
            provider=name,
        )
    if reason == "provider_unreachable":
        return _(
            "%(provider)s ne répond pas pour l'instant : réessayez dans quelques minutes.",
            provider=name,
        )
    if reason == "provider_access_denied":
        return _(
            "La connexion a été annulée ou refusée chez %(provider)s. Réessayez si vous le "
            "souhaitez.",
            provider=name,
        )
    return _(
        "La connexion avec %(provider)s n'a pas abouti (demande expirée, déjà utilisée ou "
        "venue d'un autre onglet). Recommencez depuis cette page.",
        provider=name,
    )
