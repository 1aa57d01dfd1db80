"""Login, logout and password change pages."""

from __future__ import annotations

import math
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required, login_user, logout_user

from ..extensions import db, login_manager
from ..links import external_url
from ..security import client_address
from . import oidc, service
from .forms import LoginForm, PasswordChangeForm

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Connectez-vous pour accéder à cette page.")
login_manager.login_message_category = "info"
login_manager.localize_callback = str  # flash a plain string, not a lazy one
login_manager.session_protection = "basic"


# The cookie's key for the id of the server-side session (auth/service.py, LoginSession).
SESSION_KEY = "login_session"
# A single sign-on's refusal, shown once by the login page it redirects to (oidc_views).
LOGIN_ERROR_KEY = "login_error"


@login_manager.user_loader
def load_user(user_id: str):
    return service.load_session_user(user_id, session.get(SESSION_KEY))


def _sign_in(user, token: str) -> None:
    """Bind this browser to the server-side session ``token``; nothing from before carries over."""
    session.clear()
    login_user(user)
    session[SESSION_KEY] = token
    session.permanent = True  # the cookie expires after PERMANENT_SESSION_LIFETIME idle


def sign_in_browser(user) -> None:
    """Start a server-side session for ``user``, commit, and bind this browser to it: the same
    for a password and a single sign-on."""
    token = service.start_session(user)
    db.session.commit()
    _sign_in(user, token)


def own_url(endpoint: str) -> str:
    """An address of ours to give the sign-on provider: on ``PUBLIC_BASE_URL`` when set (the one
    registered with it, whatever a proxy says), else on the request's host."""
    if current_app.config["PUBLIC_BASE_URL"]:
        return external_url(endpoint)
    return url_for(endpoint, _external=True)


def safe_next(target: str | None) -> str | None:
    """A path on this site to go back to after login; anything else is ignored (open redirect)."""
    if not target:
        return None
    parts = urlsplit(target)
    foreign = parts.netloc != request.host or parts.scheme not in ("http", "https")
    if (parts.scheme or parts.netloc) and foreign:
        return None
    path = parts.path
    if not path.startswith("/") or path.startswith("//") or "\\" in target:
        return None
    return path + (f"?{parts.query}" if parts.query else "")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    error = session.pop(LOGIN_ERROR_KEY, None)
    password_login = current_app.config["PASSWORD_LOGIN"]
    if request.method == "POST" and not password_login:
        error = _(
            "La connexion par mot de passe est désactivée : utilisez le bouton « Se connecter "
            "avec %(provider)s ».",
            provider=oidc.settings().provider_name,
        )
    elif form.validate_on_submit():
        try:
            user = service.authenticate(form.email.data, form.password.data, client_address())
        except service.LoginThrottled as throttled:
            db.session.commit()
            error = _retry_message(throttled.retry_after.total_seconds())
        except service.LoginRefused:
            db.session.commit()  # keep the failure counted
            error = _("Adresse ou mot de passe incorrect. Vérifiez les deux, puis réessayez.")
        else:
            sign_in_browser(user)
            return redirect(safe_next(form.next.data) or url_for("dashboard.index"), code=303)
    form.password.data = ""
    return render_template(
        "dashboard/login.html",
        form=form,
        error=error,
        password_login=password_login,
        sso=oidc.settings(),
    ), 200


def _retry_message(seconds: float) -> str:
    if seconds < 60:
        return ngettext(
            "Trop de tentatives de connexion : réessayez dans %(num)d seconde.",
            "Trop de tentatives de connexion : réessayez dans %(num)d secondes.",
            max(1, math.ceil(seconds)),
        )
    return _(
        "Trop de tentatives de connexion : réessayez dans %(minutes)d minutes.",
        minutes=max(1, round(seconds / 60)),
    )


@bp.post("/logout")
def logout():
    service.end_session(session.get(SESSION_KEY))
    db.session.commit()
    id_token = session.get(oidc.ID_TOKEN_KEY)
    logout_user()
    session.clear()
    flash(_("Vous êtes déconnecté·e."), "info")
    if id_token:  # signed in through the provider: end its session too, when it offers to
        ending = oidc.provider_logout(id_token, own_url("auth.login"))
        if ending is not None:
            return ending
    return redirect(url_for("auth.login"), code=303)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    if not current_user.password_hash:
        # An account created by single sign-on has no password to change; giving it one from a
        # session alone would let a stolen session outlive the provider's.
        found = oidc.settings()
        return render_template(
            "dashboard/password.html", form=None, provider=found.provider_name if found else ""
        )
    form = PasswordChangeForm()
    form.email = current_user.email
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            token = service.change_password(user, form.current.data, form.new.data)
        except service.LoginRefused:
            db.session.rollback()
            form.current.errors.append(
                _("Ce n'est pas votre mot de passe actuel : tapez-le à nouveau.")
            )
        except service.PasswordRefused as refused:
            db.session.rollback()
            form.new.errors.append(refused.message)
        else:
            db.session.commit()
            _sign_in(user, token)  # every other session of the account has ended
            flash(
                _("Votre mot de passe a été changé. Vos autres sessions sont fermées."), "success"
            )
            return redirect(url_for("dashboard.index"), code=303)
    return render_template("dashboard/password.html", form=form)
