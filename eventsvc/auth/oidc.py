"""Single sign-on with an OpenID Connect provider (ProConnect, or any standard one), through
Authlib's Flask client.

Authlib does the protocol: discovery (``/.well-known/openid-configuration``), the authorisation
redirect with ``state``, ``nonce`` and PKCE kept in the Flask session, the code exchange, and the
ID token's checks (signature against the provider's JWKS, ``iss``, ``aud``, ``exp``, ``nonce``).
This module adds what Authlib leaves out: a userinfo answered as a signed JWT (ProConnect's, type
``application/jwt``), verified against the same JWKS, and the account the claims lead to
(:func:`sign_in`), matched by email and created only for the allowed domains
(``oidc_rules``). Settings are checked at start-up (:func:`init_app`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import current_app
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from ..audit import service as audit
from ..common.validation import RuleError, check_email
from ..database import utcnow
from ..extensions import db
from . import oidc_rules as rules
from . import service
from .models import User
from .oidc_rules import Refusal

CLIENT = "oidc"
SETTINGS_KEY = "eventsvc.oidc"
OAUTH_KEY = "eventsvc.oauth"
# In the Flask session: the provider's logout wants the ID token back.
ID_TOKEN_KEY = "oidc_id_token"  # noqa: S105 - a key, not a secret
TIMEOUT_SECONDS = 10  # every call to the provider, so a slow provider never holds a worker long
# Who an audit line about a refused sign-on names when the provider gave no email.
ANONYMOUS = "single-sign-on"


def init_app(app) -> None:
    """Check the settings (a wrong one stops the start-up) and register the provider."""
    settings = rules.check_settings(app.config)
    app.config["PASSWORD_LOGIN"] = rules.truthy(app.config.get("PASSWORD_LOGIN", True))
    app.extensions[SETTINGS_KEY] = settings
    if settings is None:
        return
    oauth = OAuth(app)
    oauth.register(
        CLIENT,
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        server_metadata_url=settings.issuer + "/.well-known/openid-configuration",
        client_kwargs={
            "scope": settings.scopes,
            "code_challenge_method": "S256",
            "default_timeout": TIMEOUT_SECONDS,
        },
    )
    app.extensions[OAUTH_KEY] = oauth
    # Logging out redirects to the provider's end_session_endpoint: the logout form may go there.
    issuer = urlsplit(settings.issuer)
    app.config["FORM_ACTION_ORIGINS"] = (f"{issuer.scheme}://{issuer.netloc}",)


def settings() -> rules.Settings | None:
    return current_app.extensions.get(SETTINGS_KEY)


def client():
    """Authlib's client for the provider; its server metadata is fetched once per process."""
    return current_app.extensions[OAUTH_KEY].create_client(CLIENT)


def metadata(provider) -> dict:
    """The provider's discovery document, which must name the configured issuer exactly."""
    found = provider.load_server_metadata()
    if str(found.get("issuer", "")).rstrip("/") != settings().issuer:
        raise Refusal("issuer_mismatch")
    # The secret goes in an Authorization header (Authlib's default), or in the token request's
    # body for a provider that accepts only that.
    methods = found.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
    if "client_secret_basic" not in methods and "client_secret_post" in methods:
        provider.client_kwargs["token_endpoint_auth_method"] = "client_secret_post"  # noqa: S105
    return found


def fetch_userinfo(provider, token: dict, id_claims) -> dict:
    """The userinfo claims, answered as JSON or as a JWT signed with the provider's keys
    (ProConnect). They must be about the person of the ID token (same ``sub``)."""
    found = metadata(provider)
    endpoint = found.get("userinfo_endpoint")
    if not endpoint:
        return dict(id_claims)
    response = provider.get(endpoint, token=token)
    response.raise_for_status()
    media_type = response.headers.get("Content-Type", "").split(";")[0].strip().casefold()
    if media_type == "application/jwt":
        claims = _verified_jwt(provider, response.text.strip(), found)
    else:
        claims = response.json()
    if not isinstance(claims, dict) or claims.get("sub") != id_claims.get("sub"):
        raise Refusal("userinfo_subject_mismatch")
    return claims


def _verified_jwt(provider, value: str, found: dict) -> dict:
    """A signed userinfo: signature against the JWKS (fetched again once for an unknown key id),
    then ``iss`` and ``aud`` when present, and ``exp``."""
    registry = JWSRegistry(
        algorithms=found.get("userinfo_signing_alg_values_supported"), strict_check_header=False
    )
    try:
        keys = KeySet.import_key_set(provider.fetch_jwk_set())
        decoded = jwt.decode(value, keys, registry=registry)
    except InvalidKeyIdError:
        keys = KeySet.import_key_set(provider.fetch_jwk_set(force=True))
        decoded = jwt.decode(value, keys, registry=registry)
    jwt.JWTClaimsRegistry(
        leeway=120, iss={"value": found["issuer"]}, aud={"value": provider.client_id}
    ).validate(decoded.claims)
    return decoded.claims


def sign_in(person: rules.Person) -> User:
    """The account of the person the provider vouched for: the one with their email (whatever
    its capitals), else a new one if their domain is allowed; :class:`Refusal` otherwise.

    Records ``auth.oidc_login`` (and ``account.created`` for a new account); the caller starts
    the session and commits."""
    provider_name = settings().provider_name
    user = service.find_by_email(person.email)
    if user is None:
        if not rules.domain_allowed(person.email, settings().allowed_domains):
            raise Refusal("domain_not_allowed", person.email)
        user = _create(person, provider_name)
    elif not user.active:
        raise Refusal("inactive", person.email)
    if person.siret:
        user.siret = person.siret
    if not user.name and person.name:
        user.name = person.name
    user.last_login_at = utcnow()
    audit.record(
        "auth.oidc_login",
        actor=user,
        details={"account": user.email, "provider": provider_name},
    )
    db.session.flush()
    return user


def _create(person: rules.Person, provider_name: str) -> User:
    try:
        checked = check_email(person.email)
    except RuleError:
        raise Refusal("invalid_email", person.email) from None
    # No password: the account signs in through the provider (``users set-password`` gives one).
    user = User(
        email=checked.normalised,
        email_key=checked.key,
        name=person.name,
        password_hash="",
        is_admin=False,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(
        "account.created",
        actor=user,
        details={"account": user.email, "admin": False, "provider": provider_name},
    )
    return user


def record_refusal(reason: str, email: str = "") -> None:
    """The audit line of a refused sign-on (the caller commits)."""
    audit.record(
        "auth.oidc_refused",
        actor_label=email or ANONYMOUS,
        details={"account": email, "reason": reason, "provider": settings().provider_name},
    )


def provider_logout(id_token: str, come_back_to: str):
    """A redirect to the provider's ``end_session_endpoint`` (RP-initiated logout, with the ID
    token as ``id_token_hint``), or None when there is none or the provider does not answer."""
    if settings() is None:
        return None
    provider = client()
    try:
        if not metadata(provider).get("end_session_endpoint"):
            return None
        return provider.logout_redirect(
            post_logout_redirect_uri=come_back_to, id_token_hint=id_token
        )
    except (requests.RequestException, AuthlibBaseError, ValueError, Refusal):
        return None
