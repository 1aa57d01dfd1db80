"""Flask commands. ``eventsvc ...`` is the same group as ``flask --app eventsvc ...``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def register(app: Flask) -> None:
    from .api.cli import api_tokens
    from .attendance.cli import attendance
    from .auth.cli import users
    from .compensation.cli import compensation_cli
    from .demo import demo_command
    from .events.cli import USERS_COMMANDS
    from .invitations.cli import contacts_cli, invitations_cli
    from .invitations.cli_replies import read_replies_command
    from .jobs.cli import jobs_cli
    from .mail.cli import mail
    from .messaging.cli import messages_cli
    from .registrations.cli import import_signups_command
    from .reminders.cli import reminders_cli
    from .retention.cli import retention
    from .webhooks.cli import webhooks_cli

    app.cli.add_command(demo_command)
    app.cli.add_command(attendance)
    app.cli.add_command(mail)
    app.cli.add_command(jobs_cli)
    app.cli.add_command(compensation_cli)
    for command in USERS_COMMANDS:  # events' part of the accounts commands
        users.add_command(command)
    app.cli.add_command(users)
    app.cli.add_command(import_signups_command)
    app.cli.add_command(contacts_cli)
    invitations_cli.add_command(read_replies_command)
    app.cli.add_command(invitations_cli)
    app.cli.add_command(reminders_cli)
    app.cli.add_command(retention)
    app.cli.add_command(messages_cli)
    app.cli.add_command(api_tokens)
    app.cli.add_command(webhooks_cli)


def main() -> None:
    from . import create_app

    FlaskGroup(create_app=create_app, help="eventsvc: sign-ups and attendance.")()


__all__ = ["click", "main", "register"]
