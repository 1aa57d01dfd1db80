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


# Check-in codes: what the badge's and the confirmation's QR code carry. The code opens nothing
# (it is no link), it only names a registration to the organiser's check-in page, which checks the
# HMAC: nobody can make the code of another person or another event without the secret key.
# ``EVS1:<event id>:<registration id>:<mac>``, the mac the first 80 bits of an HMAC-SHA256 in
# base32 (16 letters and digits, upper case: a QR code's alphanumeric mode, and typed by hand).
CHECKIN_PREFIX = "EVS1"
CHECKIN_MAC_LENGTH = 16


def _checkin_mac(event_id: int, registration_id: int, secret_key: str) -> str:
    message = f"checkin-code:{event_id}:{registration_id}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    return base64.b32encode(digest[:10]).decode("ascii")


def checkin_code(event_id: int, registration_id: int, secret_key: str) -> str:
    mac = _checkin_mac(event_id, registration_id, secret_key)
    return f"{CHECKIN_PREFIX}:{event_id}:{registration_id}:{mac}"


def read_checkin_code(code: str, secret_key: str) -> tuple[int, int] | None:
    """(event id, registration id) of a genuine code, else None (malformed or forged). Spaces
    around it and lower case (a code typed by hand) are forgiven."""
    parts = code.strip().upper().split(":") if isinstance(code, str) and len(code) < 80 else []
    if len(parts) != 4 or parts[0] != CHECKIN_PREFIX:
        return None
    if not all(part.isascii() and part.isdigit() and len(part) <= 12 for part in parts[1:3]):
        return None
    event_id, registration_id = int(parts[1]), int(parts[2])
    expected = _checkin_mac(event_id, registration_id, secret_key)
    if not hmac.compare_digest(expected.encode(), parts[3].encode("utf-8", "surrogatepass")):
        return None
    return event_id, registration_id
