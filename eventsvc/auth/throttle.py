"""Login failure counters, in the database so that every process and machine sees the same ones.

Three counters, so that a stranger cannot lock an organiser out by typing wrong passwords:

- per account *and* client address (``client``): after ``LOGIN_FAILURES_BEFORE_DELAY`` failures,
  each further one makes that address wait before its next try for that account, 1 s, 2 s, 4 s...
  up to ``LOGIN_LOCK_SECONDS``. Only the one guessing waits;
- per client address, whatever the account (``address``): ``LOGIN_MAX_FAILURES_PER_ADDRESS``
  failures lock that address out for ``LOGIN_LOCK_SECONDS``;
- per account, from anywhere (``account``): only far past the others, after
  ``LOGIN_MAX_FAILURES_PER_ACCOUNT`` failures, is the account locked for everyone, for
  ``LOGIN_LOCK_SECONDS`` or until ``flask users unlock EMAIL``.

Failures count within ``LOGIN_FAILURE_WINDOW`` seconds (for ``client``: since the last failure).
Accounts are keyed on the address typed, so unknown and known addresses behave alike.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from .models import LoginThrottle

ACCOUNT, ADDRESS, CLIENT = "account", "address", "client"


class Locked(Exception):
    def __init__(self, retry_after: timedelta):
        super().__init__(str(retry_after))
        self.retry_after = retry_after


def _account_prefix(account_key: str) -> str:
    """Client keys start with this, so that unlocking an account finds them (a hash: a key
    holds an address too, and an email alone can already fill the column)."""
    return hashlib.sha256(account_key.encode("utf-8")).hexdigest()[:32] + " "


def keys(account_key: str, address: str) -> list[tuple[str, str]]:
    address = (address or "unknown")[:64]
    return [
        (CLIENT, _account_prefix(account_key) + address),
        (ADDRESS, address),
        (ACCOUNT, account_key[:320]),
    ]


def check(keys_: list[tuple[str, str]], now: datetime) -> None:
    """Raise :class:`Locked` while any of these counters holds a lock (password not checked)."""
    throttles = [_find(scope, key) for scope, key in keys_]
    until = max((t.locked_until for t in throttles if t and t.locked_until), default=None)
    if until is not None and until > now:
        raise Locked(until - now)


def record_failure(keys_: list[tuple[str, str]], now: datetime) -> None:
    for scope, key in keys_:
        _record(scope, key, now)
    db.session.flush()


def record_success(keys_: list[tuple[str, str]]) -> None:
    """Forget this client's failures for the account; the account-wide count stays (an attack
    from elsewhere goes on counting whoever logs in meanwhile)."""
    for scope, key in keys_:
        if scope == CLIENT:
            db.session.execute(
                delete(LoginThrottle).where(LoginThrottle.scope == scope, LoginThrottle.key == key)
            )


def unlock(account_key: str) -> int:
    """An administrator's unlock: every counter of the account, from every address."""
    result = db.session.execute(
        delete(LoginThrottle).where(
            or_(
                (LoginThrottle.scope == ACCOUNT) & (LoginThrottle.key == account_key[:320]),
                (LoginThrottle.scope == CLIENT)
                & LoginThrottle.key.startswith(_account_prefix(account_key), autoescape=True),
            )
        )
    )
    return result.rowcount


def _find(scope: str, key: str, *, for_update: bool = False) -> LoginThrottle | None:
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
    limit = {
        CLIENT: config["LOGIN_FAILURES_BEFORE_DELAY"],
        ADDRESS: config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        ACCOUNT: config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
    }[scope]
    return Policy(
        int(limit),
        timedelta(seconds=int(config["LOGIN_FAILURE_WINDOW"])),
        timedelta(seconds=int(config["LOGIN_LOCK_SECONDS"])),
    )


def _record(scope: str, key: str, now: datetime) -> None:
    policy = _policy(scope)
    throttle = _find(scope, key, for_update=True)
    if throttle is None:
        throttle = LoginThrottle(scope=scope, key=key, failures=0, window_started_at=now)
        try:
            with db.session.begin_nested():
                db.session.add(throttle)
        except IntegrityError:  # another process counted the first failure at the same time
            throttle = _find(scope, key, for_update=True)
    if now - throttle.window_started_at > policy.window:
        throttle.failures = 0
        throttle.window_started_at = now
    throttle.failures += 1
    if scope == CLIENT:
        throttle.window_started_at = now  # remembered while the failures go on
        beyond = throttle.failures - policy.max_failures
        if beyond >= 0:
            delay = timedelta(seconds=2 ** min(beyond, 30))
            throttle.locked_until = now + min(delay, policy.lock)
    elif throttle.failures >= policy.max_failures:
        throttle.locked_until = now + policy.lock
        throttle.failures = 0
        throttle.window_started_at = now
