"""Which ``Host`` the site answers to: the one of ``PUBLIC_BASE_URL``, or loopback only.

Links that leave the site (emails, calendars) are built from ``PUBLIC_BASE_URL`` alone, never from
the request; refusing other hosts as well means no page, redirect or cookie is ever served under a
name an attacker picked (``Host`` or, behind a trusted proxy, ``X-Forwarded-Host``).

This is Flask's ``TRUSTED_HOSTS`` done as a WSGI middleware: Werkzeug 3.1's ``host_is_trusted``
cuts a trusted entry at its first ``:``, so ``[::1]`` can never match there.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from werkzeug.exceptions import BadRequest

from .common.query_args import bounded_int

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]"})
DEFAULT_BASE_URL = "http://127.0.0.1:5000"

logger = logging.getLogger("eventsvc.hosts")


def check_base_url(value: str | None) -> str | None:
    """``PUBLIC_BASE_URL`` without its trailing slash; a wrong one stops the start-up."""
    if not value:
        return None
    parts = urlsplit(str(value).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(
            f"PUBLIC_BASE_URL must be an http(s) address such as https://inscriptions.example.fr, "
            f"not {value!r}"
        )
    return str(value).strip().rstrip("/")


def host_name(host: str | None) -> str | None:
    """The name part of a ``Host`` value, lower case (IPv6 kept in brackets); None if malformed."""
    if not host:
        return None
    host = host.strip().lower()
    if host.startswith("["):
        name, bracket, port = host.partition("]")
        name += bracket
        if not bracket or (port and not port.startswith(":")):
            return None
        port = port[1:]
    else:
        name, _, port = host.partition(":")
    if not name or (port and bounded_int(port, minimum=1, maximum=65535) is None):
        return None
    return name


def allowed_hosts(public_base_url: str | None) -> frozenset[str]:
    """Loopback names without a base URL; otherwise its host (and every loopback name if it is
    itself a loopback one, as with ``make run``: they all reach the same machine)."""
    if not public_base_url:
        return LOOPBACK_HOSTS
    name = host_name(urlsplit(public_base_url).netloc.rpartition("@")[2])
    if name in LOOPBACK_HOSTS:
        return LOOPBACK_HOSTS
    return frozenset({name})


class HostCheck:
    """Answer 400 to a request for any host outside :func:`allowed_hosts`."""

    def __init__(self, wsgi_app, public_base_url: str | None):
        self.wsgi_app = wsgi_app
        self.public_base_url = public_base_url
        self.hosts = allowed_hosts(public_base_url)
        self._told = False

    def __call__(self, environ, start_response):
        if host_name(environ.get("HTTP_HOST")) in self.hosts:
            return self.wsgi_app(environ, start_response)
        if not self._told:
            self._told = True  # once per process: a scanner must not flood the log
            self._tell(environ.get("HTTP_HOST", ""))
        return BadRequest("Unknown host.")(environ, start_response)

    def _tell(self, host: str) -> None:
        if self.public_base_url:
            logger.warning(
                "Refused a request for host %r: only the host of EVENTSVC_PUBLIC_BASE_URL (%s) is "
                "served. A reverse proxy must pass the public Host (or X-Forwarded-Host).",
                host,
                self.public_base_url,
            )
        else:
            logger.warning(
                "Refused a request for host %r: without EVENTSVC_PUBLIC_BASE_URL only localhost, "
                "127.0.0.1 and [::1] are served. Set EVENTSVC_PUBLIC_BASE_URL to the site's "
                "address (e.g. https://inscriptions.example.fr) to serve it under another name.",
                host,
            )
