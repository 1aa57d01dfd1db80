"""Fixtures: an app on a real database built by the migrations, a client, and small factories.

Every test runs on SQLite by default and on PostgreSQL when ``EVENTSVC_TEST_DATABASE_URI`` is set
(``.ci/run`` does both).
"""

from __future__ import annotations

import os

import pytest
from flask import g
from flask_migrate import upgrade
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, text

from eventsvc import create_app
from eventsvc.extensions import db

from .factories import (
    ORGANISER_PASSWORD,
    config_for_tests,
    login,
    new_event,
    new_organiser,
    postgres_uri,
)
from .redis_server import RedisServer

# Hypothesis, for every module that uses it (test_fuzz.py, test_mail_headers.py...): derandomised,
# without an example database, a moderate number of examples; ``HYPOTHESIS_PROFILE=thorough`` for a
# longer search on demand.
settings.register_profile(
    "ci",
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
    print_blob=True,
)
settings.register_profile("thorough", parent=settings.get_profile("ci"), max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory) -> str:
    """One database per test session, built by ``db upgrade`` from nothing."""
    uri = postgres_uri()
    if uri:
        engine = create_engine(uri)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        uri = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    app = create_app(config_for_tests(uri, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return uri


@pytest.fixture(scope="session")
def redis_uri(tmp_path_factory):
    """A Redis started for this test run (``make test`` needs none running beforehand)."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server.uri
    server.stop()


@pytest.fixture
def app_config(database_uri, tmp_path) -> dict:
    """Override keys in a test module with its own ``app_config`` fixture."""
    return config_for_tests(database_uri, tmp_path / "instance")


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    # Requests in a test share the test's app context, hence its ``g``: forget what Flask-Login,
    # Flask-WTF and Flask-Babel cache there (the user, the CSRF token, the language), so that each
    # request reads its own, as in production where every request has a fresh ``g``.
    app.before_request(_fresh_g)
    with app.app_context():
        _empty_tables()
        yield app
        db.session.remove()
        _empty_tables()
        db.engine.dispose()


def _fresh_g() -> None:
    g.pop("_login_user", None)
    g.pop("csrf_token", None)
    # Flask-Babel caches the request's language (and translations) on the app context as well.
    g.pop("_flask_babel", None)


def _empty_tables() -> None:
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_event(app):
    """An open study day in two weeks: « Matin » 9:30-12:30 and « Après-midi » 14:00-17:00."""
    return new_event


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port, stopped after the test."""
    from .smtp_server import SMTPServer

    server = SMTPServer().start()
    yield server
    server.stop()


@pytest.fixture
def make_organiser(app):
    """An organiser account (password ``ORGANISER_PASSWORD``), optionally owning events."""
    return new_organiser


@pytest.fixture
def organiser_client(app, make_organiser, make_event):
    """A client logged in as the organiser of the event ``atelier`` (returned as .event)."""
    event = make_event()
    user = make_organiser(events=[event])
    client = app.test_client()
    login(client, user.email, ORGANISER_PASSWORD)
    client.event, client.user = event, user
    return client
