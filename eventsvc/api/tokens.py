"""Creating, listing, revoking and checking API tokens; each change with its audit line.

A token reads ``evs_`` followed by 43 random characters (256 bits). It is shown once, when it is
created; the database keeps its SHA-256 and its first characters, for the list."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import service as audit
from ..auth.models import User
from ..common.errors import DomainError
from ..database import utcnow
from ..extensions import db
from .models import ApiToken

PREFIX = "evs_"
SHOWN = 12  # characters kept for the list: « evs_AbCdEfGh… »
NAME_MAX = 100
# ``last_used_at`` is written at most this often: a sync of many pages is not many writes.
USE_RECORDED_EVERY = timedelta(minutes=1)


class TokenError(DomainError):
    """A refusal about a token (an empty name), shown next to its field."""


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # the token itself: show it once, never store it


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


def create(user: User, name: str, *, can_write: bool, actor=None, actor_label=None) -> NewToken:
    """A new token of ``user``; ``actor`` is the organiser (dashboard) or None with
    ``actor_label`` (the command line)."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenError(_l("Donnez un nom au jeton : l'outil qui l'utilisera."), field="name")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name[:NAME_MAX],
        prefix=secret[:SHOWN],
        token_hash=digest(secret),
        can_write=can_write,
        created_at=utcnow(),
    )
    db.session.add(token)
    db.session.flush()
    audit.record(
        "api_token.created",
        actor=actor,
        actor_label=actor_label,
        details={"name": token.name, "write": can_write, "token": token.id, "owner": user.email},
    )
    return NewToken(token, secret)


def revoke(token: ApiToken, *, actor=None, actor_label=None) -> bool:
    """False when it already was (nothing written)."""
    if token.revoked_at is not None:
        return False
    token.revoked_at = utcnow()
    db.session.flush()
    audit.record(
        "api_token.revoked",
        actor=actor,
        actor_label=actor_label,
        details={"name": token.name, "token": token.id, "owner": token.user.email},
    )
    return True


def of_user(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def find_for_user(token_id: int, user: User) -> ApiToken | None:
    """The token if it is ``user``'s (another organiser's id reads as one that does not exist)."""
    return db.session.scalar(
        select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id)
    )


def authenticate(secret: str) -> ApiToken | None:
    """The active token whose secret this is, its organiser active too; None otherwise."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    return token


def use_is_due(token: ApiToken) -> bool:
    """Whether to note this use: ``last_used_at`` is written at most once a minute."""
    return token.last_used_at is None or utcnow() - token.last_used_at >= USE_RECORDED_EVERY


def record_use(token: ApiToken) -> None:
    """Note when the token was last used; the caller commits."""
    token.last_used_at = utcnow()
