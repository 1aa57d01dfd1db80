"""Organiser accounts: creation, login with throttling, password change.

Passwords are hashed with scrypt (werkzeug's default scheme, a memory-hard function). Logging in
with an unknown address costs the same hash check as a wrong password and gives the same message,
so the login page does not tell which addresses have an account.

Failed logins are throttled by ``throttle.py``: per account and client address first, so that a
stranger's guesses slow down the stranger, not the organiser.

Sessions live in the database (:class:`LoginSession`), so that they end on the server: on logout,
when the password changes (every session of the account), and ``SESSION_MAX_AGE`` seconds after
login whatever the activity. The signed cookie only says which one; replaying an old copy of it
opens nothing once its row is gone.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..audit import service as audit
from ..common.errors import DomainError
from ..common.validation import RuleError, check_email, check_single_line
from ..database import utcnow
from ..extensions import db
from . import throttle
from .models import LoginSession, User

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1024


class AuthError(DomainError):
    """A refusal with a message for the person at the login or account page."""


class AccountExists(AuthError):
    pass


class PasswordRefused(AuthError):
    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class LoginRefused(AuthError):
    """Unknown address, wrong password or inactive account: deliberately the same error."""


class LoginThrottled(AuthError):
    def __init__(self, retry_after: timedelta):
        super().__init__(str(retry_after))
        self.retry_after = retry_after


def email_key(email: str) -> str:
    """The key accounts are found by; for a malformed address, its case-folded text."""
    try:
        return check_email(email).key
    except RuleError:
        return email.strip().casefold()


def password_problem(password: str, email: str = ""):
    """Why a new password is refused, or None. Length is what matters (ANSSI, NIST 800-63B)."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return _l(
            "Choisissez un mot de passe d'au moins %(min)d caractères (une phrase de plusieurs "
            "mots convient bien).",
            min=PASSWORD_MIN_LENGTH,
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        return _l("Ce mot de passe est trop long : %(max)d caractères au plus.", max=1024)
    if email and password.strip().casefold() == email.strip().casefold():
        return _l("Le mot de passe ne doit pas être votre adresse électronique.")
    return None


def hash_password(password: str) -> str:
    return generate_password_hash(password)


@functools.cache
def _dummy_hash() -> str:
    """Checked against when the address is unknown, so that both cases take the same time."""
    return generate_password_hash("not a password: the account does not exist")


def create_user(email: str, password: str, *, name: str = "", admin: bool = False) -> User:
    """The account alone, with no audit line: for the demo's account and seeded data.
    :func:`create_account` is the audited operation (``users create``)."""
    checked = check_email(email)  # raises RuleError with a message for the person
    problem = password_problem(password, email)
    if problem:
        raise PasswordRefused(problem)
    if find_by_email(checked.normalised) is not None:
        raise AccountExists(checked.normalised)
    try:  # shown in the dashboard, and offered as the organiser name of the events it creates
        check_single_line(name.strip())
    except RuleError as error:
        raise RuleError(_l("Nom du compte : %(problem)s", problem=error.message)) from None
    user = User(
        email=checked.normalised,
        email_key=checked.key,
        name=name.strip(),
        password_hash=hash_password(password),
        is_admin=admin,
    )
    db.session.add(user)
    db.session.flush()
    return user


def create_account(
    email: str,
    password: str,
    *,
    name: str = "",
    admin: bool = False,
    actor=None,
    actor_label: str | None = None,
) -> User:
    """Create an organiser account, with its audit line (and the administrator's, if one)."""
    user = create_user(email, password, name=name, admin=admin)
    audit.record(
        "account.created",
        actor=actor,
        actor_label=actor_label,
        details={"account": user.email, "admin": admin},
    )
    if admin:
        audit.record(
            "account.admin_granted",
            actor=actor,
            actor_label=actor_label,
            details={"account": user.email},
        )
    return user


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email_key == email_key(email)))


def list_users() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email_key)))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _session_max_age() -> timedelta:
    return timedelta(seconds=int(current_app.config["SESSION_MAX_AGE"]))


def start_session(user: User) -> str:
    """A new session for ``user``; returns the random id for the cookie (stored hashed only).

    Sessions past their lifetime are dropped here, so the table holds only live ones.
    """
    now = utcnow()
    db.session.execute(
        delete(LoginSession).where(LoginSession.created_at <= now - _session_max_age())
    )
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(user_id=user.id, token_hash=_token_hash(token), created_at=now))
    db.session.flush()
    return token


def load_session_user(user_id: str, token: str | None) -> User | None:
    """The account of a live session, or None: no such session (ended), too old, or inactive."""
    if not token or not (user_id.isascii() and user_id.isdigit()):
        return None
    session = db.session.scalar(
        select(LoginSession).where(LoginSession.token_hash == _token_hash(token))
    )
    if session is None or session.user_id != int(user_id):
        return None
    if session.created_at <= utcnow() - _session_max_age():
        return None
    user = db.session.get(User, session.user_id)
    if user is None or not user.active:
        return None
    return user


def end_session(token: str | None) -> None:
    """Logout: this session ends on the server, whoever holds a copy of its cookie."""
    if token:
        db.session.execute(
            delete(LoginSession).where(LoginSession.token_hash == _token_hash(token))
        )


def end_all_sessions(user: User) -> None:
    db.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))


def authenticate(email: str, password: str, client_address: str) -> User:
    """The account for these credentials, or :class:`LoginRefused` / :class:`LoginThrottled`.

    Failures are recorded in the current transaction: the caller commits in both cases.
    """
    now = utcnow()
    keys = throttle.keys(email_key(email), client_address)
    try:
        throttle.check(keys, now)
    except throttle.Locked as locked:
        raise LoginThrottled(locked.retry_after) from None

    user = find_by_email(email)
    valid = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    if user is None or not valid or not user.active:
        throttle.record_failure(keys, now)
        raise LoginRefused()
    throttle.record_success(keys)
    user.last_login_at = now
    db.session.flush()
    return user


def set_admin(user: User, admin: bool, *, actor_label: str) -> bool:
    """Give or take the administrator flag, with its audit line; False if nothing changed."""
    if user.is_admin == admin:
        return False
    user.is_admin = admin
    audit.record(
        "account.admin_granted" if admin else "account.admin_revoked",
        actor_label=actor_label,
        details={"account": user.email},
    )
    db.session.flush()
    return True


def unlock(email: str, *, actor_label: str) -> int:
    """Lift every login lock and delay on an address typed at login (``users unlock``)."""
    lifted = throttle.unlock(email_key(email)[:320])
    audit.record("account.unlocked", actor_label=actor_label, details={"account": email.strip()})
    return lifted


def change_password(user: User, current: str, new: str) -> str:
    """Check the current password, set the new one and end every session of the account.

    Returns the id of a new session for the browser that made the change.
    """
    if not check_password_hash(user.password_hash, current):
        raise LoginRefused()
    _replace_password(user, new)
    audit.record("account.password_changed", actor=user, details={"account": user.email})
    return start_session(user)


def set_password(user: User, new: str, *, actor=None, actor_label: str | None = None) -> None:
    """For the command line: no current password asked; every session of the account ends."""
    _replace_password(user, new)
    audit.record(
        "account.password_set",
        actor=actor,
        actor_label=actor_label,
        details={"account": user.email},
    )


def _replace_password(user: User, new: str) -> None:
    """Check and hash the new password and end every session of the account (no audit line:
    the callers record theirs, never the password nor its hash)."""
    problem = password_problem(new, user.email)
    if problem:
        raise PasswordRefused(problem)
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    db.session.flush()
