"""Pure rules of signing on one's own phone (issue 17): the part's short code, the signing
window around the part, and the bounds of a device's « taken at » time. No database, no app."""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B, G/6: read aloud or typed from a screen without doubt.
ALPHABET = "ACDEFHJKMNPRTUVWXY34679"
CODE_LENGTH = 6
# A device's clock a little ahead of the server's is not « the future ».
CLOCK_SKEW = timedelta(minutes=2)


def part_code(secret: str, part_id: int) -> str:
    """The part's code: an HMAC of its id under the secret key, in ALPHABET. Nothing stored, the
    same on every server of the app, and not guessable from the part's id (23^6 ≈ 148 million
    codes, the form rate-limited)."""
    digest = hmac.new(secret.encode(), f"sign-part:{part_id}".encode(), hashlib.sha256).digest()
    number = int.from_bytes(digest[:8], "big")
    letters = []
    for _ in range(CODE_LENGTH):
        number, index = divmod(number, len(ALPHABET))
        letters.append(ALPHABET[index])
    return "".join(letters)


def normalised_code(typed: str) -> str:
    """What a person typed, as a code: capitals, without spaces nor dashes."""
    return "".join(char for char in (typed or "").upper() if char.isalnum())[: CODE_LENGTH * 2]


def same_code(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def window(
    starts_at: datetime, ends_at: datetime, minutes_before: int, minutes_after: int
) -> tuple[datetime, datetime]:
    """When own-phone signing of a part opens and closes."""
    return starts_at - timedelta(minutes=minutes_before), ends_at + timedelta(minutes=minutes_after)


def moment(opens: datetime, closes: datetime, now: datetime) -> str:
    """« before », « open » or « after » the window."""
    if now < opens:
        return "before"
    if now > closes:
        return "after"
    return "open"


def taken_at_refusal(taken_at: datetime, now: datetime, earliest: datetime) -> str | None:
    """None when a device's « taken at » is sane: not in the future (beyond the clock skew), not
    before ``earliest`` (the part's check-in or signing opened then). Otherwise why not."""
    if taken_at > now + CLOCK_SKEW:
        return "future"
    if taken_at < earliest:
        return "too_early"
    return None
