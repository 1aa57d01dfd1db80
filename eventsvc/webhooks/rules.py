"""Pure rules of the webhooks: the event types, the secret's form, the Standard Webhooks
signature, the retry schedule and which addresses an endpoint may never reach."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
from datetime import timedelta
from urllib.parse import urlsplit

EVENT_TYPES = (
    "registration.created",
    "registration.changed",
    "registration.cancelled",
    "registration.promoted",
    "checkin.recorded",
    "claim.validated",
)
SECRET_PREFIX = "whsec_"  # noqa: S105 - the prefix, not a secret
SECRET_BYTES = 24

# After attempt n fails, the next one waits RETRY_DELAYS[n - 1] (the last one repeats).
RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
    timedelta(hours=12),
)


def new_secret(random_bytes: bytes) -> str:
    return SECRET_PREFIX + base64.b64encode(random_bytes).decode("ascii")


def retry_delay(attempts: int) -> timedelta:
    return RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1]


def body(payload: dict) -> bytes:
    """The bytes sent and signed: compact JSON, UTF-8, keys sorted (the same on every retry)."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def signature(secret: str, msg_id: str, timestamp: int, content: bytes) -> str:
    """``v1,<base64 HMAC-SHA256 of "id.timestamp.body">`` keyed by the secret's decoded bytes."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{msg_id}.{timestamp}.".encode() + content
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


class RefusedAddress(ValueError):
    """An endpoint's URL or one of its addresses that a webhook may not reach."""


def check_url(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) of an http(s) URL with a host; RefusedAddress otherwise."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise RefusedAddress("url") from error
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedAddress("scheme")
    if parts.username or parts.password:
        raise RefusedAddress("credentials")
    return parts.scheme, parts.hostname, port or (443 if parts.scheme == "https" else 80)


def refused_ip(address: str) -> bool:
    """Loopback, private, link-local, unspecified, multicast, reserved (and IPv4 mapped into
    IPv6 judged as the IPv4 address): none of them is a public receiver."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_multicast
        or ip.is_reserved
        or not ip.is_global
    )
