"""Personal-link tokens.

The token is an HMAC of the registration's random public id under the app's secret key: the service
can write the link again in any later email, yet the database only holds its SHA-256 digest, so a
copy of the database opens nobody's registration. Rotating the secret key invalidates every link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

TOKEN_LENGTH = 43  # 256 bits, base64url without padding


def new_public_id() -> str:
    return secrets.token_hex(16)


def personal_token(public_id: str, secret_key: str) -> str:
    mac = hmac.new(secret_key.encode(), b"personal-link:" + public_id.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode("ascii")


def decoy_token() -> str:
    """A token of the real shape that opens nothing: the answer given to robots."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def looks_like_token(value: str) -> bool:
    """Reject malformed input before it reaches the database."""
    if len(value) != TOKEN_LENGTH:
        return False
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return all(char in alphabet for char in value)


def same_token(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), given.encode("utf-8", "surrogatepass"))
