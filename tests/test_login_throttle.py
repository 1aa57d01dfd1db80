"""Login throttling: a stranger's wrong passwords slow the stranger down, not the organiser.

Issue 13, item 10: five wrong passwords from anywhere used to lock any organiser out for 15 minutes,
again and again. Failures now count per account and client address first (growing delays), per
client address, and only far past that per account for everyone (lifted by ``users unlock``).
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from eventsvc.auth import service as auth
from eventsvc.auth.models import LoginThrottle
from eventsvc.extensions import db

from .factories import ORGANISER_PASSWORD, csrf_token

EMAIL = "organisatrice@example.org"
ATTACKER = "198.51.100.66"
OFFICE = "192.0.2.10"


def attempt(client, email, password, address):
    response = client.post(
        "/login",
        data={"csrf_token": csrf_token(client, "/login"), "email": email, "password": password},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code, response.get_data(as_text=True)


def logged_in(client, email=EMAIL, address=OFFICE) -> bool:
    status, page = attempt(client, email, ORGANISER_PASSWORD, address)
    assert status == 303 or "Trop de tentatives" in page, page
    return status == 303


@pytest.fixture
def clock(monkeypatch):
    """Move the login service's clock forward by hand."""

    class Clock:
        now = auth.utcnow()

        def advance(self, seconds: float) -> None:
            self.now += timedelta(seconds=seconds)

    clock = Clock()
    monkeypatch.setattr(auth, "utcnow", lambda: clock.now)
    return clock


def client_throttle():
    db.session.rollback()
    return db.session.scalar(select(LoginThrottle).where(LoginThrottle.scope == "client"))


def test_wrong_passwords_from_elsewhere_do_not_lock_the_organiser_out(app, client, make_organiser):
    make_organiser()
    for number in range(8):
        attempt(client, EMAIL, f"wrong {number}", ATTACKER)
    assert logged_in(app.test_client(), address=OFFICE)


def test_repeated_failures_from_one_address_wait_longer_each_time(
    app, client, make_organiser, clock
):
    make_organiser()
    for number in range(4):
        assert "incorrect" in attempt(client, EMAIL, f"wrong {number}", ATTACKER)[1]
    delays = []
    for number in range(14):
        status, page = attempt(client, EMAIL, f"wrong again {number}", ATTACKER)
        assert "incorrect" in page
        throttle = client_throttle()
        delays.append((throttle.locked_until - clock.now).total_seconds())
        # Too early: refused without even looking at the password.
        status, page = attempt(client, EMAIL, ORGANISER_PASSWORD, ATTACKER)
        assert status == 200 and "Trop de tentatives de connexion : réessayez dans" in page
        clock.advance(delays[-1])
    assert delays == [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900, 900]
    # Meanwhile the organiser, elsewhere, was never kept out.
    assert logged_in(app.test_client(), address=OFFICE)


def test_the_wait_is_said_in_seconds_then_minutes(app, client, make_organiser, clock):
    make_organiser()
    for number in range(5):
        attempt(client, EMAIL, f"wrong {number}", ATTACKER)
    assert "réessayez dans 1 seconde." in attempt(client, EMAIL, "x", ATTACKER)[1]
    throttle = client_throttle()
    throttle.locked_until = clock.now + timedelta(seconds=600)
    db.session.commit()
    assert "réessayez dans 10 minutes." in attempt(client, EMAIL, "x", ATTACKER)[1]


def test_a_success_forgets_that_address_failures(app, client, make_organiser, clock):
    make_organiser()
    for number in range(5):
        attempt(client, EMAIL, f"wrong {number}", OFFICE)
    clock.advance(1)
    assert logged_in(app.test_client(), address=OFFICE)
    assert client_throttle() is None


def test_one_client_address_is_locked_after_failures_on_many_accounts(app, client, make_organiser):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 5
    make_organiser()
    for number in range(5):
        attempt(client, f"essai{number}@example.org", "wrong", ATTACKER)
    assert not logged_in(app.test_client(), address=ATTACKER)
    assert logged_in(app.test_client(), address=OFFICE)


def test_an_account_is_locked_for_everyone_only_far_past_that_until_unlocked(
    app, client, runner, make_organiser
):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 8
    make_organiser()
    make_organiser("collegue@example.org")
    for number in range(7):
        attempt(client, EMAIL, "wrong", f"203.0.113.{number}")
    assert logged_in(app.test_client(), address=OFFICE)  # 7 failures: not yet
    for number in range(8):
        attempt(client, EMAIL, "wrong", f"203.0.113.{number}")
    assert not logged_in(app.test_client(), address=OFFICE)
    assert logged_in(app.test_client(), "collegue@example.org", address=OFFICE)

    result = runner.invoke(args=["users", "unlock", EMAIL.upper()])
    assert result.exit_code == 0, result.output
    assert f"Login locks lifted for {EMAIL.upper()}" in result.output
    assert logged_in(app.test_client(), address=OFFICE)
    assert logged_in(app.test_client(), address="203.0.113.0")  # its delay is lifted too


def test_unknown_addresses_are_locked_alike(app, client):
    """Throttling keys on the address typed, so it does not reveal which accounts exist."""
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 4
    for number in range(4):
        attempt(client, "personne@example.org", "wrong", f"203.0.113.{number}")
    assert "Trop de tentatives" in attempt(client, "personne@example.org", "x", OFFICE)[1]


def test_the_account_lock_ends_after_its_time(app, client, make_organiser, clock):
    app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = 3
    make_organiser()
    for number in range(3):
        attempt(client, EMAIL, "wrong", f"203.0.113.{number}")
    assert not logged_in(app.test_client(), address=OFFICE)
    clock.advance(15 * 60 + 1)
    assert logged_in(app.test_client(), address=OFFICE)
