from __future__ import annotations

import signal
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from ..extensions import db
from . import outbox, worker

mail = AppGroup("mail", help="Deliver and inspect the outbox.")


@mail.command("send")
def send_command() -> None:
    """Deliver every message that is due (emails, then the other queues such as webhooks),
    then exit."""
    counts = worker.deliver_once()
    dropped = f", dropped {counts['dropped']}" if counts.get("dropped") else ""
    click.echo(
        f"sent {counts['sent']}, to retry {counts['retry']}, failed {counts['failed']}{dropped}"
    )
    for name, others in worker.deliver_others().items():
        click.echo(f"{name}: " + ", ".join(f"{key} {value}" for key, value in others.items()))


@mail.command("worker")
@click.option("--interval", type=float, default=None, help="Seconds between passes.")
def worker_command(interval: float | None) -> None:
    """Deliver continuously until SIGTERM or Ctrl-C. Run as many as needed on PostgreSQL."""
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    app = current_app._get_current_object()
    click.echo(f"mail worker {outbox.worker_name()} delivering with {app.config['MAIL_BACKEND']}")
    worker.run(app, stop, interval or float(app.config["MAIL_WORKER_INTERVAL"]))


@mail.command("status")
def status_command() -> None:
    """Counts per status, and the messages that failed with their last error."""
    from sqlalchemy import select

    from .models import MessageStatus, OutboxMessage

    for status, count in outbox.status_counts().items():
        click.echo(f"{status}: {count}")
    failed = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.status == MessageStatus.FAILED)
    ).all()
    for message in failed:
        click.echo(
            f"failed #{message.id} to {message.recipient} «{message.subject}» "
            f"after {message.attempts} attempts: {message.last_error}"
        )


@mail.command("retry")
@click.argument("message_ids", nargs=-1, type=int)
def retry_command(message_ids: tuple[int, ...]) -> None:
    """Queue failed messages again (all of them, or the ids given)."""
    count = outbox.retry_failed(list(message_ids) or None)
    click.echo(f"{count} message(s) queued again")
