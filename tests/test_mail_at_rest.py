"""What a copy of the database (or of the instance folder) holds of the emails: once a message is
sent, what the organiser needs to see and not its body, whose personal links open registrations."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import timedelta
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from eventsvc import create_app
from eventsvc.database import utcnow
from eventsvc.extensions import db
from eventsvc.links import personal_token
from eventsvc.mail import outbox
from eventsvc.mail.backends import SMTPBackend
from eventsvc.mail.models import MessageStatus, OutboxMessage
from eventsvc.mail.worker import deliver_once
from eventsvc.registrations import notifications as notify

from .factories import TEST_SECRET, participant, postgres_uri
from .smtp_server import free_port, smtp_settings


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, **smtp_settings(smtp_server)}


def outbox_rows():
    db.session.rollback()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def every_value(row: OutboxMessage) -> str:
    return " ".join(repr(getattr(row, c.key)) for c in OutboxMessage.__table__.columns)


def test_a_sent_message_keeps_what_the_organiser_needs_and_not_its_personal_link(
    app, make_event, smtp_server
):
    event = make_event()
    lea = participant(event, 1, first="Léa", last="Bernard", email="lea.bernard@example.org")
    notify.registered(lea, None)
    db.session.commit()
    token = personal_token(lea)
    [queued] = outbox_rows()
    # A registration email waits as its recipe, composed when it is delivered: no body at rest.
    assert queued.raw is None and queued.recipe["kind"] == "confirmed"
    assert token not in every_value(queued)

    assert deliver_once()["sent"] == 1

    [received] = smtp_server.mailbox.messages
    assert token in received.message.get_body(("plain",)).get_content()
    [row] = outbox_rows()
    assert row.raw is None
    assert token not in every_value(row)
    assert row.status == MessageStatus.SENT
    assert row.key.startswith("confirmed:")
    assert row.recipient == "lea.bernard@example.org"
    assert row.subject == "Inscription confirmée : Atelier participatif"
    assert row.created_at <= row.sent_at
    assert row.message_id == received.message["Message-ID"]


def test_a_failed_message_keeps_its_body_until_it_is_sent(app, runner, make_event, smtp_server):
    """Given up after the last attempt, it stays whole (here its recipe) for `mail retry`."""
    event = make_event()
    lea = participant(event, 1, first="Léa", last="Bernard", email="lea.bernard@example.org")
    notify.registered(lea, None)
    db.session.commit()
    down = SMTPBackend("127.0.0.1", free_port(), security="none", timeout=2)
    policy = outbox.Policy(max_attempts=2, first_retry=timedelta(seconds=1))
    for attempt in range(2):
        outbox.deliver_due(down, policy, now=utcnow() + timedelta(days=attempt))
    [row] = outbox_rows()
    assert row.status == MessageStatus.FAILED and row.recipe

    assert "1 message(s) queued again" in runner.invoke(args=["mail", "retry"]).output
    assert deliver_once()["sent"] == 1

    [row] = outbox_rows()
    assert row.status == MessageStatus.SENT and row.raw is None
    [received] = smtp_server.mailbox.messages
    assert personal_token(lea) in received.message.get_body(("plain",)).get_content()


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_sqlite_database_instance_folder_and_mail_files_are_owners_only(tmp_path):
    """Its own SQLite instance (whatever database the suite runs on): the file a backup copies."""
    instance = tmp_path / "instance"
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(instance),
            "SQLALCHEMY_DATABASE_URI": None,
            "SECRET_KEY": TEST_SECRET,
            "MAIL_BACKEND": "file",
        }
    )
    database = instance / "eventsvc.sqlite3"
    link = "https://inscriptions.example.fr/r/" + "Zq3" * 14 + "x"
    with app.app_context():
        upgrade()
        message = EmailMessage()
        message["From"] = "inscriptions@example.fr"
        message["To"] = "lea.bernard@example.org"
        message["Subject"] = "Inscription confirmée"
        message.set_content(f"Votre lien personnel :\n{link}\n")
        # Attachments make a message span many pages of the file, as calendars and PDFs do.
        message.add_attachment(os.urandom(30_000), maintype="application", subtype="pdf")
        outbox.enqueue("confirmed:x:0", message)
        db.session.commit()
        assert link.encode() in outbox_rows()[0].raw

        assert deliver_once()["sent"] == 1

        db.session.remove()
        db.engine.dispose()
    with sqlite3.connect(database) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert link.encode() not in database.read_bytes()

    assert mode(instance) == 0o700
    assert mode(database) == 0o600
    for suffix in ("-wal", "-shm"):
        if os.path.exists(f"{database}{suffix}"):
            assert mode(f"{database}{suffix}") == 0o600
    assert mode(instance / "mail") == 0o700
    [eml] = (instance / "mail").glob("*.eml")
    assert mode(eml) == 0o600
    assert link.encode() in eml.read_bytes()


# --- the migration drops the bodies of messages already sent ----------------------------------


@pytest.fixture
def scratch_uri(tmp_path):
    """An empty database of the suite's kind: a SQLite file, or a schema of its PostgreSQL one."""
    uri = postgres_uri()
    if not uri:
        yield "sqlite:///" + str(tmp_path / "scratch.sqlite3")
        return
    schema = "scratch_outbox_body"
    engine = sa.create_engine(uri)
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        connection.execute(sa.text(f"CREATE SCHEMA {schema}"))
    yield uri + ("&" if "?" in uri else "?") + f"options=-csearch_path%3D{schema}"
    with engine.begin() as connection:
        connection.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


OUTBOX = sa.table(
    "outbox_messages",
    *(sa.column(name) for name in ("key", "sender", "recipient", "subject", "status")),
    sa.column("raw", sa.LargeBinary),
    sa.column("message_id", sa.String),
    sa.column("attempts", sa.Integer),
    sa.column("next_attempt_at", sa.DateTime(timezone=True)),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def test_the_migration_drops_the_bodies_of_messages_already_sent(scratch_uri, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": scratch_uri,
            "SECRET_KEY": TEST_SECRET,
        }
    )
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        before = script.get_revision("0013_outbox_body").down_revision
        upgrade(revision=before)
        now = utcnow()
        with db.engine.begin() as connection:
            for status in ("sent", "failed", "pending"):
                raw = (
                    f"Message-ID: <{status}@lehon.example.fr>\r\nSubject: x\r\n\r\n"
                    "https://inscriptions.example.fr/r/secret\r\n"
                ).encode()
                connection.execute(
                    OUTBOX.insert().values(
                        key=f"confirmed:{status}:0",
                        sender="inscriptions@lehon.example.fr",
                        recipient="lea.bernard@example.org",
                        subject="Inscription confirmée",
                        status=status,
                        raw=raw,
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )

        upgrade(revision="0013_outbox_body")

        with db.engine.connect() as connection:
            rows = {
                row.status: row
                for row in connection.execute(
                    sa.select(OUTBOX.c.status, OUTBOX.c.raw, OUTBOX.c.message_id)
                )
            }
        assert rows["sent"].raw is None
        assert b"/r/secret" in rows["failed"].raw and b"/r/secret" in rows["pending"].raw
        assert {row.message_id for row in rows.values()} == {
            "<sent@lehon.example.fr>",
            "<failed@lehon.example.fr>",
            "<pending@lehon.example.fr>",
        }

        downgrade(revision=before)
        with db.engine.connect() as connection:
            raws = dict(connection.execute(sa.select(OUTBOX.c.status, OUTBOX.c.raw)).all())
        assert bytes(raws["sent"]) == b"" and b"/r/secret" in bytes(raws["failed"])
        db.engine.dispose()
