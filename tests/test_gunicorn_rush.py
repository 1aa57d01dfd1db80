"""A rush of sign-ups through real gunicorn servers: the production setup, over HTTP.

On SQLite (the embedded default of a small organisation): one server with several workers.
On PostgreSQL: two servers on two ports sharing the database. Either way, 160 sign-ups arrive
at once for 50 places: exactly 50 confirmed, the rest waitlisted in the order they took the
lock, nobody twice, and every answer a 303 (never a 500, never « database is locked »).

Meanwhile separate `flask mail worker` processes (two on PostgreSQL, one on SQLite) deliver the
outbox over SMTP to a real server on loopback: every registration gets its one confirmation or
waiting-list email, and no message arrives twice.
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail.models import MessageStatus, OutboxMessage
from eventsvc.registrations.models import Registration, RegistrationStatus

from .factories import TEST_SECRET, valid
from .smtp_server import SMTPServer

ROOT = Path(__file__).resolve().parent.parent
PLACES = 50
PEOPLE = 150
DOUBLE_CLICKERS = 10  # people whose browser sends the form twice at once
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Server:
    """gunicorn with our gunicorn.conf.py, on a loopback port it is handed already bound."""

    def __init__(self, database_uri: str, workdir: Path, workers: int, name: str):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1024)
        listener.set_inheritable(True)
        self.port = listener.getsockname()[1]
        self.access_log = workdir / f"{name}-access.log"
        self.error_log = workdir / f"{name}-error.log"
        env = {
            **os.environ,
            "EVENTSVC_SQLALCHEMY_DATABASE_URI": database_uri,
            "EVENTSVC_SECRET_KEY": TEST_SECRET,
            "EVENTSVC_INSTANCE_PATH": str(workdir / f"{name}-instance"),
            "EVENTSVC_RATELIMIT_ENABLED": "false",  # every client here is 127.0.0.1
            "EVENTSVC_CHECK_EMAIL_DELIVERABILITY": "false",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--config",
                str(ROOT / "gunicorn.conf.py"),
                "--bind",
                f"fd://{listener.fileno()}",
                "--workers",
                str(workers),
                "--access-logfile",
                str(self.access_log),
                "--error-logfile",
                str(self.error_log),
            ],
            cwd=ROOT,
            env=env,
            pass_fds=[listener.fileno()],
            stdin=subprocess.DEVNULL,
        )
        listener.close()

    def wait_until_ready(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.error_log.read_text()
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not answer: {self.error_log.read_text()}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


class MailWorker:
    """``flask --app eventsvc mail worker`` delivering to the test's SMTP server."""

    def __init__(self, database_uri: str, workdir: Path, smtp: SMTPServer, name: str):
        self.log = workdir / f"{name}.log"
        env = {
            **os.environ,
            "EVENTSVC_SQLALCHEMY_DATABASE_URI": database_uri,
            "EVENTSVC_SECRET_KEY": TEST_SECRET,
            "EVENTSVC_INSTANCE_PATH": str(workdir / f"{name}-instance"),
            "EVENTSVC_MAIL_BACKEND": "smtp",
            "EVENTSVC_SMTP_HOST": "127.0.0.1",
            "EVENTSVC_SMTP_PORT": str(smtp.port),
            "EVENTSVC_SMTP_SECURITY": "none",
            "EVENTSVC_SMTP_TIMEOUT": "10",
        }
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "eventsvc", "mail", "worker"]
                + ["--interval", "0.2"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> None:
        self.process.terminate()  # the worker finishes its batch and exits
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


def wait_for_delivery(smtp: SMTPServer, workers: list[MailWorker], timeout: float = 60) -> None:
    """Until the outbox has nothing left to send and the server holds as many messages."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for worker in workers:
            assert worker.process.poll() is None, worker.log.read_text()
        db.session.rollback()
        statuses = db.session.scalars(select(OutboxMessage.status)).all()
        delivered = statuses and set(statuses) == {MessageStatus.SENT}
        if delivered and len(smtp.mailbox.messages) >= len(statuses):
            return
        time.sleep(0.2)
    raise AssertionError(f"outbox not delivered: {sorted(set(statuses))}")


def request(port, method, path, body=None, headers=None):
    """One request on its own connection: (status, headers, text)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8")
    finally:
        connection.close()


class Person:
    """A browser: reads the form (CSRF token and session cookie), then sends it."""

    def __init__(self, number: int, port: int):
        self.number, self.port = number, port
        status, headers, html = request(port, "GET", "/e/atelier")
        assert status == 200
        self.token = CSRF.search(html).group(1)
        self.cookie = headers["Set-Cookie"].split(";", 1)[0]
        self.answers: list[tuple[int, str]] = []

    def submit(self) -> None:
        body = urlencode(
            {**valid(email=f"personne{self.number}@example.org"), "csrf_token": self.token}
        )
        status, headers, _ = request(
            self.port,
            "POST",
            "/e/atelier",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": self.cookie,
            },
        )
        self.answers.append((status, headers.get("Location", "")))


def rush(servers: list[Server]) -> list[Person]:
    people = [Person(n, servers[n % len(servers)].port) for n in range(PEOPLE)]
    sends = [(person, person.submit) for person in people]
    sends += [(person, person.submit) for person in people[:DOUBLE_CLICKERS]]
    barrier = threading.Barrier(len(sends))
    failures = []

    def send(submit):
        try:
            barrier.wait(timeout=30)
            submit()
        except Exception as error:  # shown by the assertion below
            failures.append(repr(error))

    threads = [threading.Thread(target=send, args=(submit,)) for _, submit in sends]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert failures == []
    return people


def test_a_rush_of_sign_ups_through_gunicorn(app, make_event, database_uri, tmp_path):
    make_event(capacity=PLACES)
    postgres = db.engine.dialect.name == "postgresql"
    layout = [("a", 2), ("b", 2)] if postgres else [("a", 4)]
    servers = [Server(database_uri, tmp_path, workers, name) for name, workers in layout]
    smtp = SMTPServer().start()
    mail_workers = [
        MailWorker(database_uri, tmp_path, smtp, f"mail-{n}") for n in range(2 if postgres else 1)
    ]
    try:
        for server in servers:
            server.wait_until_ready()
        people = rush(servers)
        personal_pages = {}
        for person in people:
            statuses = [status for status, _ in person.answers]
            assert set(statuses) == {303}, (person.number, person.answers)
            links = [where for _, where in person.answers if "/r/" in where]
            # A double click records one sign-up; the other answer says « already registered ».
            assert len(links) == 1, person.answers
            personal_pages[person.number] = request(person.port, "GET", links[0])
        wait_for_delivery(smtp, mail_workers)
    finally:
        for worker in mail_workers:
            worker.stop()
        smtp.stop()
        for server in servers:
            server.stop()

    db.session.rollback()  # see what the servers wrote
    rows = db.session.scalars(
        select(Registration).order_by(Registration.queued_at, Registration.id)
    ).all()
    assert len(rows) == PEOPLE
    assert len({row.email_key for row in rows}) == PEOPLE
    statuses = [row.status for row in rows]
    # First come, first served: the first 50 to take the lock have the places.
    assert statuses == [RegistrationStatus.CONFIRMED] * PLACES + [RegistrationStatus.WAITLISTED] * (
        PEOPLE - PLACES
    )

    # Each personal page says what the database says, with the waiting-list rank.
    for rank, row in enumerate(rows):
        number = int(row.email.removeprefix("personne").split("@")[0])
        status, _, html = personal_pages[number]
        assert status == 200
        if rank < PLACES:
            assert "Votre inscription est confirmée" in html
        else:
            assert f"en position {rank - PLACES + 1}." in html.replace("&#39;", "'")

    for server in servers:
        errors = server.error_log.read_text()
        assert "Traceback" not in errors and "database is locked" not in errors, errors
        access = server.access_log.read_text()
        assert '"POST /e/atelier" 303' in access
        # Personal-link tokens never reach the logs.
        assert "/r/[token]" in access
        assert not re.search(r"/r/[A-Za-z0-9_-]{43}", access)

    check_every_email_sent_once(rows, smtp, mail_workers)


def check_every_email_sent_once(rows, smtp: SMTPServer, workers: list[MailWorker]) -> None:
    queued = db.session.scalars(select(OutboxMessage)).all()
    received = smtp.mailbox.messages
    received_ids = [message.message["Message-ID"] for message in received]
    # Nothing sent twice, nothing lost: the server got each queued message exactly once.
    assert len(received_ids) == len(set(received_ids)) == len(queued)
    # A sent message keeps its Message-ID, not its body.
    assert all(row.raw is None for row in queued)
    assert set(received_ids) == {row.message_id for row in queued}
    # One confirmation or waiting-list email per registration, to that person, of that kind
    # (the double-clickers also got their personal link again: « already registered »).
    first_emails = {}
    for row in queued:
        kind = row.key.split(":", 1)[0]
        if kind in ("confirmed", "waitlisted"):
            assert row.recipient not in first_emails, row.recipient
            first_emails[row.recipient] = kind
    assert first_emails == {row.email: str(row.status) for row in rows}
    for message in received:
        assert len(message.rcpt_tos) == 1
    recipients = sorted(rcpt for message in received for rcpt in message.rcpt_tos)
    assert recipients == sorted(row.recipient for row in queued)
    kinds = {row.key.split(":", 1)[0] for row in queued}
    assert kinds <= {"confirmed", "waitlisted", "already_registered"}, kinds
    assert sum(1 for row in queued if row.key.startswith("already_registered:")) <= DOUBLE_CLICKERS
    for worker in workers:
        log = worker.log.read_text()
        assert "Traceback" not in log and "database is locked" not in log, log
