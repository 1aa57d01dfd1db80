"""The demo event of ``make run``: a study day with a morning and an afternoon."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from .auth import service as auth
from .auth.models import User
from .common.validation import check_email
from .database import begin_write, utcnow
from .events.models import Event, EventStatus, Part, Question, QuestionKind
from .extensions import db
from .invitations import bodies
from .invitations import contacts as address_book

DEMO_SLUG = "journee-inclusion-numerique"
# A fixed password, printed by `make run`, for trying the dashboard on one's own machine only.
DEMO_ORGANISER_EMAIL = "organisateur@demo.example.org"
DEMO_ORGANISER_PASSWORD = "demo-organisateur"  # noqa: S105 - the demo's, printed on purpose


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
        # The person who signs the certificates of attendance, and her role.
        organiser_name="Claire Martin",
        organiser_role="Cheffe de projet inclusion numérique",
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


def create_demo_organiser(event: Event) -> tuple[User, bool]:
    """The demo organiser account, owning the demo event; returns it and whether it is new."""
    user = auth.find_by_email(DEMO_ORGANISER_EMAIL)
    created = user is None
    if created:
        user = User(
            email=DEMO_ORGANISER_EMAIL,
            email_key=DEMO_ORGANISER_EMAIL,
            name="Organisateur de démonstration",
            # Set directly: the demo password is shorter than real ones must be.
            password_hash=auth.hash_password(DEMO_ORGANISER_PASSWORD),
        )
        db.session.add(user)
    # So that `make run` users can try everything, the distance table upload included (also for
    # a demo account made before accounts had the flag).
    user.is_admin = True
    if user not in event.organisers:
        event.organisers.append(user)
    db.session.flush()
    return user, created


DEMO_BUREAU = "Bureau de l'Association des maires (démo)"
# (civility, first name, last name, function in the bureau, commune)
DEMO_MEMBERS = [
    ("Mme", "Hélène", "Le Bihan", "Présidente, maire de Dinan-Exemple", "Dinan-Exemple"),
    ("M.", "Yann", "Kergoat", "Vice-président, maire de Léhon-Exemple", "Léhon-Exemple"),
    ("Mme", "Anne", "Morvan", "Trésorière, maire de Taden-Exemple", "Taden-Exemple"),
    ("M.", "Loïc", "Guérin", "Secrétaire, maire de Plouër-Exemple", "Plouër-Exemple"),
    ("Mme", "Claire", "Martin", "Maire de Quévert-Exemple", "Quévert-Exemple"),
]


def create_demo_bureau(user: User) -> None:
    """A bureau of five mayors, as a body (quorum, pouvoirs, 5 clear days): created once."""
    if address_book.find_list(user, DEMO_BUREAU) is not None:
        return
    bureau = address_book.list_named(user, DEMO_BUREAU, actor=user)
    for civility, first, last, function, commune in DEMO_MEMBERS:
        email = f"{first}.{last}".lower().replace(" ", "").replace("é", "e").replace("ï", "i")
        address_book.save_contact(
            user,
            address_book.ContactData(
                civility=civility,
                first_name=first,
                last_name=last,
                function=function,
                organisation=commune,
                email=check_email(f"{email}@demo.example.org"),
                list_ids=[bureau.id],
            ),
        )
    bodies.save_body(bureau, bodies.BodySettings(is_body=True, notice_days=5), actor=user)


def _at(event: Event, day, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=event.zone)


@click.command("demo")
@click.option("--base-url", default="http://127.0.0.1:5000", show_default=True)
@with_appcontext
def demo_command(base_url: str) -> None:
    """Create the demo event and its organiser account (once); print where to go."""
    begin_write(db.session)
    event, created = create_demo_event()
    user, user_created = create_demo_organiser(event)
    create_demo_bureau(user)
    slug = event.slug
    db.session.commit()
    current_app.logger.debug("demo event %s", "created" if created else "already there")
    click.echo(("Demo event created: " if created else "Demo event: ") + f"{base_url}/e/{slug}")
    click.echo(f"Organiser dashboard: {base_url}/login")
    click.echo(f"  login:    {DEMO_ORGANISER_EMAIL}")
    click.echo(
        f"  password: {DEMO_ORGANISER_PASSWORD}"
        + ("" if user_created else " (unless you changed it)")
    )
    click.echo(
        "  This fixed demo password is for trying eventsvc on your own machine only: never run "
        "the demo on a server others can reach."
    )
