"""Where an endpoint may be reached: its host resolved, every address checked (no SSRF).

Checked twice: when the organiser registers the URL (a clear refusal in the form) and before
every delivery, since a name may resolve elsewhere later (DNS rebinding). The delivery then
connects to the very address it checked (``delivery`` puts the IP in the URL and keeps the
name for the Host header and TLS), so no second lookup can slip another address in between.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from .rules import RefusedAddress, check_url, refused_ip


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    address: str  # the checked IP to connect to


def resolve(host: str, port: int) -> list[str]:
    """The host's addresses (the only call the tests replace: external DNS)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as error:
        raise RefusedAddress("dns") from error
    return list(dict.fromkeys(info[4][0] for info in infos))


def target(url: str, *, allow_private: bool) -> Target:
    """The URL's checked address; RefusedAddress when the URL is not http(s), the name does not
    resolve, or any of its addresses is loopback, private, link-local... (unless allowed)."""
    scheme, host, port = check_url(url)
    addresses = resolve(host, port)
    if not addresses:
        raise RefusedAddress("dns")
    if not allow_private and any(refused_ip(address) for address in addresses):
        raise RefusedAddress("private")
    return Target(scheme, host, port, addresses[0])
