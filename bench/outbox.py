"""Outbox delivery to a local SMTP server: messages per second, next to a floor.

eventsvc: ``outbox.deliver_all_due`` with the smtp backend (claim a batch of MAIL_BATCH_SIZE in a
short transaction, send it over one connection, record each outcome), as ``flask mail send`` and
each worker pass do. Floor: the same raw messages, read into memory beforehand, sent with
``smtplib`` over one connection, no database at all. The SMTP server is aiosmtpd's ``Sink`` in a
process of its own (it accepts and discards). Rounds alternate; the median is kept.

    .venv/bin/python bench/outbox.py [--messages 2000] [--rounds 3] [--pg postgresql://…/BENCHDB]

``--pg`` wipes that database's public schema.
"""

from __future__ import annotations

import argparse
import os
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}"]
        + ["-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("aiosmtpd did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pg", help="PostgreSQL URI of a scratch database (wiped)")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import create_engine, select, text, update

    from eventsvc import create_app
    from eventsvc.database import utcnow
    from eventsvc.demo import create_demo_event
    from eventsvc.extensions import db
    from eventsvc.mail import outbox
    from eventsvc.mail.backends import backend_from_config
    from eventsvc.mail.models import MessageStatus, OutboxMessage
    from eventsvc.registrations import operations as registrations

    port = free_port()
    sink = start_sink(port)
    workdir = Path(tempfile.mkdtemp(prefix="bench-outbox-"))
    uri = args.pg or f"sqlite:///{workdir / 'bench.sqlite3'}"
    if args.pg:
        engine = create_engine(uri.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": uri,
            "INSTANCE_PATH": str(workdir / "instance"),
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "MAIL_BACKEND": "smtp",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
            "SMTP_SECURITY": "none",
            "MAIL_FROM": "Inscriptions <inscriptions@eventsvc.example.org>",
        }
    )
    try:
        with app.app_context():
            upgrade()
            event, _ = create_demo_event()
            event.capacity = None
            db.session.commit()
            started = time.perf_counter()
            for n in range(args.messages):
                email = f"personne{n}@example.org"
                registrations.register(
                    event,
                    registrations.SignupCommand(
                        first_name=f"Prénom{n}",
                        last_name="Nom",
                        organisation="",
                        email_typed=email,
                        email=email,
                        email_key=email,
                        full_day=True,
                    ),
                    locale="fr",
                )
                if n % 200 == 199:
                    db.session.commit()
            db.session.commit()
            queued_s = time.perf_counter() - started
            queued = db.session.execute(
                select(
                    OutboxMessage.id,
                    OutboxMessage.sender,
                    OutboxMessage.recipient,
                    OutboxMessage.raw,
                )
            ).all()
            rows = [(sender, recipient, raw) for _, sender, recipient, raw in queued]
            # Sending drops a message's body: each round puts them back first (not timed).
            bodies = [{"id": row_id, "raw": raw} for row_id, _, _, raw in queued]
            assert len(rows) == args.messages
            size = statistics.mean(len(raw) for _, _, raw in rows)
            backend_config = app.config
            policy = outbox.Policy.from_config(backend_config)

            def ours() -> float:
                db.session.execute(
                    update(OutboxMessage).values(
                        status=MessageStatus.PENDING,
                        attempts=0,
                        sent_at=None,
                        next_attempt_at=utcnow() - timedelta(seconds=1),
                    )
                )
                db.session.execute(update(OutboxMessage), bodies)
                db.session.commit()
                begin = time.perf_counter()
                counts = outbox.deliver_all_due(backend_from_config(backend_config), policy)
                elapsed = time.perf_counter() - begin
                assert counts["sent"] == args.messages, counts
                return args.messages / elapsed

            def floor() -> float:
                begin = time.perf_counter()
                with smtplib.SMTP("127.0.0.1", port) as smtp:
                    for sender, recipient, raw in rows:
                        smtp.sendmail(sender, [recipient], raw)
                return args.messages / (time.perf_counter() - begin)

            ours()  # warm-up
            floor()
            results = {"eventsvc": [], "floor": []}
            for _ in range(args.rounds):
                results["eventsvc"].append(ours())
                results["floor"].append(floor())
            db.engine.dispose()
    finally:
        sink.terminate()
        sink.wait(timeout=10)

    backend = "PostgreSQL" if args.pg else "SQLite"
    ours_rate = statistics.median(results["eventsvc"])
    floor_rate = statistics.median(results["floor"])
    print(f"load average at the end: {os.getloadavg()}")
    print(f"{args.messages} confirmation emails queued by register() in {queued_s:.1f} s")
    print(f"mean message size {size / 1024:.1f} KiB, batch size {policy.batch_size}")
    print(f"| {backend} | eventsvc | {ours_rate:.0f} | {results['eventsvc']} |")
    print(f"| {backend} | floor (smtplib, no database) | {floor_rate:.0f} | {results['floor']} |")
    print(f"| {backend} | **ratio** | **{ours_rate / floor_rate:.2f}** | |")


if __name__ == "__main__":
    main()
