"""The sign-up form inside another site's page (``/e/<slug>/embed``, ``participant.embed``).

Only the origins of ``EMBED_ORIGINS`` may frame the pages marked :func:`embeddable` (the form,
its confirmation, its error pages): their ``Content-Security-Policy`` says ``frame-ancestors``
those origins, and they carry no ``X-Frame-Options``. Every other page keeps ``frame-ancestors
'none'`` and ``X-Frame-Options: DENY`` (``security.py``). With no origin configured, the embed
pages are not frameable either: an organiser who pastes the snippet sees an empty frame, and the
dashboard says why, rather than anyone's page framing the form by default.

In a frame on another site the browser sends no cookie (``SameSite=Lax``, and third-party
cookies blocked): these pages set none and read none (see ``participant/embed_form.py``).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import current_app, request

from .common.query_args import bounded_int

# A host name (letters, digits, hyphens, dots) or an IPv4 address; IPv6 in brackets.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"^{_LABEL}(?:\.{_LABEL})*$")
_IPV6 = re.compile(r"^\[[0-9a-f:.]+\]$")
_SEPARATORS = re.compile(r"[,\s]+")

# The default height of the frame in the snippet (CSS pixels), before the host page's script
# (static/embed-host.js) fits it to the form; without that script the frame scrolls.
DEFAULT_HEIGHT = 1200


class EmbedOriginError(ValueError):
    """A wrong ``EMBED_ORIGINS``: the start-up stops and says which entry and why."""


def parse_origins(value) -> tuple[str, ...]:
    """``EMBED_ORIGINS`` as a tuple of origins (``https://www.example.fr``, ``http://host:8080``),
    lower case, without duplicates. Accepts a string (separated by commas or spaces) or a list.

    Each entry is a scheme (http or https), a host and an optional port: no path, query,
    user name, nor wildcard; a lone trailing slash is forgiven. Anything else raises
    :class:`EmbedOriginError`."""
    if not value:
        return ()
    entries = _SEPARATORS.split(value) if isinstance(value, str) else list(value)
    origins: list[str] = []
    for entry in entries:
        entry = str(entry).strip()
        if entry:
            origin = _check_origin(entry)
            if origin not in origins:
                origins.append(origin)
    return tuple(origins)


def _check_origin(entry: str) -> str:
    def refuse(reason: str) -> EmbedOriginError:
        return EmbedOriginError(
            f"EMBED_ORIGINS: {entry!r} {reason}; give origins such as https://www.example.fr "
            "or http://intranet.example.fr:8080, separated by commas or spaces"
        )

    if "*" in entry:
        raise refuse("holds a wildcard, which is not allowed")
    parts = urlsplit(entry.lower())
    if parts.scheme not in ("http", "https"):
        raise refuse("does not start with http:// or https://")
    if parts.path not in ("", "/") or parts.query or parts.fragment or entry.endswith(("?", "#")):
        raise refuse("has a path, query or fragment")
    if "@" in parts.netloc:
        raise refuse("has a user name")
    host, port = _host_and_port(parts.netloc)
    if host is None or not (_HOST.match(host) or _IPV6.match(host)):
        raise refuse("has no valid host name")
    if port is not None and bounded_int(port, minimum=1, maximum=65535) is None:
        raise refuse("has an invalid port")
    return f"{parts.scheme}://{host}" + (f":{int(port)}" if port is not None else "")


def _host_and_port(netloc: str) -> tuple[str | None, str | None]:
    if netloc.startswith("["):
        host, bracket, rest = netloc.partition("]")
        if not bracket or (rest and not rest.startswith(":")):
            return None, None
        return host + bracket, (rest[1:] if rest else None)
    host, colon, port = netloc.partition(":")
    return (host or None), (port if colon else None)


def embeddable(view):
    """Marks a view as a page of the embed: framed by ``EMBED_ORIGINS``, without cookies. The
    mark is read from the endpoint's view function, so that the error pages of such a request
    (404, 429...) get it too. Put it under ``@bp.get``/``@bp.post``, above the other decorators
    (``functools.wraps`` carries it up)."""
    view.embeddable = True
    return view


def is_embedded() -> bool:
    """Whether the current request is for a page of the embed."""
    if not request or request.endpoint is None:
        return False
    view = current_app.view_functions.get(request.endpoint)
    return bool(getattr(view, "embeddable", False))


def origins() -> tuple[str, ...]:
    return current_app.config["EMBED_ORIGINS"]


def frame_ancestors() -> str:
    """The ``frame-ancestors`` sources of an embed page: the configured origins, or 'none'."""
    return " ".join(origins()) or "'none'"


def snippet(embed_url: str, script_url: str, title: str) -> str:
    """The HTML an organiser pastes into their own site's page: the frame, at a default height
    where it scrolls, and the script that fits its height to the form."""
    return (
        f'<iframe src="{_attribute(embed_url)}" title="{_attribute(title)}" '
        f'width="100%" height="{DEFAULT_HEIGHT}" scrolling="auto" loading="lazy" '
        f'data-eventsvc-embed style="border:0;width:100%;max-width:100%"></iframe>\n'
        f'<script src="{_attribute(script_url)}" async></script>'
    )


def _attribute(value: str) -> str:
    """A value between double quotes (an apostrophe stays one: « Journée d'étude »)."""
    for char, entity in (("&", "&amp;"), ('"', "&quot;"), ("<", "&lt;"), (">", "&gt;")):
        value = value.replace(char, entity)
    return value


def language_args() -> dict[str, str]:
    """The ``lang`` of the request, for the embed's own links and form: the language cookie of
    ``i18n.py`` never reaches a frame on another site, so the choice travels in the address."""
    asked = request.args.get("lang")
    return {"lang": asked} if asked in current_app.config["LANGUAGES"] else {}


def init_app(app) -> None:
    @app.context_processor
    def embed_context():
        embedded = is_embedded()
        return {
            "embedded": embedded,
            "embed_origins": origins() if embedded else (),
            "embed_args": language_args() if embedded else {},
        }
