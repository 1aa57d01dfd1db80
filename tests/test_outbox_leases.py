"""Claims on the outbox are short leases renewed while their worker lives (issue 19): a slow
relay never lets a second worker send a live worker's messages again, and a worker killed with
SIGKILL mid-batch has its messages taken over as soon as its lease runs out, not ten minutes later.

Both run real ``flask mail send`` processes against a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.mail import outbox
from eventsvc.mail.backends import SMTPBackend
from eventsvc.mail.models import MessageStatus, OutboxMessage

from .smtp_server import Mailbox, free_port


def queue(count: int) -> None:
    for n in range(count):
        mail = EmailMessage()
        mail["From"] = "Inscriptions <inscriptions@eventsvc.example.org>"
        mail["To"] = "anne.morvan@metropole.example.org"
        mail["Subject"] = f"Message {n}"
        mail["Message-ID"] = make_msgid(domain="eventsvc")
        mail.set_content(f"Bonjour,\nmessage {n}.\n")
        outbox.enqueue(f"m:{n}", mail)
    db.session.commit()


LEASE = 1.5  # seconds: renewed every 0.5 s by a live worker


@dataclass
class SlowMailbox(Mailbox):
    """Each message takes ``delay`` seconds to be accepted, and none is until ``gate`` opens."""

    delay: float = 0.0
    gate: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.arrived.set()
        while not self.gate.is_set():
            await asyncio.sleep(0.02)
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture
def slow_smtp():
    mailbox = SlowMailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield mailbox, port
    mailbox.gate.set()
    controller.stop()


def worker_process(app_config, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "EVENTSVC_SQLALCHEMY_DATABASE_URI": app_config["SQLALCHEMY_DATABASE_URI"],
        "EVENTSVC_SECRET_KEY": "x",
        "EVENTSVC_INSTANCE_PATH": app_config["INSTANCE_PATH"],
        "EVENTSVC_MAIL_BACKEND": "smtp",
        "EVENTSVC_SMTP_HOST": "127.0.0.1",
        "EVENTSVC_SMTP_PORT": str(port),
        "EVENTSVC_SMTP_SECURITY": "none",
        "EVENTSVC_MAIL_BATCH_SIZE": "10",
        "EVENTSVC_MAIL_LEASE_SECONDS": str(LEASE),
    }
    command = [sys.executable, "-m", "flask", "--app", "eventsvc", "mail", "send"]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def statuses() -> list[MessageStatus]:
    db.session.rollback()
    return list(db.session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)))


def wait_for(condition, timeout: float) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "timed out"
        time.sleep(0.05)
    return time.monotonic() - start


POLICY = outbox.Policy(lease=timedelta(seconds=LEASE), batch_size=10)


def test_a_slow_live_worker_keeps_its_batch(app, app_config, slow_smtp):
    mailbox, port = slow_smtp
    mailbox.delay = 0.8  # each message takes longer than a third of the lease
    mailbox.gate.set()
    queue(5)
    worker = worker_process(app_config, port)
    wait_for(lambda: MessageStatus.SENDING in statuses(), timeout=30)
    # Another worker tries all along: with a fixed lease it would take the batch over after
    # 1.5 s and send it again; renewed between messages, nothing is ever due for it.
    while worker.poll() is None:
        assert outbox.claim_due(POLICY, "other-worker") == []
        time.sleep(0.2)
    output = worker.communicate()
    assert worker.returncode == 0, output
    ids = [m.message["Message-ID"] for m in mailbox.messages]
    assert len(ids) == 5 and len(set(ids)) == 5
    assert statuses() == [MessageStatus.SENT] * 5


def test_a_killed_workers_batch_is_taken_over_when_its_lease_runs_out(app, app_config, slow_smtp):
    mailbox, port = slow_smtp
    queue(5)
    worker = worker_process(app_config, port)
    assert mailbox.arrived.wait(30), "the worker never reached the relay"
    worker.send_signal(signal.SIGKILL)  # mid-batch: 5 claimed, the first in flight
    worker.communicate(timeout=10)
    killed_at = time.monotonic()
    mailbox.gate.set()
    backend = SMTPBackend("127.0.0.1", port, security="none", timeout=5)
    sent = 0

    def taken_over() -> bool:
        nonlocal sent
        sent += outbox.deliver_due(backend, POLICY)["sent"]
        return sent == 5

    wait_for(taken_over, timeout=LEASE + 10)
    assert time.monotonic() - killed_at >= LEASE - 0.5  # not before the lease ran out
    assert statuses() == [MessageStatus.SENT] * 5
    ids = [m.message["Message-ID"] for m in mailbox.messages]
    # Every message arrived; only the one in flight at the kill may have arrived twice.
    assert len(set(ids)) == 5 and len(ids) <= 6
