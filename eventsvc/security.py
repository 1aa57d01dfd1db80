"""Hardening shared by every page: response headers, cookies, proxies, rate-limit keys.

Kept free of the extension objects so that ``extensions.py`` can import the key function.
"""

from __future__ import annotations

import ipaddress
from functools import wraps

from flask import Flask, Response, make_response, request
from werkzeug.middleware.proxy_fix import ProxyFix

from . import embedding
from .hosts import HostCheck


# No inline script or style anywhere (the templates have none and a test keeps it so): a script
# injected through some future mistake would not run.
def content_security_policy(frame_ancestors: str = "'none'", form_action: str = "'self'") -> str:
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "object-src 'none'",
            "base-uri 'none'",
            f"form-action {form_action}",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


CONTENT_SECURITY_POLICY = content_security_policy()

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    # Personal links carry their token in the path: never hand it to another site.
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # frame-ancestors for browsers that predate it
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
}

# The check-in page alone may use the camera (its scanner of check-in codes), and only for itself.
CAMERA_PERMISSIONS_POLICY = "camera=(self), microphone=(), geolocation=(), payment=()"

# One year; no includeSubDomains: the service often lives on a subdomain of a body whose other
# sites are not ours to force onto HTTPS.
HSTS = "max-age=31536000"


def init_app(app: Flask) -> None:
    if app.config["HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    # Inside ProxyFix, so that a trusted proxy's X-Forwarded-Host is checked as well.
    app.wsgi_app = HostCheck(app.wsgi_app, app.config["PUBLIC_BASE_URL"])
    proxies = int(app.config["PROXY_COUNT"] or 0)
    if proxies > 0:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    # Forms may also lead to these origins (the sign-on provider: logging out ends its session
    # with a redirect there, which form-action governs too).
    extra = " ".join(app.config.get("FORM_ACTION_ORIGINS", ()))
    page_headers = HEADERS
    if extra:
        policy = content_security_policy(form_action=f"'self' {extra}")
        page_headers = {**HEADERS, "Content-Security-Policy": policy}

    @app.after_request
    def security_headers(response):
        for name, value in (embed_headers() if embedding.is_embedded() else page_headers).items():
            response.headers.setdefault(name, value)
        if app.config["HTTPS"]:
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        return response


def embed_headers() -> dict[str, str]:
    """The headers of a page of the embed (``embedding.py``): framed by the configured origins
    only; X-Frame-Options, which cannot name them, is left out (browsers that know
    ``frame-ancestors`` ignore it anyway). With no origin configured, as framed as any page."""
    ancestors = embedding.frame_ancestors()
    headers = {**HEADERS, "Content-Security-Policy": content_security_policy(ancestors)}
    if ancestors != "'none'":
        del headers["X-Frame-Options"]
    return headers


def no_store(view):
    """For pages that show personal data: no copy in any cache, shared computer or proxy."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        response = make_response(view(*args, **kwargs))
        response.headers["Cache-Control"] = "no-store"
        return response

    return wrapper


def download(body, *, mimetype: str, filename: str) -> Response:
    """A file to save (export, PDF, calendar): personal data, so never kept by any cache."""
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


def client_address() -> str:
    """The rate-limit key: the client's address, an IPv6 /64 as one (a home or office gets a
    whole /64, so counting single addresses there would count nothing)."""
    address = request.remote_addr or "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 4:
        return str(parsed)
    if parsed.ipv4_mapped is not None:
        return str(parsed.ipv4_mapped)
    return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
