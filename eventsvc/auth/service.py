"""Organiser accounts: creation, login with throttling, password change.

Passwords are hashed with scrypt (werkzeug's default scheme, a memory-hard function). Logging in
with an unknown address costs the same hash check as a wrong password and gives the same message,
so the login page does not tell which addresses have an account.

Throttling counts failures per address typed and per client IP in the database, so that every
process (and machine) sees the same counters: after ``LOGIN_MAX_FAILURES_PER_ACCOUNT`` failures for
one address, or ``LOGIN_MAX_FAILURES_PER_ADDRESS`` from one IP, within ``LOGIN_FAILURE_WINDOW``
seconds, logins for it are refused for ``LOGIN_LOCK_SECONDS``, whether the password is right or
not.

Sessions live in the database (:class:`LoginSession`), so that they end on the server: on logout,
when the password changes (every session of the account), and ``SESSION_MAX_AGE`` seconds after
login whatever the activity. The signed cookie only says which one; replaying an old copy of it
opens nothing once its row is gone.
"""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import utcnow
from ..extensions import db
from ..registrations.rules import RuleError, check_email
from .models import LoginSession, LoginThrottle, User

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 1024
ACCOUNT, ADDRESS = "account", "address"


class AuthError(Exception):
    pass


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


def create_user(email: str, password: str, *, name: str = "") -> User:
    checked = check_email(email)  # raises RuleError with a message for the person
    problem = password_problem(password, email)
    if problem:
        raise PasswordRefused(problem)
    if find_by_email(checked.normalised) is not None:
        raise AccountExists(checked.normalised)
    user = User(
        email=checked.normalised,
        email_key=checked.key,
        name=name.strip(),
        password_hash=hash_password(password),
    )
    db.session.add(user)
    db.session.flush()
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
    if not token or not user_id.isdigit():
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
    keys = [(ACCOUNT, email_key(email)[:320]), (ADDRESS, (client_address or "unknown")[:320])]
    locks = [_throttle(scope, key) for scope, key in keys]
    locked_until = max((t.locked_until for t in locks if t and t.locked_until), default=None)
    if locked_until is not None and locked_until > now:
        raise LoginThrottled(locked_until - now)

    user = find_by_email(email)
    valid = check_password_hash(user.password_hash if user else _dummy_hash(), password)
    if user is None or not valid or not user.active:
        for scope, key in keys:
            _record_failure(scope, key, now)
        db.session.flush()
        raise LoginRefused()
    account = locks[0]
    if account is not None:
        db.session.delete(account)
    user.last_login_at = now
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> str:
    """Check the current password, set the new one and end every session of the account.

    Returns the id of a new session for the browser that made the change.
    """
    if not check_password_hash(user.password_hash, current):
        raise LoginRefused()
    set_password(user, new)
    return start_session(user)


def set_password(user: User, new: str) -> None:
    """For the command line: no current password asked; every session of the account ends."""
    problem = password_problem(new, user.email)
    if problem:
        raise PasswordRefused(problem)
    user.password_hash = hash_password(new)
    end_all_sessions(user)
    db.session.flush()


def _throttle(scope: str, key: str, *, for_update: bool = False) -> LoginThrottle | None:
    query = select(LoginThrottle).where(LoginThrottle.scope == scope, LoginThrottle.key == key)
    if for_update:
        query = query.with_for_update()
    return db.session.scalar(query)


@dataclass(frozen=True)
class Policy:
    max_failures: int
    window: timedelta
    lock: timedelta


def _policy(scope: str) -> Policy:
    config = current_app.config
    limit = (
        config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
        if scope == ACCOUNT
        else config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    )
    return Policy(
        int(limit),
        timedelta(seconds=int(config["LOGIN_FAILURE_WINDOW"])),
        timedelta(seconds=int(config["LOGIN_LOCK_SECONDS"])),
    )


def _record_failure(scope: str, key: str, now: datetime) -> None:
    policy = _policy(scope)
    throttle = _throttle(scope, key, for_update=True)
    if throttle is None:
        throttle = LoginThrottle(scope=scope, key=key, failures=0, window_started_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(throttle)
        except IntegrityError:  # another process counted the first failure at the same time
            throttle = _throttle(scope, key, for_update=True)
    if now - throttle.window_started_at > policy.window:
        throttle.failures = 0
        throttle.window_started_at = now
    throttle.failures += 1
    if throttle.failures >= policy.max_failures:
        throttle.locked_until = now + policy.lock
        throttle.failures = 0
        throttle.window_started_at = now
