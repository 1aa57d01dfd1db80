"""Events, people, declarations and check-ins for the compensation tests, through the services."""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

import pytest

from eventsvc.attendance import service as attendance
from eventsvc.compensation import declarations, distances
from eventsvc.compensation.declarations import DeclarationInput
from eventsvc.compensation.distance_table import parse_distancier
from eventsvc.compensation.rules import TransportMode
from eventsvc.events.models import Event, EventStatus, Part
from eventsvc.extensions import db
from eventsvc.registrations import service as registrations

from .helpers import FIXTURES, local

ORGANISER = "orga@example.org"

# An organisation's own scale (the public-service mileage, plus childcare, time and a cap on
# public transport), as an instance's scales.toml.
OWN_SCALE = """
[[scale]]
id = "codev-2024"
family = "codev"
name = "Codev Exemple"
valid_from = 2024-01-01
reference = "Délibération du conseil de développement du 12 décembre 2023."

[scale.car]
5cv_or_less = [0.32, 0.40, 0.23]
6_7cv = [0.41, 0.51, 0.30]
8cv_or_more = [0.45, 0.55, 0.32]

[scale.meal]
rate = 20.00

[scale.childcare]
hourly_rate = 9.50
max_hours_per_day = 3

[scale.time]
basis = "per_part"
rate = 50
payment_form = "service_tickets"

[scale.public_transport]
cap_per_day = 15
"""

# The same scale from 1 April 2024 with higher mileage rates: written into the file mid-test to
# show that validated claims do not move.
OWN_SCALE_APRIL = """
[[scale]]
id = "codev-2024-04"
family = "codev"
name = "Codev Exemple"
valid_from = 2024-04-01
reference = "Délibération du 28 mars 2024."

[scale.car]
6_7cv = [0.60, 0.70, 0.40]

[scale.meal]
rate = 25.00
"""


@pytest.fixture
def app_config(database_uri, tmp_path):
    from .conftest import _test_config

    config = _test_config(database_uri, tmp_path / "instance")
    scales = tmp_path / "scales.toml"
    scales.write_text(OWN_SCALE, encoding="utf-8")
    config["COMPENSATION_SCALES_FILE"] = str(scales)
    return config


def study_day(
    day: date,
    slug: str = "atelier-compense",
    *,
    scale: str = "fp",
    lunch_provided: bool = False,
    title: str = "Atelier mobilités",
) -> Event:
    """A compensated study day at Dinan-Exemple: « Matin » 9:30-12:30, « Après-midi » 14-17."""
    event = Event(
        slug=slug,
        title=title,
        venue_name="Salle du conseil",
        venue_commune="Dinan-Exemple",
        organiser_name="Codev Exemple",
        organiser_email="codev@example.org",
        status=EventStatus.OPEN,
        lunch_provided=lunch_provided,
        compensation_offered=True,
        compensation_scale=scale,
    )
    event.parts = [
        Part(
            label="Matin",
            starts_at=local(day, time(9, 30)),
            ends_at=local(day, time(12, 30)),
            position=0,
        ),
        Part(
            label="Après-midi",
            starts_at=local(day, time(14)),
            ends_at=local(day, time(17)),
            position=1,
        ),
    ]
    db.session.add(event)
    db.session.commit()
    return event


def driver(cv: int = 6, km: str | None = "120", origin: str = "Broons-Exemple") -> DeclarationInput:
    return DeclarationInput(
        origin=origin,
        transport=TransportMode.CAR_DRIVER,
        fiscal_horsepower=cv,
        round_trip_km=None if km is None else Decimal(km),
    )


def person(
    event: Event,
    email: str,
    *,
    first: str = "Anne",
    last: str = "Morvan",
    declared: DeclarationInput | None = None,
    present: tuple[str, ...] = ("Matin", "Après-midi"),
    full_day: bool = True,
    arrival: time | None = None,
    departure: time | None = None,
):
    """Registered (the window does not matter here), declared, checked in at ``present``."""
    parts = [part.id for part in event.parts]
    result = registrations.register(
        event,
        registrations.SignupCommand(
            first_name=first,
            last_name=last,
            organisation="",
            email_typed=email,
            email=email,
            email_key=email.casefold(),
            full_day=full_day,
            part_ids=[] if full_day else parts,
            arrival_time=arrival,
            departure_time=departure,
        ),
        locale="fr",
        enforce_window=False,
        send_email=False,
    )
    registration = result.registration
    if declared is not None:
        declarations.save(registration, declared)
    for part in event.parts:
        if part.label in present:
            attendance.check_in(registration, part, by=ORGANISER)
    db.session.commit()
    return registration


def import_example_table() -> None:
    table = parse_distancier((FIXTURES / "distancier_example.csv").read_bytes())
    distances.replace_table(table)
    db.session.commit()
