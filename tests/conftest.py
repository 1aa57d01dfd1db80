"""Fixtures: an app on a real database built by the migrations, a client, and small factories.

Every test runs on SQLite by default and on PostgreSQL when ``EVENTSVC_TEST_DATABASE_URI`` is set
(``.ci/run`` does both).
"""

from __future__ import annotations

import os
from datetime import time, timedelta
from pathlib import Path

import pytest
from flask import g
from flask_migrate import upgrade
from sqlalchemy import create_engine, text

from eventsvc import create_app
from eventsvc.database import normalise_database_uri, utcnow
from eventsvc.events.models import Event, EventStatus, Part, Question, QuestionKind
from eventsvc.extensions import db

from .helpers import local
from .redis_server import RedisServer

FIXTURES = Path(__file__).parent / "fixtures"
TEST_SECRET = "test-secret-key-not-for-production"


def _postgres_uri() -> str | None:
    uri = os.environ.get("EVENTSVC_TEST_DATABASE_URI")
    return normalise_database_uri(uri) if uri else None


@pytest.fixture(scope="session")
def database_uri(tmp_path_factory) -> str:
    """One database per test session, built by ``db upgrade`` from nothing."""
    uri = _postgres_uri()
    if uri:
        engine = create_engine(uri)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        uri = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite3")
    app = create_app(_test_config(uri, tmp_path_factory.mktemp("instance")))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return uri


def _test_config(uri: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": uri,
        "SECRET_KEY": TEST_SECRET,
        "CHECK_EMAIL_DELIVERABILITY": False,
        "SERVER_NAME": "eventsvc.test",
        # The only host served, and the base of links in emails (eventsvc/hosts.py).
        "PUBLIC_BASE_URL": "http://eventsvc.test",
        # Tests post many forms from one address; tests/test_security.py switches limits on.
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture(scope="session")
def redis_uri(tmp_path_factory):
    """A Redis started for this test run (``make test`` needs none running beforehand)."""
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    yield server.uri
    server.stop()


@pytest.fixture
def app_config(database_uri, tmp_path) -> dict:
    """Override keys in a test module with its own ``app_config`` fixture."""
    return _test_config(database_uri, tmp_path / "instance")


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

    def make(slug="atelier", capacity=None, part_capacities=(None, None), questions=(), **fields):
        day = (utcnow() + timedelta(days=14)).date()
        event = Event(
            slug=slug,
            title=fields.pop("title", "Atelier participatif"),
            venue_name="Salle du conseil",
            venue_commune="Dinan-Exemple",
            organiser_name="Codev Exemple",
            organiser_email="codev@example.org",
            status=fields.pop("status", EventStatus.OPEN),
            capacity=capacity,
            **fields,
        )
        event.parts = [
            Part(
                label="Matin",
                starts_at=local(day, time(9, 30)),
                ends_at=local(day, time(12, 30)),
                capacity=part_capacities[0],
                position=0,
            ),
            Part(
                label="Après-midi",
                starts_at=local(day, time(14)),
                ends_at=local(day, time(17)),
                capacity=part_capacities[1],
                position=1,
            ),
        ]
        event.questions = [
            Question(
                label=q["label"],
                kind=q.get("kind", QuestionKind.TEXT),
                choices=q.get("choices", []),
                required=q.get("required", False),
                position=i,
            )
            for i, q in enumerate(questions)
        ]
        db.session.add(event)
        db.session.commit()
        return event

    return make


@pytest.fixture
def smtp_server():
    """A real SMTP server on a free loopback port, stopped after the test."""
    from .smtp_server import SMTPServer

    server = SMTPServer().start()
    yield server
    server.stop()


ORGANISER_PASSWORD = "une phrase de passe assez longue"


@pytest.fixture
def make_organiser(app):
    """An organiser account (password ``ORGANISER_PASSWORD``), optionally owning events."""
    from eventsvc.auth import service as auth

    def make(email="organisatrice@example.org", events=(), name="", admin=False):
        user = auth.create_user(email, ORGANISER_PASSWORD, name=name, admin=admin)
        for event in events:
            event.organisers.append(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def organiser_client(app, make_organiser, make_event):
    """A client logged in as the organiser of the event ``atelier`` (returned as .event)."""
    from .helpers import login

    event = make_event()
    user = make_organiser(events=[event])
    client = app.test_client()
    login(client, user.email, ORGANISER_PASSWORD)
    client.event, client.user = event, user
    return client
