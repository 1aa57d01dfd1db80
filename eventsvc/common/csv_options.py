"""Command-line options shared by the CSV imports (sign-ups, contacts): the organiser corrects
what was detected (encoding, separator) and maps columns, as in the dashboard's preview."""

from __future__ import annotations

from collections.abc import Sequence

import click

from . import csv_tables

DELIMITERS = {"comma": ",", "semicolon": ";", "tab": "\t"}


def csv_reading_options(fields: Sequence[str]):
    """``--encoding``, ``--delimiter`` and ``--map HEADER=FIELD`` (repeatable) on a command."""

    def decorate(command):
        for option in reversed(
            (
                click.option(
                    "--encoding",
                    type=click.Choice(csv_tables.ENCODINGS),
                    help="Override the detected encoding.",
                ),
                click.option(
                    "--delimiter",
                    type=click.Choice(list(DELIMITERS)),
                    help="Override the detected separator.",
                ),
                click.option(
                    "--map",
                    "mappings",
                    multiple=True,
                    metavar="HEADER=FIELD",
                    help=f"Map a column (repeatable); FIELD one of {', '.join(fields)}, "
                    "or empty to ignore the column.",
                ),
            )
        ):
            command = option(command)
        return command

    return decorate


def delimiter_of(choice: str | None) -> str | None:
    return DELIMITERS.get(choice or "")


def mapping_of(values: Sequence[str], fields: Sequence[str]) -> dict[str, str] | None:
    """``("Mail pro=email", "Remarque=")`` → ``{"Mail pro": "email", "Remarque": ""}``."""
    mapping = {}
    for value in values:
        header, separator, target = value.partition("=")
        if not separator or target not in (*fields, ""):
            raise click.BadParameter(
                f"{value!r}: use HEADER=FIELD with FIELD one of {', '.join(fields)} "
                "(or empty to ignore the column)",
                param_hint="--map",
            )
        mapping[header] = target
    return mapping or None
