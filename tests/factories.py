"""Everything tests share: posting forms as a browser does, local times, the test configuration,
and factories building events, people, sign-ups, declarations and check-ins through the services.

Test modules import helpers from here (and fixtures from conftest.py), never from one another:
tests/test_suite_rules.py checks it.
"""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from html import unescape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select

from eventsvc.attendance import service as attendance
from eventsvc.audit import service as audit
from eventsvc.auth import service as auth
from eventsvc.common.validation import check_email
from eventsvc.compensation import batches, claim_operations, claims, declarations, distances
from eventsvc.compensation.declarations import DeclarationInput
from eventsvc.compensation.distance_table import parse_distancier
from eventsvc.compensation.rules import TransportMode
from eventsvc.database import normalise_database_uri, utcnow
from eventsvc.events.models import Event, EventStatus, Part, Question, QuestionKind
from eventsvc.extensions import db
from eventsvc.invitations import contacts as invitation_contacts
from eventsvc.invitations import queries as invitation_queries
from eventsvc.invitations import sending as invitation_sending
from eventsvc.registrations import operations as registration_service
from eventsvc.registrations.models import Registration

FIXTURES = Path(__file__).parent / "fixtures"
TEST_SECRET = "test-secret-key-not-for-production"
ORGANISER_PASSWORD = "une phrase de passe assez longue"

# --- configuration -------------------------------------------------------------------------


def postgres_uri() -> str | None:
    """The PostgreSQL database of the run, when ``EVENTSVC_TEST_DATABASE_URI`` is set."""
    uri = os.environ.get("EVENTSVC_TEST_DATABASE_URI")
    return normalise_database_uri(uri) if uri else None


def config_for_tests(uri: str, instance: Path) -> dict:
    return {
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "SQLALCHEMY_DATABASE_URI": uri,
        "SECRET_KEY": TEST_SECRET,
        "CHECK_EMAIL_DELIVERABILITY": False,
        "SERVER_NAME": "eventsvc.test",
        # The only host served, and the base of links in emails (eventsvc/hosts.py).
        "PUBLIC_BASE_URL": "http://eventsvc.test",
        # Tests post many forms from one address; tests/test_security.py switches limits on.
        "RATELIMIT_ENABLED": False,
    }


# --- times -----------------------------------------------------------------------------------


def local(day, clock: time, zone="Europe/Paris") -> datetime:
    return datetime.combine(day, clock, tzinfo=ZoneInfo(zone))


def move_to_the_past(event, days=30):
    for part in event.parts:
        part.starts_at -= timedelta(days=days)
        part.ends_at -= timedelta(days=days)
    db.session.commit()


# --- HTTP as a browser -------------------------------------------------------------------------

CSRF_PATTERN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    match = CSRF_PATTERN.search(page.get_data(as_text=True))
    assert match, "no CSRF token on the page"
    return match.group(1)


def post_form(client, url: str, data: dict, **kwargs):
    """Post like a browser: with the CSRF token the page carries."""
    return client.post(url, data={"csrf_token": csrf_token(client, url), **data}, **kwargs)


def post(client, url, data=None):
    """A POST with a CSRF token taken from the dashboard, as the page's own form would send."""
    return client.post(url, data={"csrf_token": csrf_token(client, "/dashboard/"), **(data or {})})


def login(client, email: str, password: str):
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def error_for(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    assert match, f"no error shown next to {field}"
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip()


def hidden_inputs(html: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for name, value in re.findall(r'<input name="([^"]+)" type="hidden" value="([^"]*)">', html):
        found.setdefault(name, []).append(unescape(value))
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html):
        found.setdefault(name, []).append(unescape(value))
    return found


def pdf_text(data: bytes) -> tuple[int, list[str]]:
    reader = PdfReader(io.BytesIO(data))
    return len(reader.pages), [page.extract_text() for page in reader.pages]


# Any code point, lone surrogates included (categories None would leave them out).
ANY_CHAR = st.characters(exclude_categories=[])

# --- forms -------------------------------------------------------------------------------------


def valid(**overrides):
    """A filled public sign-up form (full day)."""
    data = {
        "first_name": "Yann",
        "last_name": "Kergoat",
        "organisation": "Maison de quartier des Lilas",
        "email": "yann@maison-lilas.example.net",
        "full_day": "yes",
        "comment": "",
    }
    data.update(overrides)
    return data


def event_form(event, **overrides):
    """The dashboard's event form, filled with what ``event`` holds."""
    data = {
        "title": event.title,
        "slug": event.slug,
        "description": event.description,
        "venue_name": event.venue_name,
        "venue_address": event.venue_address,
        "venue_commune": event.venue_commune,
        "timezone": event.timezone,
        "capacity": str(event.capacity or ""),
        "organiser_name": event.organiser_name,
        "organiser_email": event.organiser_email,
        "reminder_hours_before": str(event.reminder_hours_before or ""),
        "reminder_text": event.reminder_text or "",
    }
    data.update(overrides)
    return data


def sample_rows() -> list[dict]:
    """The sample export; its formula row has an unquoted comma, so the organisation spills over
    into an extra column: the surplus belongs to the one free-text column in the middle."""
    with open(FIXTURES / "signups_sample.csv", encoding="utf-8", newline="") as handle:
        header, *lines = list(csv.reader(handle))
    rows = []
    for line in lines:
        extra = len(line) - len(header)
        if extra > 0:
            line = line[:2] + [",".join(line[2 : 3 + extra])] + line[3 + extra :]
        rows.append(dict(zip(header, line, strict=True)))
    return rows


SAMPLE = (FIXTURES / "signups_sample.csv").read_bytes()

# --- events and registrations -------------------------------------------------------------------


def new_event(slug="atelier", capacity=None, part_capacities=(None, None), questions=(), **fields):
    """An open study day in two weeks: « Matin » 9:30-12:30 and « Après-midi » 14:00-17:00, with
    ``questions`` given as dicts (label, kind, choices, required)."""
    day = (utcnow() + timedelta(days=14)).date()
    event = Event(
        slug=slug,
        title=fields.pop("title", "Atelier participatif"),
        venue_name="Salle du conseil",
        venue_commune="Dinan-Exemple",
        organiser_name="Codev Exemple",
        organiser_email="codev@example.org",
        status=fields.pop("status", EventStatus.OPEN),
        capacity=capacity,
        **fields,
    )
    event.parts = [
        Part(
            label="Matin",
            starts_at=local(day, time(9, 30)),
            ends_at=local(day, time(12, 30)),
            capacity=part_capacities[0],
            position=0,
        ),
        Part(
            label="Après-midi",
            starts_at=local(day, time(14)),
            ends_at=local(day, time(17)),
            capacity=part_capacities[1],
            position=1,
        ),
    ]
    event.questions = [
        Question(
            label=q["label"],
            kind=q.get("kind", QuestionKind.TEXT),
            choices=q.get("choices", []),
            required=q.get("required", False),
            position=i,
        )
        for i, q in enumerate(questions)
    ]
    db.session.add(event)
    db.session.commit()
    return event


def new_organiser(email="organisatrice@example.org", events=(), name="", admin=False):
    """An organiser account (password ``ORGANISER_PASSWORD``), optionally owning ``events``."""
    user = auth.create_user(email, ORGANISER_PASSWORD, name=name, admin=admin)
    for event in events:
        event.organisers.append(user)
    db.session.commit()
    return user


def part_ids(event):
    return {part.label: part.id for part in event.parts}


def registrations():
    return db.session.scalars(select(Registration).order_by(Registration.id)).all()


def command(n: int, **overrides) -> registration_service.SignupCommand:
    """A sign-up of person ``n`` (full day, ``personne<n>@example.org``)."""
    email = overrides.pop("email", f"personne{n}@example.org")
    fields = dict(
        first_name=f"P{n}",
        last_name="Test",
        organisation="",
        email_typed=email,
        email=email,
        email_key=email.casefold(),
        full_day=True,
    )
    fields.update(overrides)
    return registration_service.SignupCommand(**fields)


def sign_up(event, n, **overrides):
    """Person ``n`` signed up through the service (with the confirmation email queued)."""
    result = registration_service.register(event, command(n, **overrides), locale="fr")
    db.session.commit()
    return result.registration


def sign_up_with_link(event, n, **overrides):
    """Person ``n`` signed up through the service: (registration, their personal page /r/...)."""
    result = registration_service.register(
        event, command(n, **overrides), locale="fr", send_email=False
    )
    db.session.commit()
    return result.registration, f"/r/{result.token}"


def participant(event, n, last="Durand", first=None, **fields):
    """Person ``n`` signed up through the service, without any email.

    Added past the sign-up window, as an organiser may: fixtures put people into an event that
    is already under way (``happening_today``) at whatever hour the suite runs. The window itself
    is tested through the form."""
    result = registration_service.register(
        event,
        command(n, first_name=first or f"P{n}", last_name=last, **fields),
        locale="fr",
        enforce_window=False,
        send_email=False,
    )
    db.session.commit()
    return result.registration


# --- compensation ----------------------------------------------------------------------------

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
    """The test configuration with the scales file holding OWN_SCALE: a module that imports this
    fixture replaces conftest's ``app_config`` with it."""
    config = config_for_tests(database_uri, tmp_path / "instance")
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
    result = registration_service.register(
        event,
        registration_service.SignupCommand(
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
        declarations.save(registration, declared, actor_label=audit.PARTICIPANT)
    for part in event.parts:
        if part.label in present:
            attendance.check_in(registration, part, by=ORGANISER)
    db.session.commit()
    return registration


def import_example_table() -> None:
    table = parse_distancier((FIXTURES / "distancier_example.csv").read_bytes())
    distances.replace_table(table)
    db.session.commit()


def computed_claims(event, by=ORGANISER):
    """The draft claims of ``event`` computed from its check-ins and declarations."""
    claims.compute_event(event, by=by)
    db.session.commit()
    return claims.claims_of(event)


def validated_claims(event, by=ORGANISER):
    found = computed_claims(event, by)
    for claim in found:
        claim_operations.validate(claim, by=by, accept_checks=True)
    db.session.commit()
    return found


def batch_of(name: str, start: date, end: date, by=ORGANISER):
    """A batch of the validated claims of the period."""
    batch = batches.create_batch(name, start, end, by=by)
    db.session.commit()
    return batch


# --- contacts and invitations ----------------------------------------------------------------


def contact(
    owner, email="elodie.riviere@lehon.example.fr", *, first="Élodie", last="Rivière", lists=()
):
    """A contact of ``owner``, in the lists given."""
    saved = invitation_contacts.save_contact(
        owner,
        invitation_contacts.ContactData(
            civility="Mme",
            first_name=first,
            last_name=last,
            function="Maire",
            organisation="Léhon-Exemple",
            email=check_email(email),
            list_ids=[contact_list.id for contact_list in lists],
        ),
    )
    db.session.commit()
    return saved


def contact_list(owner, name="Bureau"):
    made = invitation_contacts.list_named(owner, name, actor=owner)
    db.session.commit()
    return made


def invited(event, owner, *contacts):
    """Invitations sent to ``contacts`` (the emails queued); each with its reply page as .path."""
    plan = invitation_sending.plan_invitations(event, list(contacts))
    sent = invitation_sending.send_invitations(event, plan, actor=owner)
    db.session.commit()
    for invitation in sent:
        invitation.path = "/i/" + invitation_queries.invitation_token(invitation)
    return sent


def invitation_attachment(event, filename: str, data: bytes, content_type="application/pdf"):
    """A file joined to the event's invitations (recorded as done from the command line)."""
    attachment = invitation_sending.add_attachment(
        event, filename, content_type, data, actor_label=audit.COMMAND_LINE
    )
    db.session.commit()
    return attachment


def starting_in(event, hours: float) -> None:
    """Move the event's parts together so that its first part starts in ``hours`` hours."""
    shift = utcnow() + timedelta(hours=hours) - min(part.starts_at for part in event.parts)
    for part in event.parts:
        part.starts_at += shift
        part.ends_at += shift
    db.session.commit()


def joined_long_ago(*people) -> None:
    """These registrations joined a month ago (before any reminder's due time)."""
    for person in people:
        person.queued_at = utcnow() - timedelta(days=30)
    db.session.commit()


def reminders_before(event, days: int, invitation_only=False):
    """Automatic reminders ``days`` before the event (recorded as set from the command line)."""
    invitation_sending.update_settings(
        event,
        invitation_only=invitation_only,
        reminder_days_before=days,
        actor_label=audit.COMMAND_LINE,
    )
    db.session.commit()


def checked_in(registration, part, by=ORGANISER):
    attendance.check_in(registration, part, by=by)
    db.session.commit()
    return registration


def happening_today(event):
    """The event moved to today in its own zone, same wall-clock times: check-in of every part is
    open (it opens at 00:00 on the part's day and stays open after the part), whatever the hour
    the test runs."""
    today = utcnow().astimezone(event.zone).date()
    first = min(part.local_start.date() for part in event.parts)
    for part in event.parts:
        shift = timedelta(days=(today - first).days)
        start, end = part.local_start, part.local_end
        part.starts_at = datetime.combine(start.date() + shift, start.time(), event.zone)
        part.ends_at = datetime.combine(end.date() + shift, end.time(), event.zone)
    db.session.commit()
    return event


def under_way(event):
    """Every part of the event started within the last two hours and ends within two: check-in
    open and the event not over, whatever the hour the test runs (``happening_today`` keeps the
    wall-clock times, so after the last part the event is over)."""
    now = utcnow()
    for n, part in enumerate(event.parts):
        part.starts_at = now - timedelta(hours=2) + timedelta(minutes=10 * n)
        part.ends_at = now + timedelta(hours=1) + timedelta(minutes=10 * n)
    db.session.commit()
    return event


# --- printed documents --------------------------------------------------------------------------

LANDSCAPE, PORTRAIT = "landscape", "portrait"


def page_sizes(data: bytes) -> list[str]:
    """Each page of a PDF: landscape (wider than high) or portrait."""
    reader = PdfReader(io.BytesIO(data))
    return [
        LANDSCAPE if page.mediabox.width > page.mediabox.height else PORTRAIT
        for page in reader.pages
    ]


def ended_part(event, label: str, hours_ago: int = 1):
    """Moves the part named ``label`` so that it ended ``hours_ago`` hours ago (same length);
    the other parts stay where they are."""
    part = next(p for p in event.parts if p.label == label)
    length = part.ends_at - part.starts_at
    part.ends_at = utcnow() - timedelta(hours=hours_ago)
    part.starts_at = part.ends_at - length
    db.session.commit()
    return part


# --- claims that can be validated (issue 15) ---------------------------------------------------


def checked_person(event: Event, email: str, **kwargs):
    """:func:`person`, whose declared road distance the organiser then checked (typed again):
    a distance absent from the table leaves the claim « à compléter » until then."""
    registration = person(event, email, **kwargs)
    declaration = declarations.declaration_of(registration)
    if declaration is not None and declaration.round_trip_km is not None:
        declarations.check_distance(registration, declaration.round_trip_km, ORGANISER)
        db.session.commit()
    return registration


# --- the REST API (issue 20) ---------------------------------------------------------------------


def api_token(user, *, write=False, name="CRM") -> str:
    """A new API token of ``user`` (its secret, as the organiser copies it once)."""
    from eventsvc.api import tokens as api_tokens

    created = api_tokens.create(user, name, can_write=write, actor=user)
    db.session.commit()
    return created.secret


def bearer(secret: str, language: str = "fr") -> dict:
    return {"Authorization": f"Bearer {secret}", "Accept-Language": language}


# --- bodies (issue 18) ---------------------------------------------------------------------------


def body_with_members(owner, n, name="Bureau", **settings):
    """A list ``name`` of ``n`` members (« M. Prénom1 Membre01 »...) made a body."""
    from eventsvc.invitations import bodies

    bureau = contact_list(owner, name)
    members = [
        contact(
            owner,
            f"membre{i}@example.org",
            first=f"Prénom{i}",
            last=f"Membre{i:02d}",
            lists=[bureau],
        )
        for i in range(1, n + 1)
    ]
    bodies.save_body(bureau, bodies.BodySettings(is_body=True, **settings), actor=owner)
    db.session.commit()
    return bureau, members


def meeting_invited(event, owner, bureau, members):
    """The event made a meeting of ``bureau``, its members invited (each with .path)."""
    from eventsvc.invitations import bodies

    meeting = bodies.set_meeting(event, bodies.body_of(bureau), actor=owner)
    db.session.commit()
    return meeting, invited(event, owner, *members)


class OnePass:
    """A stop signal for the delivery loop that lets exactly one pass run."""

    def __init__(self):
        self.asked = 0

    def is_set(self):
        self.asked += 1
        return self.asked > 1

    def wait(self, _interval):
        return True
