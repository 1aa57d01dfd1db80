"""The registrations table's row details show what each person declared of their travel and
childcare; registrations asks compensation through the read it registered at wiring time (it may
not import compensation)."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest

from eventsvc.compensation import declarations
from eventsvc.compensation.declarations import DeclarationInput
from eventsvc.compensation.rules import TransportMode
from eventsvc.database import utcnow
from eventsvc.registrations import declared_travel

from .factories import ORGANISER, ORGANISER_PASSWORD, driver, login, person, study_day


@pytest.fixture
def table(app, make_organiser):
    """A study day in ten days; the organiser's client and the registrations page's address."""
    event = study_day((utcnow() + timedelta(days=10)).date())
    make_organiser("alice@example.org", events=[event])
    client = app.test_client()
    login(client, "alice@example.org", ORGANISER_PASSWORD)
    return client, event, f"/dashboard/events/{event.id}/registrations"


def details_of(html: str, name: str) -> str:
    """The <details> of the row naming ``name``."""
    row = html[html.index(f">{name} ") :]
    row = row[: row.index("</tr>")]
    return re.sub(r"\s+", " ", row[row.index("<details") :])


def test_each_row_details_the_declared_travel_and_childcare(table):
    client, event, url = table
    transit = DeclarationInput(
        origin="Broons-Exemple",
        transport=TransportMode.PUBLIC_TRANSPORT,
        childcare_needed=True,
        childcare_hours=Decimal("2.5"),
        note="Train de 7 h 12",
    )
    person(event, "a@example.org", last="Abel", declared=transit, present=())
    bodin = person(event, "b@example.org", last="Bodin", declared=driver(cv=5, km="84"), present=())
    person(event, "c@example.org", last="Caradec", present=())
    declarations.check_distance(bodin, Decimal(90), ORGANISER)

    html = client.get(url).get_data(as_text=True)
    abel = details_of(html, "Abel")
    assert "<dt>Trajet</dt><dd>En transports en commun (bus, car, train)</dd>" in abel
    assert "<dt>Au départ de</dt><dd>Broons-Exemple</dd>" in abel
    assert "<dt>Billets</dt><dd>montant à saisir d&#39;après les justificatifs</dd>" in abel
    assert "<dt>Garde d&#39;enfants</dt><dd>2,5 h par jour</dd>" in abel
    assert "<dt>Note sur les frais</dt><dd>Train de 7 h 12</dd>" in abel
    bodin_details = details_of(html, "Bodin")
    assert "<dt>Trajet</dt><dd>En voiture, je conduis, 5 CV</dd>" in bodin_details
    assert "90 km, vérifiée par l&#39;organisation" in bodin_details
    assert "Billets" not in bodin_details and "Garde d&#39;enfants" not in bodin_details
    assert "Trajet" not in details_of(html, "Caradec")  # nothing declared: nothing shown

    english = client.get(f"{url}?lang=en").get_data(as_text=True)
    assert "<dt>Tickets</dt><dd>amount to enter from the receipts</dd>" in details_of(
        english, "Abel"
    )


def test_what_a_participant_typed_stays_text(table):
    client, event, url = table
    typed = DeclarationInput(
        origin="<b>Dinan</b>", transport=TransportMode.OTHER, note="<script>x()</script>"
    )
    person(event, "a@example.org", last="Abel", declared=typed, present=())
    html = client.get(url).get_data(as_text=True)
    assert "<script>x()</script>" not in html and "&lt;script&gt;x()&lt;/script&gt;" in html
    assert "&lt;b&gt;Dinan&lt;/b&gt;" in html


def test_the_page_asks_compensation_through_what_it_registered(table, monkeypatch):
    """Registrations may not import compensation: without the registered read, the page fails
    loudly rather than hiding what people declared."""
    _client, event, _url = table
    person(event, "a@example.org", last="Abel", declared=driver(), present=())
    monkeypatch.setattr(declared_travel, "_read", None)
    with pytest.raises(RuntimeError, match="compensation has not registered"):
        declared_travel.declared(event, [1])
