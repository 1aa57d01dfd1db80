"""Organiser accounts: creation, login with throttling, password change.

Passwords are hashed with scrypt (werkzeug's default scheme, a memory-hard function). Logging in
with an unknown address costs the same hash check as a wrong password and gives the same message,
so the login page does not tell which addresses have an account.

Throttling counts failures per address typed and per client IP in the database, so that every
process (and machine) sees the same counters: after ``LOGIN_MAX_FAILURES_PER_ACCOUNT`` failures for
one address, or ``LOGIN_MAX_FAILURES_PER_ADDRESS`` from one IP, within ``LOGIN_FAILURE_WINDOW``
seconds, logins for it are refused for ``LOGIN_LOCK_SECONDS``, whether the password is right or
not.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..database import utcnow
from ..extensions import db
from ..registrations.rules import RuleError, check_email, check_single_line
from .models import LoginThrottle, User, new_session_nonce

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
    try:  # shown in the dashboard, and offered as the organiser name of the events it creates
        check_single_line(name.strip())
    except RuleError as error:
        raise RuleError(_l("Nom du compte : %(problem)s", problem=error.message)) from None
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


def load_session_user(session_id: str) -> User | None:
    """Flask-Login's user loader: ``"<id>:<nonce>"``; a changed nonce ends the session."""
    user_id, _, nonce = session_id.partition(":")
    if not user_id.isdigit() or not nonce:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.active or user.session_nonce != nonce:
        return None
    return user


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


def change_password(user: User, current: str, new: str) -> None:
    """Check the current password, set the new one and end the account's other sessions."""
    if not check_password_hash(user.password_hash, current):
        raise LoginRefused()
    problem = password_problem(new, user.email)
    if problem:
        raise PasswordRefused(problem)
    user.password_hash = hash_password(new)
    user.session_nonce = new_session_nonce()
    db.session.flush()


def set_password(user: User, new: str) -> None:
    """For the command line: no current password asked."""
    problem = password_problem(new, user.email)
    if problem:
        raise PasswordRefused(problem)
    user.password_hash = hash_password(new)
    user.session_nonce = new_session_nonce()
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
