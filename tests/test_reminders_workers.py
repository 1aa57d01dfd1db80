"""Never twice, with two processes at once against the same database (a file SQLite database,
or PostgreSQL with ``EVENTSVC_TEST_DATABASE_URI``): two `flask reminders send-due` commands, then
two `flask mail worker` loops that send the reminders and deliver them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

from sqlalchemy import func, select

from eventsvc.extensions import db
from eventsvc.mail.models import MessageStatus, OutboxMessage
from eventsvc.reminders.models import ReminderSent

from .factories import joined_long_ago, new_event, participant, starting_in

PEOPLE = 60


def due_now(slug="atelier"):
    """An event whose morning starts in 10 hours, PEOPLE confirmed people who signed up a month
    ago: every reminder is due."""
    event = new_event(slug=slug)
    starting_in(event, 10)
    people = [participant(event, n) for n in range(PEOPLE)]
    joined_long_ago(*people)
    return people


def environment(app_config, **settings) -> dict:
    env = {
        **os.environ,
        "EVENTSVC_SQLALCHEMY_DATABASE_URI": app_config["SQLALCHEMY_DATABASE_URI"],
        "EVENTSVC_SECRET_KEY": "x",
        "EVENTSVC_INSTANCE_PATH": app_config["INSTANCE_PATH"],
    }
    env.update({f"EVENTSVC_{key}": str(value) for key, value in settings.items()})
    return env


def flask(*args) -> list[str]:
    return [sys.executable, "-m", "flask", "--app", "eventsvc", *args]


def reminder_rows() -> list[OutboxMessage]:
    db.session.rollback()
    return list(
        db.session.scalars(select(OutboxMessage).where(OutboxMessage.key.like("reminder:%")))
    )


def test_two_send_due_commands_at_once_send_each_reminder_once(app, app_config):
    people = due_now()
    env = environment(app_config)
    commands = [
        subprocess.Popen(
            flask("reminders", "send-due"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(2)
    ]
    outputs = [command.communicate(timeout=180) for command in commands]
    assert [command.returncode for command in commands] == [0, 0], outputs
    rows = reminder_rows()
    assert sorted(row.recipient for row in rows) == sorted(p.email for p in people)
    assert db.session.scalar(select(func.count(ReminderSent.id))) == PEOPLE
    totals = [int(out.decode().strip().splitlines()[-1].split()[0]) for out, _err in outputs]
    assert sum(totals) == PEOPLE  # each says how many it sent: together, everyone once


def test_two_mail_workers_send_and_deliver_each_reminder_once(app, app_config, smtp_server):
    people = due_now()
    env = environment(
        app_config,
        MAIL_BACKEND="smtp",
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=smtp_server.port,
        SMTP_SECURITY="none",
        MAIL_BATCH_SIZE=7,
        REMINDERS_EVERY=1,
    )
    workers = [
        subprocess.Popen(
            flask("mail", "worker", "--interval", "0.2"),
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    try:
        # Until everything is delivered (a bound only so that a broken loop fails the test).
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            rows = reminder_rows()
            if len(rows) >= PEOPLE and {r.status for r in rows} == {MessageStatus.SENT}:
                break
            time.sleep(0.5)
        # Several more passes of both loops: still nothing new.
        time.sleep(3)
    finally:
        for worker in workers:
            worker.send_signal(signal.SIGTERM)
        outputs = [worker.communicate(timeout=60) for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0], outputs
    received = Counter(to for m in smtp_server.mailbox.messages for to in m.rcpt_tos)
    assert received == Counter(p.email for p in people)
    assert len(reminder_rows()) == PEOPLE
    assert db.session.scalar(select(func.count(ReminderSent.id))) == PEOPLE
