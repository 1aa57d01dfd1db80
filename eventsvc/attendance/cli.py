from __future__ import annotations

import json
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ..events.models import Event
from ..extensions import db
from . import documents, rules_proof

attendance = AppGroup("attendance", help="Sign-in sheets and certificates of attendance.")


def _event(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise click.ClickException(f"no event with the address name « {slug} »")
    return event


@attendance.command("sheet")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--part", "part_id", type=int, help="Only this part (its id); default: every part.")
@click.option("--portrait", is_flag=True, help="A4 portrait instead of the default A4 landscape.")
def sheet_command(slug: str, output: Path, part_id: int | None, portrait: bool) -> None:
    """Write the sign-in sheet(s) of an event as one PDF, every part one after the other, in A4
    landscape (or portrait)."""
    event = _event(slug)
    parts = event.parts
    if part_id is not None:
        parts = [part for part in event.parts if part.id == part_id]
        if not parts:
            known = ", ".join(f"{p.id} ({p.label})" for p in event.parts)
            raise click.ClickException(f"no part {part_id} in this event; its parts: {known}")
    output.write_bytes(documents.sheet_pdf(event, parts, portrait=portrait))
    orientation = "portrait" if portrait else "landscape"
    click.echo(f"{output}: {len(parts)} part(s), A4 {orientation}")


@attendance.command("certificates")
@click.argument("slug")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True)
def certificates_command(slug: str, output: Path) -> None:
    """Write the certificates of attendance of everyone checked in at a part that has ended, one
    page each, in one PDF. Refused before the first part has ended, or while the event has no
    signatory (its organiser's name)."""
    event = _event(slug)
    reasons = documents.certificate_refusals(event)
    if reasons:
        raise click.ClickException(" ".join(str(reason) for reason in reasons))
    people = documents.certified(event)
    if not people:
        raise click.ClickException("nobody was checked in at this event: no certificate to write")
    output.write_bytes(documents.certificates_pdf(event, people))
    click.echo(f"{output}: {len(people)} certificate(s)")


@attendance.command("verify-proof")
@click.argument("proof_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def verify_proof_command(proof_file: Path) -> None:
    """Check a part's proof file of signatures (proof.json): every entry's hash against its
    fields and the chain from one entry to the next. Prints the file's SHA-256, to compare with
    the one printed at the bottom of the signed sheet. Exit status 1 when something is wrong."""
    try:
        proof = json.loads(proof_file.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as error:
        raise click.ClickException(f"{proof_file}: not a JSON file ({error})") from error
    if not isinstance(proof, dict) or not isinstance(proof.get("entries"), list):
        raise click.ClickException(f"{proof_file}: not a proof file (no entries)")
    click.echo(f"SHA-256 of the proof: {rules_proof.digest(proof)}")
    problems = rules_proof.verify(proof)
    for problem in problems:
        click.echo(problem)
    if problems:
        raise click.exceptions.Exit(1)
    click.echo(f"OK: {len(proof['entries'])} signature(s), chain intact")
