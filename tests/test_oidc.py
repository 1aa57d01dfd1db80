"""Single sign-on without a browser: the rules (function calls), the settings checked at start-up,
password login turned off, and a provider that does not answer. The flows themselves run in
Chromium against a real provider: tests/e2e/test_oidc.py."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from eventsvc import create_app
from eventsvc.audit.models import AuditEvent
from eventsvc.auth import oidc_rules as rules
from eventsvc.extensions import db

from .factories import ORGANISER_PASSWORD, config_for_tests
from .oidc_server import free_port

# --- rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "issuer",
    ["https://auth.example.fr/api/v2/", "http://127.0.0.1:4567", "http://localhost:8080"],
)
def test_an_issuer_is_https_or_on_loopback(issuer):
    assert rules.check_issuer(issuer) == issuer.rstrip("/")


@pytest.mark.parametrize(
    "issuer", ["http://auth.example.fr", "ftp://auth.example.fr", "auth.example.fr", "https://"]
)
def test_other_issuers_stop_the_start_up(issuer):
    with pytest.raises(rules.SettingsError, match="EVENTSVC_OIDC_ISSUER"):
        rules.check_issuer(issuer)


def test_allowed_domains_are_listed_plainly():
    assert rules.parse_domains(" Gironde.fr, @landes.fr;gironde.fr\n") == (
        "gironde.fr",
        "landes.fr",
    )
    assert rules.parse_domains("") == ()
    for wrong in ("*.gouv.fr", "agent@gironde.fr", "localhost"):
        with pytest.raises(rules.SettingsError, match="ALLOWED_DOMAINS"):
            rules.parse_domains(wrong)


def test_a_domain_is_allowed_exactly():
    domains = ("gironde.fr",)
    assert rules.domain_allowed("Paul@GIRONDE.fr", domains)
    assert not rules.domain_allowed("paul@agents.gironde.fr", domains)
    assert not rules.domain_allowed("paul@gironde.fr.example", domains)


def test_proconnect_claims_make_a_person():
    person = rules.person_from_claims(
        {
            "sub": "x",
            "email": " agent@gironde.fr ",
            "given_name": "Anne  Marie",
            "usual_name": "Dupont",
            "family_name": "Martin",
            "siret": "21330063500017",
        }
    )
    assert person == rules.Person("agent@gironde.fr", "Anne Marie Dupont", "21330063500017")
    other = rules.person_from_claims({"email": "a@b.fr", "family_name": "Martin", "siret": "12"})
    assert (other.name, other.siret) == ("Martin", "")


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"sub": "x"}, "no_email"),
        ({"email": "not an address"}, "no_email"),
        ({"email": "a@b.fr", "email_verified": False}, "email_not_verified"),
    ],
)
def test_claims_without_a_verified_email_are_refused(claims, reason):
    with pytest.raises(rules.Refusal) as refused:
        rules.person_from_claims(claims)
    assert refused.value.reason == reason


# --- settings at start-up -----------------------------------------------------------------

SSO = {
    "OIDC_ISSUER": "https://auth.example.fr",
    "OIDC_CLIENT_ID": "eventsvc",
    "OIDC_CLIENT_SECRET": "secret",
}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({**SSO, "OIDC_ISSUER": "http://auth.example.fr"}, "must use https"),
        ({**SSO, "OIDC_CLIENT_SECRET": ""}, "OIDC_CLIENT_SECRET are required"),
        ({**SSO, "OIDC_SCOPES": "email profile"}, "must include openid"),
        ({"PASSWORD_LOGIN": "false"}, "nobody could log in"),
    ],
)
def test_wrong_settings_stop_the_start_up(database_uri, tmp_path, settings, message):
    with pytest.raises(rules.SettingsError, match=message):
        create_app({**config_for_tests(database_uri, tmp_path), **settings})


def test_without_an_issuer_there_is_no_single_sign_on(database_uri, tmp_path):
    client = create_app(config_for_tests(database_uri, tmp_path)).test_client()
    assert client.get("/login/oidc").status_code == 404
    assert "Se connecter avec" not in client.get("/login").get_data(as_text=True)


# --- password login turned off, a provider that does not answer -----------------------------


@pytest.fixture
def app_config(database_uri, tmp_path):
    return {
        **config_for_tests(database_uri, tmp_path / "instance"),
        **SSO,
        # Nothing listens there: the provider does not answer.
        "OIDC_ISSUER": f"http://127.0.0.1:{free_port()}",
        "OIDC_PROVIDER_NAME": "ProConnect",
        "PASSWORD_LOGIN": "false",  # as the environment gives it
        "WTF_CSRF_ENABLED": False,  # the page has no form to take a token from
    }


@pytest.mark.usefixtures("app")
def test_password_login_turned_off_hides_the_form_and_refuses_a_password(
    app_config, client, make_organiser
):
    make_organiser(email="claire.martin@example.org")
    page = client.get("/login").get_data(as_text=True)
    assert 'type="password"' not in page
    assert "Se connecter avec ProConnect" in page and 'href="/login/oidc"' in page
    response = client.post(
        "/login", data={"email": "claire.martin@example.org", "password": ORGANISER_PASSWORD}
    )
    assert response.status_code == 200
    assert "La connexion par mot de passe est désactivée" in response.get_data(as_text=True)
    assert client.get("/dashboard/").status_code == 302  # still not signed in


def test_a_provider_that_does_not_answer_ends_on_the_login_page(app, client):
    response = client.get("/login/oidc")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/login")
    page = client.get("/login").get_data(as_text=True)
    assert "ProConnect ne répond pas pour l&#39;instant" in page
    [line] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "auth.oidc_refused"))
    assert line.details["reason"] == "provider_unreachable"


def test_the_journal_says_why_a_sign_on_was_refused(app):
    from flask_babel import force_locale, gettext

    from eventsvc.audit import service as audit
    from eventsvc.audit.sentences import Line, sentence

    line = Line(
        "auth.oidc_refused",
        {"provider": "ProConnect", "account": "eve@ailleurs.example", "reason": "wrong_nonce"},
        "eve@ailleurs.example",
    )
    assert sentence(line, "fr", audit.ACTION_LABELS).render() == (
        "Connexion par ProConnect refusée pour « eve@ailleurs.example » "
        "(nonce différent de celui envoyé), par eve@ailleurs.example"
    )
    with app.test_request_context(), force_locale("en"):
        assert sentence(line, "en", audit.ACTION_LABELS).render(gettext, "en") == (
            "Sign-in with ProConnect refused for « eve@ailleurs.example » "
            "(nonce different from the one sent), by eve@ailleurs.example"
        )


def test_the_logout_form_may_lead_to_the_provider(app, client):
    policy = client.get("/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {app.config['OIDC_ISSUER']};" in policy
