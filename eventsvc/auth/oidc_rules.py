"""Single sign-on (OpenID Connect) rules: the settings checked at start-up, and what a provider's
claims say about the person. Pure: tests are function calls.

ProConnect (the French State's sign-on for public agents) sends ``email``, ``given_name``,
``usual_name`` (the name in use) and ``siret`` (the agent's organisation); other providers send
``family_name`` and often ``email_verified``. An account is matched by its email; one is created
at first sign-on only for the domains the configuration allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from ipaddress import ip_address
from urllib.parse import urlsplit

_SEPARATORS = re.compile(r"[\s,;]+")
LOOPBACK_NAMES = {"localhost"}


class SettingsError(ValueError):
    """A wrong single sign-on setting: the start-up stops and says which one and why."""


@dataclass(frozen=True)
class Settings:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    provider_name: str
    allowed_domains: tuple[str, ...]


def truthy(value) -> bool:
    """A boolean setting given as a boolean, a number or text (« false », « 0 », « non »...)."""
    if isinstance(value, str):
        return value.strip().casefold() not in ("", "0", "false", "no", "non", "off")
    return bool(value)


def is_loopback(host: str) -> bool:
    if host.casefold() in LOOPBACK_NAMES:
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def check_issuer(issuer: str) -> str:
    """The issuer without a trailing slash: https, or http on a loopback address (tests)."""
    parts = urlsplit(issuer)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SettingsError(
            f"EVENTSVC_OIDC_ISSUER: {issuer!r} is not a URL such as https://auth.example.fr"
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise SettingsError(
            f"EVENTSVC_OIDC_ISSUER: {issuer!r} must use https (http is accepted on a "
            "loopback address only, for tests)"
        )
    if parts.query or parts.fragment:
        raise SettingsError(f"EVENTSVC_OIDC_ISSUER: {issuer!r} must have no query nor fragment")
    return issuer.rstrip("/")


def parse_domains(value) -> tuple[str, ...]:
    """``OIDC_ALLOWED_DOMAINS`` (a text separated by commas or spaces, or a list) as lower-case
    domains, without a leading « @ »."""
    if not value:
        return ()
    entries = _SEPARATORS.split(value) if isinstance(value, str) else [str(v) for v in value]
    domains: list[str] = []
    for entry in entries:
        domain = entry.strip().lstrip("@").casefold().rstrip(".")
        if not domain:
            continue
        if "@" in domain or "/" in domain or "." not in domain or "*" in domain:
            raise SettingsError(
                f"EVENTSVC_OIDC_ALLOWED_DOMAINS: {entry!r} is not an email domain such as "
                "gironde.fr (no wildcard: list each domain)"
            )
        if domain not in domains:
            domains.append(domain)
    return tuple(domains)


def check_settings(config) -> Settings | None:
    """The single sign-on settings of ``config`` (a mapping), or None when no issuer is set.

    Raises :class:`SettingsError` for a wrong value, and when password login is off without a
    provider to sign in with (nobody could log in)."""
    password_login = truthy(config.get("PASSWORD_LOGIN", True))
    issuer = (config.get("OIDC_ISSUER") or "").strip()
    if not issuer:
        if not password_login:
            raise SettingsError(
                "EVENTSVC_PASSWORD_LOGIN is false but EVENTSVC_OIDC_ISSUER is not set: "
                "nobody could log in"
            )
        return None
    issuer = check_issuer(issuer)
    client_id = (config.get("OIDC_CLIENT_ID") or "").strip()
    client_secret = config.get("OIDC_CLIENT_SECRET") or ""
    if not client_id or not client_secret:
        raise SettingsError(
            "EVENTSVC_OIDC_CLIENT_ID and EVENTSVC_OIDC_CLIENT_SECRET are required with "
            "EVENTSVC_OIDC_ISSUER (given by the provider when the service is registered)"
        )
    scopes = " ".join((config.get("OIDC_SCOPES") or "openid email profile").split())
    if "openid" not in scopes.split() or "email" not in scopes.split():
        raise SettingsError(
            f"EVENTSVC_OIDC_SCOPES: {scopes!r} must include openid and email "
            "(ProConnect: openid email given_name usual_name siret)"
        )
    return Settings(
        issuer=issuer,
        client_id=client_id,
        client_secret=str(client_secret),
        scopes=scopes,
        provider_name=(config.get("OIDC_PROVIDER_NAME") or "ProConnect").strip(),
        allowed_domains=parse_domains(config.get("OIDC_ALLOWED_DOMAINS")),
    )


class Refusal(Exception):
    """Why a sign-on is refused: ``reason`` is a short code for the audit line."""

    def __init__(self, reason: str, email: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.email = email


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    siret: str


def person_from_claims(claims) -> Person:
    """The person the provider vouches for; :class:`Refusal` without an email, or with one the
    provider says it has not verified (``email_verified`` false)."""
    email = claims.get("email")
    if not isinstance(email, str) or "@" not in email.strip():
        raise Refusal("no_email")
    email = email.strip()
    if claims.get("email_verified") is False or claims.get("email_verified") == "false":
        raise Refusal("email_not_verified", email)
    given = _text(claims.get("given_name"))
    family = _text(claims.get("usual_name")) or _text(claims.get("family_name"))
    siret = _text(claims.get("siret"))
    return Person(
        email=email,
        name=" ".join(part for part in (given, family) if part)[:200],
        siret=siret if siret.isdigit() and len(siret) == 14 else "",
    )


def _text(value) -> str:
    return " ".join(value.split()) if isinstance(value, str) else ""


def domain_allowed(email: str, domains: tuple[str, ...]) -> bool:
    """Whether an account may be created for ``email``: its domain is one of ``domains``
    (exactly: a sub-domain must be listed too)."""
    domain = email.rpartition("@")[2].strip().casefold().rstrip(".")
    return domain in domains
