"""Single sign-on in Chromium against a real OpenID provider on loopback (npm's oidc-provider,
``tests/oidc_provider.mjs``): its own login and consent pages, the code exchange, the ID token's
checks and the signed userinfo, as with ProConnect. Nothing is mocked.

The attacks are made with what a browser holds: a callback URL with another ``state``, a session
cookie whose ``nonce`` is not the one the ID token carries (the test knows the secret key, so it
can re-sign the cookie), and a callback replayed with the same cookie once its code has been used.
"""

from __future__ import annotations

import re
import threading
from contextlib import contextmanager
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import pytest
from flask.sessions import SecureCookieSessionInterface
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from eventsvc import create_app
from eventsvc.audit.models import AuditEvent
from eventsvc.auth import oidc
from eventsvc.auth.models import User
from eventsvc.extensions import db

from ..factories import TEST_SECRET
from ..oidc_server import CLIENT_SECRET, OpenIDProvider, free_port
from .browser import axe_violations

ORGANISER = "claire.martin@example.org"


@contextmanager
def serving(database_uri, instance, client_id: str, auth_method: str = "client_secret_basic"):
    """The app on a free port, signing in as ``client_id`` through the provider started on
    another one; yields (the app's base URL, the provider, the app)."""
    port = free_port()
    app = create_app(
        {
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "SECRET_KEY": TEST_SECRET,
            "CHECK_EMAIL_DELIVERABILITY": False,
            "RATELIMIT_ENABLED": False,
            "OIDC_ISSUER": f"http://127.0.0.1:{port}",
            "OIDC_CLIENT_ID": client_id,
            "OIDC_CLIENT_SECRET": CLIENT_SECRET,
            "OIDC_ALLOWED_DOMAINS": "gironde.fr, landes.fr",
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="sso-server", daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    provider = OpenIDProvider(
        port, [f"{base}/login/oidc/callback"], [f"{base}/login"], auth_method
    ).start()
    try:
        yield base, provider, app
    finally:
        provider.stop()
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def sso(database_uri, tmp_path_factory):
    """Signed userinfo (application/jwt), as ProConnect answers."""
    with serving(database_uri, tmp_path_factory.mktemp("sso"), "eventsvc") as served:
        yield served


@pytest.fixture(scope="module")
def sso_json(database_uri, tmp_path_factory):
    """Userinfo as plain JSON, as most providers answer."""
    with serving(database_uri, tmp_path_factory.mktemp("sso-json"), "eventsvc-json") as served:
        yield served


@pytest.fixture(scope="module")
def sso_post(database_uri, tmp_path_factory):
    """A provider that takes the client secret in the token request's body only."""
    instance = tmp_path_factory.mktemp("sso-post")
    with serving(database_uri, instance, "eventsvc", "client_secret_post") as served:
        yield served


def provider_login(page, login: str) -> None:
    """The provider's own pages (devInteractions): any password, then consent."""
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()
    page.get_by_role("button", name="Continue").click()


def start(tab, base: str) -> None:
    tab.page.goto(f"{base}/login")
    button = tab.page.get_by_role("link", name="Se connecter avec ProConnect")
    expect(button).to_be_visible()
    button.click()


def held_callback(tab, base: str, login: str) -> str:
    """Sign in at the provider, but stop at its redirect back: the callback URL is returned, not
    opened. (Playwright does not route the requests of a redirect chain, so the consent form is
    sent, and its redirects followed, by the context's request client, which shares the
    browser's cookies.)"""
    start(tab, base)
    page = tab.page
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password")
    page.locator("button[type=submit]").click()
    expect(page.get_by_role("button", name="Continue")).to_be_visible()
    action, fields = page.evaluate(
        "() => { const form = document.forms[document.forms.length - 1];"
        " return [form.action, Object.fromEntries(new FormData(form))]; }"
    )
    url = action
    response = page.context.request.post(url, form=fields, max_redirects=0)
    for _hop in range(5):
        url = urljoin(url, response.headers["location"])
        if url.startswith(f"{base}/login/oidc/callback"):
            return url
        response = page.context.request.get(url, max_redirects=0)
    raise AssertionError(f"the provider did not send back to the callback: {url}")


def audit_lines(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def login_error(page) -> str:
    error = page.locator("#login-error")
    expect(error).to_be_visible()
    return error.inner_text()


def test_an_organiser_signs_in_through_the_provider_and_out_of_both(
    app, sso, open_tab, make_organiser, make_event
):
    base, provider, _app = sso
    make_organiser(email=ORGANISER, events=[make_event()])
    checker = open_tab(bypass_csp=True)  # axe-core is injected as an inline script
    checker.page.goto(f"{base}/login")
    assert axe_violations(checker.page) == []
    tab = open_tab()
    start(tab, base)
    expect(tab.page).to_have_url(re.compile(re.escape(provider.issuer)))
    provider_login(tab.page, "organiser")  # the provider says Claire.Martin@Example.org
    expect(tab.page).to_have_url(f"{base}/dashboard/")
    expect(tab.page.get_by_role("link", name=re.compile("atelier|Atelier"))).not_to_have_count(0)
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == ORGANISER))
    assert user.siret == "21330063500017"  # from the signed userinfo
    assert user.last_login_at is not None
    [line] = audit_lines("auth.oidc_login")
    assert line.actor_id == user.id and line.details["provider"] == "ProConnect"
    assert audit_lines("account.created") == []

    # Logging out ends the provider's session too (RP-initiated logout, id_token_hint).
    tab.page.get_by_role("button", name=re.compile("Se déconnecter|Déconnexion")).click()
    expect(tab.page).to_have_url(re.compile(re.escape(provider.issuer) + "/session/end"))
    tab.page.locator("button[autofocus], button[type=submit]").first.click()
    expect(tab.page).to_have_url(re.compile(re.escape(base) + r"/login\b"))
    tab.page.goto(f"{base}/dashboard/")
    expect(tab.page).to_have_url(re.compile(re.escape(base) + r"/login\?next="))
    start(tab, base)  # the provider asks again who is there
    expect(tab.page.locator("input[name=login]")).to_be_visible()
    # The provider's own pages import a web font from the Internet, unreachable here.
    assert [c for c in tab.complaints if "ERR_NAME_NOT_RESOLVED" not in c] == []


def test_the_first_sign_in_of_an_allowed_domain_creates_the_account(app, sso, open_tab):
    base, _provider, _app = sso
    tab = open_tab()
    tab.page.goto(f"{base}/account/password")  # sent to log in first, then brought back here
    expect(tab.page).to_have_url(re.compile(re.escape(base) + r"/login\?next="))
    tab.page.get_by_role("link", name="Se connecter avec ProConnect").click()
    provider_login(tab.page, "newcomer")
    expect(tab.page).to_have_url(f"{base}/account/password")
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.email == "paul.durand@gironde.fr"))
    assert (user.name, user.siret, user.is_admin) == ("Paul Durand", "22330001300016", False)
    assert user.password_hash == ""  # no password: it signs in through the provider
    [created] = audit_lines("account.created")
    assert created.actor_id == user.id and created.details["provider"] == "ProConnect"
    assert len(audit_lines("auth.oidc_login")) == 1


def test_a_domain_not_allowed_gets_no_account(app, sso, open_tab):
    base, _provider, _app = sso
    tab = open_tab()
    start(tab, base)
    provider_login(tab.page, "stranger")
    expect(tab.page).to_have_url(f"{base}/login")
    assert "Votre adresse eve@ailleurs.example n'a pas de compte ici ; demandez à un " in (
        login_error(tab.page)
    )
    assert db.session.scalars(select(User)).all() == []
    [line] = audit_lines("auth.oidc_refused")
    assert line.details["reason"] == "domain_not_allowed"
    assert line.actor_label == "eve@ailleurs.example"


def test_an_email_the_provider_has_not_verified_is_refused(app, sso, open_tab):
    base, _provider, _app = sso
    tab = open_tab()
    start(tab, base)
    provider_login(tab.page, "unverified")  # gironde.fr is allowed, but email_verified is false
    assert "n'a pas transmis d'adresse électronique vérifiée" in login_error(tab.page)
    assert db.session.scalars(select(User)).all() == []
    [line] = audit_lines("auth.oidc_refused")
    assert line.details["reason"] == "email_not_verified"


def test_a_callback_with_another_state_is_refused(app, sso, open_tab, make_organiser):
    base, _provider, _app = sso
    make_organiser(email=ORGANISER)
    tab = open_tab()
    url = held_callback(tab, base, "organiser")
    query = parse_qs(urlsplit(url).query)
    assert query["state"][0] and query["code"][0]
    forged = {**{k: v[0] for k, v in query.items()}, "state": "forged-by-someone-else"}
    tab.page.goto(f"{base}/login/oidc/callback?{urlencode(forged)}")
    expect(tab.page).to_have_url(f"{base}/login")
    assert "n'a pas abouti" in login_error(tab.page)
    [line] = audit_lines("auth.oidc_refused")
    assert line.details["reason"] == "wrong_state"
    assert audit_lines("auth.oidc_login") == []

    tab.page.goto(url)  # the genuine answer still works: only the state was wrong
    expect(tab.page).to_have_url(f"{base}/dashboard/")


def _session_cookie(context, base: str) -> dict:
    host = urlsplit(base).hostname
    [cookie] = [c for c in context.cookies() if c["name"] == "session" and c["domain"] == host]
    return cookie


def test_an_id_token_with_another_nonce_is_refused(app, sso, open_tab, make_organiser):
    base, _provider, live_app = sso
    make_organiser(email=ORGANISER)
    tab = open_tab()
    url = held_callback(tab, base, "organiser")
    state = parse_qs(urlsplit(url).query)["state"][0]

    # The browser's session says another nonce was sent than the one the ID token carries.
    context = tab.page.context
    cookie = _session_cookie(context, base)
    serializer = SecureCookieSessionInterface().get_signing_serializer(live_app)
    data = serializer.loads(cookie["value"])
    assert data[f"_state_oidc_{state}"]["data"]["nonce"]
    data[f"_state_oidc_{state}"]["data"]["nonce"] = "a-nonce-the-provider-never-saw"
    context.add_cookies([{**cookie, "value": serializer.dumps(data)}])

    tab.page.goto(url)
    expect(tab.page).to_have_url(f"{base}/login")
    assert "n'a pas abouti" in login_error(tab.page)
    [line] = audit_lines("auth.oidc_refused")
    assert line.details["reason"] == "wrong_nonce"
    assert audit_lines("auth.oidc_login") == []


def test_a_code_used_once_is_refused_the_second_time(app, sso, open_tab, make_organiser):
    base, _provider, _app = sso
    make_organiser(email=ORGANISER)
    tab = open_tab()
    url = held_callback(tab, base, "organiser")
    before = _session_cookie(tab.page.context, base)  # state, nonce and PKCE verifier

    tab.page.goto(url)
    expect(tab.page).to_have_url(f"{base}/dashboard/")

    # Another browser replays the same answer with a copy of the first one's cookie.
    thief = open_tab()
    thief.page.context.add_cookies([before])
    thief.page.goto(url)
    expect(thief.page).to_have_url(f"{base}/login")
    assert "n'a pas abouti" in login_error(thief.page)
    [line] = audit_lines("auth.oidc_refused")
    assert line.details["reason"] == "provider_invalid_grant"
    assert len(audit_lines("auth.oidc_login")) == 1


def test_an_error_from_the_provider_ends_on_the_login_page(app, sso, open_tab):
    base, _provider, _app = sso
    tab = open_tab()
    tab.page.goto(f"{base}/login/oidc/callback?error=access_denied&state=whatever")
    expect(tab.page).to_have_url(f"{base}/login")
    assert "annulée ou refusée chez ProConnect" in login_error(tab.page)
    [line] = audit_lines("auth.oidc_refused")
    assert line.details["reason"] == "provider_access_denied"


@pytest.mark.parametrize("served", ["sso_json", "sso_post"])
def test_json_userinfo_and_a_secret_posted_work_as_well(
    app, served, request, open_tab, make_organiser
):
    """Userinfo as JSON; a provider whose metadata offers client_secret_post only (oidc-provider
    also takes the secret in a header then, so the choice is checked on the client)."""
    base, _provider, live_app = request.getfixturevalue(served)
    make_organiser(email=ORGANISER)
    tab = open_tab()
    start(tab, base)
    provider_login(tab.page, "organiser")
    expect(tab.page).to_have_url(f"{base}/dashboard/")
    db.session.expire_all()
    assert db.session.scalar(select(User.siret).where(User.email == ORGANISER)) == (
        "21330063500017"
    )
    with live_app.app_context():
        method = oidc.client().client_kwargs.get("token_endpoint_auth_method")
    assert method == ("client_secret_post" if served == "sso_post" else None)
