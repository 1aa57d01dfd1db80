"""The outbox: idempotent enqueue, file and SMTP delivery, retries, failures, several workers."""

import os
import subprocess
import sys
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import select

from eventsvc.database import utcnow
from eventsvc.extensions import db
from eventsvc.mail import outbox
from eventsvc.mail.backends import FileBackend, SMTPBackend
from eventsvc.mail.models import MessageStatus, OutboxMessage

from .smtp_server import SMTPServer, free_port


def message(n: int, to="anne.morvan@metropole.example.org") -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "Inscriptions <inscriptions@eventsvc.example.org>"
    mail["To"] = to
    mail["Subject"] = f"Message {n} — été"
    mail["Message-ID"] = make_msgid(domain="eventsvc")
    mail.set_content(f"Bonjour,\nmessage {n}, avec des accents : é à ç.\n")
    return mail


def queue(count: int, prefix="m") -> None:
    for n in range(count):
        outbox.enqueue(f"{prefix}:{n}", message(n))
    db.session.commit()


def rows():
    db.session.rollback()
    return db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


POLICY = outbox.Policy(max_attempts=3, first_retry=timedelta(seconds=30), batch_size=10)


def test_enqueue_is_idempotent_per_key(app):
    assert outbox.enqueue("confirmation:abc:0", message(1)) is True
    assert outbox.enqueue("confirmation:abc:0", message(2)) is False
    db.session.commit()
    [row] = rows()
    assert row.subject == "Message 1 — été"
    assert row.status == MessageStatus.PENDING


def test_file_backend_writes_what_smtp_would_carry(app, tmp_path):
    queue(3)
    queued = rows()[0].raw
    counts = outbox.deliver_all_due(FileBackend(tmp_path / "mail"), POLICY)
    assert counts == {"sent": 3, "retry": 0, "failed": 0}
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 3
    raw = files[0].read_bytes()
    assert raw == queued
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(row.status == MessageStatus.SENT and row.sent_at for row in rows())
    assert not list((tmp_path / "mail").glob("*.part"))


def test_smtp_delivery_uses_one_connection_for_a_batch(app, smtp_server):
    queue(5)
    connections = []

    class CountingBackend(SMTPBackend):
        def __enter__(self):
            connections.append(1)
            return super().__enter__()

    backend = CountingBackend("127.0.0.1", smtp_server.port, security="none")
    outbox.deliver_due(backend, POLICY)
    assert len(connections) == 1
    assert len(smtp_server.mailbox.messages) == 5
    received = smtp_server.mailbox.messages[0]
    assert received.rcpt_tos == ["anne.morvan@metropole.example.org"]
    assert received.message["Subject"] == "Message 0 — été"


def test_accented_local_parts_go_out_with_smtputf8(app, smtp_server):
    outbox.enqueue("utf8", message(1, to="françoise.delmas@departement.example.org"))
    db.session.commit()
    outbox.deliver_due(SMTPBackend("127.0.0.1", smtp_server.port, security="none"), POLICY)
    [received] = smtp_server.mailbox.messages
    assert received.rcpt_tos == ["françoise.delmas@departement.example.org"]


def test_smtp_down_keeps_messages_and_sends_them_once_when_back(app):
    port = free_port()
    backend = SMTPBackend("127.0.0.1", port, security="none", timeout=2)
    queue(4)
    counts = outbox.deliver_due(backend, POLICY)
    assert counts == {"sent": 0, "retry": 4, "failed": 0}
    for row in rows():
        assert row.status == MessageStatus.PENDING
        assert row.attempts == 1
        assert "ConnectionRefusedError" in row.last_error
        assert row.next_attempt_at > utcnow() + timedelta(seconds=20)
    # Not due yet: nothing is attempted.
    assert outbox.deliver_due(backend, POLICY) == {"sent": 0, "retry": 0, "failed": 0}

    server = SMTPServer(port).start()
    try:
        later = utcnow() + timedelta(minutes=1)
        assert outbox.deliver_due(backend, POLICY, now=later)["sent"] == 4
        assert outbox.deliver_due(backend, POLICY, now=later + timedelta(hours=1))["sent"] == 0
        ids = [m.message["Message-ID"] for m in server.mailbox.messages]
        assert len(ids) == 4 and len(set(ids)) == 4
    finally:
        server.stop()
    assert all(row.status == MessageStatus.SENT and row.attempts == 2 for row in rows())


def test_after_the_last_attempt_a_message_is_failed_visible_and_can_be_retried(app, runner):
    backend = SMTPBackend("127.0.0.1", free_port(), security="none", timeout=2)
    queue(1)
    now = utcnow()
    for attempt in range(POLICY.max_attempts):
        outbox.deliver_due(backend, POLICY, now=now + timedelta(days=attempt))
    [row] = rows()
    assert row.status == MessageStatus.FAILED and row.attempts == 3
    status = runner.invoke(args=["mail", "status"])
    assert "failed: 1" in status.output
    assert "after 3 attempts" in status.output and "Message 0" in status.output
    assert "1 message(s) queued again" in runner.invoke(args=["mail", "retry"]).output
    [row] = rows()
    assert row.status == MessageStatus.PENDING and row.attempts == 0


def test_retry_delays_grow_and_are_capped():
    policy = outbox.Policy(first_retry=timedelta(minutes=1), longest_retry=timedelta(hours=6))
    assert [policy.retry_delay(n) for n in (1, 2, 3)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert policy.retry_delay(20) == timedelta(hours=6)


def test_a_claim_abandoned_by_a_dead_worker_is_taken_over_after_its_lease(app, tmp_path):
    queue(2)
    claimed = outbox.claim_due(POLICY, "dead-worker")
    assert len(claimed) == 2
    assert outbox.claim_due(POLICY, "other") == []  # still leased
    later = utcnow() + POLICY.lease + timedelta(seconds=1)
    assert outbox.deliver_due(FileBackend(tmp_path), POLICY, now=later)["sent"] == 2


def test_mail_send_command_delivers_to_files(app, runner, tmp_path):
    queue(2)
    result = runner.invoke(args=["mail", "send"])
    assert result.exit_code == 0
    assert "sent 2" in result.output
    assert len(list(Path(app.config["MAIL_FILE_DIR"]).glob("*.eml"))) == 2


def test_two_worker_processes_send_every_message_exactly_once(app, app_config, smtp_server):
    """`flask mail send` twice at once, against the same database (SKIP LOCKED on PostgreSQL,
    the write lock on SQLite)."""
    queue(120)
    env = {
        **os.environ,
        "EVENTSVC_SQLALCHEMY_DATABASE_URI": app_config["SQLALCHEMY_DATABASE_URI"],
        "EVENTSVC_SECRET_KEY": "x",
        "EVENTSVC_INSTANCE_PATH": app_config["INSTANCE_PATH"],
        "EVENTSVC_MAIL_BACKEND": "smtp",
        "EVENTSVC_SMTP_HOST": "127.0.0.1",
        "EVENTSVC_SMTP_PORT": str(smtp_server.port),
        "EVENTSVC_SMTP_SECURITY": "none",
        "EVENTSVC_MAIL_BATCH_SIZE": "7",
    }
    flask = [sys.executable, "-m", "flask", "--app", "eventsvc", "mail", "send"]
    workers = [
        subprocess.Popen(flask, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [worker.communicate(timeout=120) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    ids = [m.message["Message-ID"] for m in smtp_server.mailbox.messages]
    assert len(ids) == 120 and len(set(ids)) == 120
    assert {row.status for row in rows()} == {MessageStatus.SENT}
    sent_by = [int(out.decode().split("sent ")[1].split(",")[0]) for out, _ in outputs]
    assert sum(sent_by) == 120


@pytest.mark.parametrize("backend", ["file", "smtp"])
def test_backend_is_chosen_by_configuration(backend, tmp_path):
    from eventsvc.mail.backends import backend_from_config

    config = {
        "MAIL_BACKEND": backend,
        "MAIL_FILE_DIR": str(tmp_path),
        "SMTP_HOST": "h",
        "SMTP_PORT": 587,
        "SMTP_SECURITY": "starttls",
        "SMTP_USERNAME": None,
        "SMTP_PASSWORD": None,
        "SMTP_TIMEOUT": 10,
    }
    chosen = backend_from_config(config)
    assert type(chosen).__name__ == {"file": "FileBackend", "smtp": "SMTPBackend"}[backend]


def test_background_thread_delivers_what_is_queued(app, tmp_path):
    """The embedded default: a delivery thread beside the web server."""
    import time

    from eventsvc.mail.worker import start_background_thread

    app.config["MAIL_FILE_DIR"] = str(tmp_path / "mail")
    app.config["MAIL_WORKER_INTERVAL"] = 0.05
    delivery = start_background_thread(app)
    try:
        queue(3)
        for _ in range(400):
            if {row.status for row in rows()} == {MessageStatus.SENT}:
                break
            time.sleep(0.05)
    finally:
        delivery.stop()
    assert {row.status for row in rows()} == {MessageStatus.SENT}
    assert len(list((tmp_path / "mail").glob("*.eml"))) == 3
