"""Flask commands. ``eventsvc ...`` is the same group as ``flask --app eventsvc ...``."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import FlaskGroup


def register(app: Flask) -> None:
    from .auth.commands import users
    from .demo import demo_command
    from .registrations.commands import import_signups_command

    app.cli.add_command(demo_command)
    app.cli.add_command(users)
    app.cli.add_command(import_signups_command)


def main() -> None:
    from . import create_app

    FlaskGroup(create_app=create_app, help="eventsvc: sign-ups and attendance.")()


__all__ = ["click", "main", "register"]
