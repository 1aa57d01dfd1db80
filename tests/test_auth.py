"""Organiser accounts: login, throttling, no account enumeration, sessions, password change, CLI."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.security import check_password_hash

from eventsvc.audit import service as audit
from eventsvc.audit.models import AuditEvent
from eventsvc.auth import service as auth
from eventsvc.auth.models import User
from eventsvc.extensions import db

from .factories import ORGANISER_PASSWORD, csrf_token, login, post_form

EMAIL = "organisatrice@example.org"


def attempt(client, email, password, address="192.0.2.10"):
    return client.post(
        "/login",
        data={"csrf_token": csrf_token(client, "/login"), "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )


def page_text(response) -> str:
    """The page without its CSRF token, to compare two answers."""
    html = response.get_data(as_text=True)
    return re.sub(r'name="csrf_token" type="hidden" value="[^"]+"', "", html)


def test_password_is_hashed_with_scrypt(app, make_organiser):
    user = make_organiser()
    assert user.password_hash.startswith("scrypt:")
    assert ORGANISER_PASSWORD not in user.password_hash
    assert check_password_hash(user.password_hash, ORGANISER_PASSWORD)


def test_dashboard_needs_a_login_and_comes_back_after_it(app, client, make_organiser):
    make_organiser()
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    page = client.get(response.headers["Location"])
    assert "Connectez-vous pour accéder à cette page." in page.get_data(as_text=True)
    next_value = re.search(r'name="next" type="hidden" value="([^"]*)"', page.get_data(True))
    response = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(client, "/login"),
            "email": "  Organisatrice@Example.org ",
            "password": ORGANISER_PASSWORD,
            "next": next_value.group(1).replace("&amp;", "&"),
        },
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/dashboard/")
    assert client.get("/dashboard/").status_code == 200


def test_unknown_address_and_wrong_password_get_the_same_answer(app, client, make_organiser):
    make_organiser()
    wrong_password = attempt(client, EMAIL, "not the password at all")
    unknown = attempt(client, "personne@example.org", "not the password at all")
    assert wrong_password.status_code == unknown.status_code == 200
    assert page_text(wrong_password).replace(EMAIL, "?") == page_text(unknown).replace(
        "personne@example.org", "?"
    )
    assert "Adresse ou mot de passe incorrect." in page_text(unknown)


def test_unknown_address_costs_a_password_check_too(app, client, make_organiser, monkeypatch):
    """Same work whether the account exists: the timing tells nothing either."""
    make_organiser()
    checked = []
    original = auth.check_password_hash

    def counting(hash_, password):
        checked.append(hash_.split(":")[0])
        return original(hash_, password)

    monkeypatch.setattr(auth, "check_password_hash", counting)
    attempt(client, "personne@example.org", "whatever it is")
    attempt(client, EMAIL, "whatever it is")
    assert checked == ["scrypt", "scrypt"]


def test_inactive_account_cannot_log_in(app, client, make_organiser):
    user = make_organiser()
    user.active = False
    db.session.commit()
    assert "Adresse ou mot de passe incorrect." in page_text(
        attempt(client, EMAIL, ORGANISER_PASSWORD)
    )


def test_login_without_csrf_token_is_refused(app, client, make_organiser):
    make_organiser()
    response = client.post("/login", data={"email": EMAIL, "password": ORGANISER_PASSWORD})
    assert response.status_code == 400


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/dashboard/", "//evil.example/x", "/\\evil.example", "javascript:x"],
)
def test_login_never_redirects_off_site(app, client, make_organiser, target):
    make_organiser()
    response = post_form(
        client, "/login", {"email": EMAIL, "password": ORGANISER_PASSWORD, "next": target}
    )
    assert response.status_code == 303
    assert response.headers["Location"] == "/dashboard/"


def test_session_cookie_is_http_only_lax_and_expires(app, client, make_organiser):
    make_organiser()
    response = login(client, EMAIL, ORGANISER_PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert app.permanent_session_lifetime.total_seconds() == 8 * 3600


def test_a_session_older_than_its_lifetime_is_refused(app, client, make_organiser, monkeypatch):
    import itsdangerous.timed

    make_organiser()
    login(client, EMAIL, ORGANISER_PASSWORD)
    assert client.get("/dashboard/").status_code == 200
    later = itsdangerous.timed.time.time() + 8 * 3600 + 60
    monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: later)
    assert client.get("/dashboard/").status_code == 302


def test_logout_is_a_post_and_ends_the_session(app, client, make_organiser):
    make_organiser()
    login(client, EMAIL, ORGANISER_PASSWORD)
    assert client.get("/logout").status_code == 405
    token = csrf_token(client, "/dashboard/")
    response = client.post("/logout", data={"csrf_token": token})
    assert response.status_code == 303
    assert client.get("/dashboard/").status_code == 302


def test_password_change_checks_and_ends_other_sessions(app, make_organiser):
    make_organiser()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, EMAIL, ORGANISER_PASSWORD)
    login(elsewhere, EMAIL, ORGANISER_PASSWORD)

    wrong = post_form(
        here,
        "/account/password",
        {"current": "not it", "new": "a new long passphrase", "confirm": "a new long passphrase"},
    )
    assert "Ce n&#39;est pas votre mot de passe actuel" in wrong.get_data(as_text=True)
    short = post_form(
        here,
        "/account/password",
        {"current": ORGANISER_PASSWORD, "new": "court", "confirm": "court"},
    )
    assert 'id="new-error"' in short.get_data(as_text=True)
    assert 'aria-describedby="new-hint new-error"' in short.get_data(as_text=True)
    different = post_form(
        here,
        "/account/password",
        {"current": ORGANISER_PASSWORD, "new": "a new long passphrase", "confirm": "another one!"},
    )
    assert 'id="confirm-error"' in different.get_data(as_text=True)

    done = post_form(
        here,
        "/account/password",
        {
            "current": ORGANISER_PASSWORD,
            "new": "a new long passphrase",
            "confirm": "a new long passphrase",
        },
    )
    assert done.status_code == 303
    assert here.get("/dashboard/").status_code == 200
    assert elsewhere.get("/dashboard/").status_code == 302
    user = db.session.scalar(select(User))
    db.session.refresh(user)
    assert check_password_hash(user.password_hash, "a new long passphrase")
    [line] = password_lines()  # only the change that went through, named by its owner
    assert (line.action, line.actor_id, line.details) == (
        "account.password_changed",
        user.id,
        {"account": EMAIL},
    )


def test_an_account_from_single_sign_on_has_no_password_to_change(app, make_organiser):
    make_organiser()
    here = app.test_client()
    login(here, EMAIL, ORGANISER_PASSWORD)
    user = db.session.scalar(select(User))
    user.password_hash = ""  # as the sign-on creates it (auth.oidc)
    db.session.commit()

    page = page_text(here.get("/account/password"))
    assert "il n'a pas de mot de passe ici" in page
    assert 'type="password"' not in here.get("/account/password").get_data(as_text=True)
    # Not even a forged form sets one: the session alone is not enough.
    forged = post_form(
        here,
        "/account/password",
        {"current": "", "new": "a new long phrase", "confirm": "a new long phrase"},
    )
    assert forged.status_code == 200
    db.session.refresh(user)
    assert user.password_hash == "" and password_lines() == []


def password_lines() -> list[AuditEvent]:
    """The audit lines of password changes: never the password nor its hash in them."""
    db.session.expire_all()
    query = select(AuditEvent).where(AuditEvent.action.startswith("account.password"))
    found = list(db.session.scalars(query.order_by(AuditEvent.id)))
    for line in found:
        assert "passphrase" not in str(line.details) and "scrypt" not in str(line.details)
    return found


def test_cli_creates_an_account_from_stdin_and_lists_it(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "Chargee.Mission@Example.org",
            "--name",
            "Chargée de mission",
            "--password-stdin",
        ],
        input="une phrase de passe solide\n",
    )
    assert result.exit_code == 0, result.output
    assert "Account created: Chargee.Mission@example.org" in result.output
    user = auth.find_by_email("chargee.mission@example.org")
    assert check_password_hash(user.password_hash, "une phrase de passe solide")
    db.session.rollback()  # end the test's read, as each real command runs in its own process

    again = runner.invoke(
        args=["users", "create", "chargee.mission@example.org", "--password-stdin"],
        input="une autre phrase longue\n",
    )
    assert again.exit_code == 1 and "already exists" in again.output

    listed = runner.invoke(args=["users", "list"])
    assert listed.exit_code == 0
    assert "Chargee.Mission@example.org" in listed.output and "Chargée de mission" in listed.output


def test_cli_prompts_twice_and_refuses_a_short_password(app, runner):
    result = runner.invoke(
        args=["users", "create", "a@example.org"],
        input="une phrase de passe solide\nune phrase de passe solide\n",
    )
    assert result.exit_code == 0, result.output
    assert "Password: " in result.output and "Repeat for confirmation: " in result.output
    short = runner.invoke(
        args=["users", "create", "b@example.org", "--password-stdin"], input="abc\n"
    )
    assert short.exit_code == 1
    assert "au moins 12 caractères" in short.output
    bad = runner.invoke(
        args=["users", "create", "b;c@example.org", "--password-stdin"],
        input="une phrase de passe solide\n",
    )
    assert bad.exit_code == 1 and "« ; »" in bad.output


def test_cli_adds_an_account_to_an_event(app, runner, make_event, make_organiser):
    make_event()
    make_organiser()
    result = runner.invoke(args=["users", "add-to-event", EMAIL, "atelier"])
    assert result.exit_code == 0, result.output
    client = app.test_client()
    login(client, EMAIL, ORGANISER_PASSWORD)
    assert "Atelier participatif" in client.get("/dashboard/").get_data(as_text=True)


def test_demo_prints_an_organiser_login_that_opens_the_demo_event(app, runner):
    from eventsvc.demo import DEMO_ORGANISER_EMAIL, DEMO_ORGANISER_PASSWORD, DEMO_SLUG

    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert f"login:    {DEMO_ORGANISER_EMAIL}" in result.output
    assert f"password: {DEMO_ORGANISER_PASSWORD}" in result.output
    assert "fixed demo password" in result.output
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0 and "(unless you changed it)" in again.output
    client = app.test_client()
    login(client, DEMO_ORGANISER_EMAIL, DEMO_ORGANISER_PASSWORD)
    page = client.get("/dashboard/").get_data(as_text=True)
    assert "Journée d&#39;étude" in page or "Journée d'étude" in page
    assert DEMO_SLUG


# --- sessions end on the server (issue 13, item 3): replay the cookie copied before -----------


def session_cookie(client) -> str:
    return client.get_cookie("session", domain="eventsvc.test").value


def replay(app, cookie: str):
    """Another browser presenting a copy of that cookie."""
    thief = app.test_client()
    thief.set_cookie("session", cookie, domain="eventsvc.test")
    return thief.get("/dashboard/")


def logout(client):
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/dashboard/")})
    assert response.status_code == 303
    return response


def test_a_cookie_copied_before_logout_opens_nothing_after_it(app, make_organiser):
    make_organiser()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, EMAIL, ORGANISER_PASSWORD)
    login(elsewhere, EMAIL, ORGANISER_PASSWORD)
    copied = session_cookie(here)
    assert replay(app, copied).status_code == 200
    logout(here)
    assert replay(app, copied).status_code == 302
    # Only that session ended: the same account elsewhere is still signed in.
    assert elsewhere.get("/dashboard/").status_code == 200


def test_the_cookie_names_a_session_whose_id_is_stored_only_hashed(app, client, make_organiser):
    import hashlib

    from eventsvc.auth.models import LoginSession

    make_organiser()
    login(client, EMAIL, ORGANISER_PASSWORD)
    content = app.session_interface.get_signing_serializer(app).loads(session_cookie(client))
    token = content["login_session"]
    [stored] = db.session.scalars(select(LoginSession)).all()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest() != token


def test_a_password_change_ends_every_session_even_copies_of_the_changing_one(app, make_organiser):
    make_organiser()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, EMAIL, ORGANISER_PASSWORD)
    login(elsewhere, EMAIL, ORGANISER_PASSWORD)
    copied, other = session_cookie(here), session_cookie(elsewhere)
    new = "a new long passphrase"
    done = post_form(
        here, "/account/password", {"current": ORGANISER_PASSWORD, "new": new, "confirm": new}
    )
    assert done.status_code == 303
    assert here.get("/dashboard/").status_code == 200  # a new session for this browser
    assert replay(app, copied).status_code == 302
    assert replay(app, other).status_code == 302


def test_set_password_on_the_command_line_ends_every_session(app, runner, make_organiser):
    make_organiser()
    client = app.test_client()
    login(client, EMAIL, ORGANISER_PASSWORD)
    copied = session_cookie(client)
    result = runner.invoke(
        args=["users", "set-password", EMAIL, "--password-stdin"], input="a new long passphrase\n"
    )
    assert result.exit_code == 0, result.output
    assert client.get("/dashboard/").status_code == 302
    assert replay(app, copied).status_code == 302
    [line] = password_lines()
    assert (line.action, line.actor_id, line.actor_label) == (
        "account.password_set",
        None,
        audit.COMMAND_LINE,
    )


def test_a_session_ends_after_its_absolute_lifetime_however_active(
    app, client, make_organiser, monkeypatch
):
    """Used every 7 hours, the cookie never idles out (8 h); the session still ends at 12 h."""
    import itsdangerous.timed

    make_organiser()
    login(client, EMAIL, ORGANISER_PASSWORD)
    start, real_now = itsdangerous.timed.time.time(), auth.utcnow()

    def at(hours: float) -> None:
        monkeypatch.setattr(itsdangerous.timed.time, "time", lambda: start + hours * 3600)
        monkeypatch.setattr(auth, "utcnow", lambda: real_now + timedelta(hours=hours))

    at(7)
    assert client.get("/dashboard/").status_code == 200
    copied = session_cookie(client)
    at(11.9)
    assert client.get("/dashboard/").status_code == 200
    at(12.1)
    assert client.get("/dashboard/").status_code == 302
    assert replay(app, copied).status_code == 302
    assert app.config["SESSION_MAX_AGE"] == 12 * 3600


def test_an_ended_session_is_dropped_at_the_next_login(app, make_organiser, monkeypatch):
    from eventsvc.auth.models import LoginSession

    make_organiser()
    login(app.test_client(), EMAIL, ORGANISER_PASSWORD)
    later = auth.utcnow() + timedelta(hours=13)
    monkeypatch.setattr(auth, "utcnow", lambda: later)
    login(app.test_client(), EMAIL, ORGANISER_PASSWORD)
    db.session.rollback()
    assert len(db.session.scalars(select(LoginSession)).all()) == 1
