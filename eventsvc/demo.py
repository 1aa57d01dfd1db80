"""The demo event of ``make run``: a study day with a morning and an afternoon."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from .database import utcnow
from .events.models import Event, EventStatus, Part, Question, QuestionKind
from .extensions import db

DEMO_SLUG = "journee-inclusion-numerique"


def create_demo_event() -> tuple[Event, bool]:
    """The demo event, created once; returns it and whether it was created now."""
    existing = db.session.scalar(select(Event).where(Event.slug == DEMO_SLUG))
    if existing is not None:
        return existing, False
    event = Event(
        slug=DEMO_SLUG,
        title="Journée d'étude : inclusion numérique et accès aux droits",
        description=(
            "Une journée pour partager les pratiques des lieux d'accueil, des CCAS et des "
            "associations qui accompagnent les démarches en ligne. Matin : retours d'expérience. "
            "Après-midi : ateliers en petits groupes."
        ),
        venue_name="Maison des associations",
        venue_address="12 rue de la République",
        venue_commune="Dinan-Exemple",
        timezone="Europe/Paris",
        status=EventStatus.OPEN,
        capacity=80,
        organiser_name="Mission inclusion numérique",
        organiser_email="inclusion.numerique@metropole.example.org",
        lunch_provided=False,
        # Participants may declare travel and childcare; the public-service scale pays them.
        compensation_offered=True,
        compensation_scale="fp",
    )
    day = (utcnow() + timedelta(days=21)).astimezone(event.zone).date()
    event.parts = [
        Part(
            label="Matin",
            starts_at=_at(event, day, time(9, 30)),
            ends_at=_at(event, day, time(12, 30)),
            position=0,
        ),
        Part(
            label="Après-midi",
            starts_at=_at(event, day, time(14, 0)),
            ends_at=_at(event, day, time(17, 0)),
            capacity=40,
            position=1,
        ),
    ]
    event.questions = [
        Question(label="Mes fonctions", kind=QuestionKind.TEXT, position=0),
        Question(
            label="Je viens plutôt en tant que",
            kind=QuestionKind.SINGLE_CHOICE,
            choices=["Facilitateur", "Curieux", "Expert généraliste", "Expert en usages"],
            position=1,
        ),
        Question(
            label="Les sujets que je souhaite aborder",
            kind=QuestionKind.MULTIPLE_CHOICE,
            choices=["Accès aux droits", "Matériel et connexion", "Formation des aidants"],
            position=2,
        ),
    ]
    db.session.add(event)
    db.session.flush()
    return event, True


def _at(event: Event, day, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=event.zone)


@click.command("demo")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
@with_appcontext
def demo_command(base_url: str) -> None:
    """Create the demo event (once) and print its public address."""
    event, created = create_demo_event()
    db.session.commit()
    current_app.logger.debug("demo event %s", "created" if created else "already there")
    click.echo(
        ("Demo event created: " if created else "Demo event: ") + f"{base_url}/e/{event.slug}"
    )
