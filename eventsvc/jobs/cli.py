from __future__ import annotations

import click
from flask.cli import AppGroup

from . import runner

jobs_cli = AppGroup("jobs", help="Long work in the background (certificates emailed...).")


@jobs_cli.command("run")
def run_command() -> None:
    """Run every job that is due (queued, or whose worker died), then exit: for cron or tests."""
    count = runner.run_due()
    click.echo(f"{count} job(s) run")
