"""The registrations page: counts, filters, sorting, paging; adding, editing, cancelling and
confirming registrations through the registration services."""

import re
from datetime import time

import pytest
from sqlalchemy import select

from eventsvc.audit.models import AuditEvent
from eventsvc.extensions import db
from eventsvc.registrations import operations as service
from eventsvc.registrations import queries as listing
from eventsvc.registrations.models import Registration, RegistrationStatus

from .factories import command, csrf_token, post_form


@pytest.fixture
def app_config(app_config):
    return {**app_config, "DASHBOARD_PAGE_SIZE": 3}


def sign_up(event, n, **overrides):
    result = service.register(event, command(n, **overrides), locale="fr")
    db.session.commit()
    return result.registration


@pytest.fixture
def crowd(organiser_client):
    """Three full days, a morning, an afternoon, both parts leaving at 12:15, one waitlisted for
    the afternoon, one cancelled."""
    event = organiser_client.event
    event.parts[1].capacity = 5
    db.session.commit()
    morning, afternoon = (part.id for part in event.parts)
    people = {
        "F1": sign_up(event, 1, first_name="Anne", last_name="Morvan", organisation="Métropole"),
        "F2": sign_up(event, 2, first_name="Paul", last_name="Le Gall", organisation="CCAS"),
        "F3": sign_up(event, 3, first_name="Nadia", last_name="Benali", organisation="Mairie"),
        "M1": sign_up(
            event,
            4,
            first_name="Sophie",
            last_name="Durand",
            full_day=False,
            part_ids=[morning],
            comment="Présente seulement le matin.",
        ),
        "C1": sign_up(
            event, 5, first_name="Claire", last_name="Guillou", full_day=False, part_ids=[morning]
        ),
        "A1": sign_up(
            event,
            6,
            first_name="Yann",
            last_name="Kergoat",
            full_day=False,
            part_ids=[afternoon],
            organisation="Maison de quartier des Lilas",
        ),
        "B1": sign_up(
            event,
            7,
            first_name="Louise",
            last_name="Le Bras",
            full_day=False,
            part_ids=[morning, afternoon],
            departure_time=time(12, 15),
        ),
        "A2": sign_up(
            event,
            8,
            first_name="Théo",
            last_name="Quéré",
            full_day=False,
            part_ids=[afternoon],
            comment="<script>alert('x')</script>",
        ),
    }
    service.cancel(people["C1"])
    db.session.commit()
    assert people["A2"].status == RegistrationStatus.WAITLISTED
    return people


def names(client, **args):
    html = client.get(f"/dashboard/events/{client.event.id}/registrations", query_string=args)
    assert html.status_code == 200
    rows = re.findall(
        r'<a class="name" href="[^"]*/registrations/\d+">([^<]+)</a>', html.get_data(as_text=True)
    )
    return [row.strip() for row in rows]


def test_counts_per_status_part_and_lunch(app, organiser_client, crowd):
    event = organiser_client.event
    counts = listing.counts(event)
    assert counts.by_status == {"confirmed": 6, "waitlisted": 1, "cancelled": 1}
    morning, afternoon = (part.id for part in event.parts)
    assert counts.confirmed_per_part == {morning: 5, afternoon: 5}
    assert counts.waitlisted_per_part == {morning: 0, afternoon: 1}
    assert counts.lunches == {event.days[0]: 3}  # the full days; Louise leaves at 12:15

    html = organiser_client.get(f"/dashboard/events/{event.id}/registrations").get_data(True)
    tiles = re.findall(r'<span class="count">(\d+)</span> ([^<]+?)\s*(?:<|$)', html, re.M)
    assert ("6", "confirmées") in tiles and ("1", "en liste d'attente") in tiles
    assert ("1", "annulées") in tiles and ("3", "déjeuners") in tiles


def test_filters(app, organiser_client, crowd):
    client = organiser_client
    morning, afternoon = (part.id for part in client.event.parts)
    assert names(client, status="waitlisted") == ["Quéré Théo"]
    assert names(client, status="cancelled") == ["Guillou Claire"]
    assert names(client, part=str(afternoon), status="confirmed", sort="name") == [
        "Benali Nadia",
        "Kergoat Yann",
        "Le Bras Louise",
    ]
    listed = listing.page(
        client.event, listing.Filters(part_id=morning, status="confirmed"), 1, 100
    ).items
    assert {r.last_name for r in listed} == {"Morvan", "Le Gall", "Benali", "Durand", "Le Bras"}
    partial = listing.page(client.event, listing.Filters(attendance="partial"), 1, 100).items
    assert {r.last_name for r in partial} == {"Durand", "Guillou", "Kergoat", "Le Bras", "Quéré"}
    full = listing.page(client.event, listing.Filters(attendance="full"), 1, 100).items
    assert {r.last_name for r in full} == {"Morvan", "Le Gall", "Benali"}
    # Text: in names, organisation, email, comment; case does not matter.
    assert names(client, q="LILAS") == ["Kergoat Yann"]
    assert names(client, q="yann kergoat") == ["Kergoat Yann"]
    assert names(client, q="seulement le matin") == ["Durand Sophie"]
    assert names(client, q="personne3@") == ["Benali Nadia"]
    assert names(client, q="100%_") == []
    # Nonsense in the query string is ignored, not an error.
    assert len(names(client, status="nope", part="x", attendance="?", sort="drop table")) == 3


def test_sorting_and_paging(app, organiser_client, crowd):
    client = organiser_client
    everyone = listing.page(client.event, listing.Filters(sort="name"), 1, 100).items
    assert [r.last_name for r in everyone] == [
        "Benali",
        "Durand",
        "Guillou",
        "Kergoat",
        "Le Bras",
        "Le Gall",
        "Morvan",
        "Quéré",
    ]
    assert names(client, sort="name") == ["Benali Nadia", "Durand Sophie", "Guillou Claire"]
    assert names(client, sort="name", page="3") == ["Morvan Anne", "Quéré Théo"]
    assert names(client, sort="name", order="desc") == ["Quéré Théo", "Morvan Anne", "Le Gall Paul"]
    assert names(client, sort="name", page="99") == ["Morvan Anne", "Quéré Théo"]
    html = client.get(
        f"/dashboard/events/{client.event.id}/registrations", query_string={"sort": "name"}
    ).get_data(as_text=True)
    assert "1 à 3 sur 8 inscriptions" in html and "Page 1 sur 3" in html
    assert 'aria-sort="ascending"' in html
    assert "page=2" in html and "sort=name" in html


def test_what_people_typed_is_shown_as_text(app, organiser_client, crowd):
    html = organiser_client.get(
        f"/dashboard/events/{organiser_client.event.id}/registrations",
        query_string={"status": "waitlisted"},
    ).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html


def test_add_by_hand_outside_the_registration_window(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    event.status = "closed"
    db.session.commit()
    url = f"/dashboard/events/{event.id}/registrations/new"
    morning = event.parts[0].id
    page = client.get(url).get_data(as_text=True)
    assert "si elle arrive après le début" in page  # the organiser fills it for someone else
    assert "si vous arrivez" not in page
    response = post_form(
        client,
        url,
        {
            "first_name": "Bruno",
            "last_name": "Caradec",
            "organisation": "Commune de Plouexemple",
            "email": " Mairie@Plouexemple.example.org ",
            "locale": "en",
            "full_day": "no",
            "parts": [str(morning)],
            "arrival_time": "10:00",
            "comment": "Inscrit par téléphone",
        },
    )
    assert response.status_code == 303
    registration = db.session.scalar(select(Registration))
    assert registration.status == "confirmed" and registration.locale == "en"
    assert registration.email == "Mairie@plouexemple.example.org"
    assert [p.id for p in registration.chosen_parts] == [morning]
    assert registration.arrival_time == time(10)
    entry = db.session.scalar(select(AuditEvent))
    assert entry.action == "registration.added" and entry.registration_id == registration.id

    again = post_form(
        client,
        url,
        {
            "first_name": "B",
            "last_name": "C",
            "email": "mairie@plouexemple.example.org",
            "full_day": "yes",
            "locale": "fr",
        },
    )
    assert again.status_code == 200
    assert "Cette personne est déjà inscrite" in again.get_data(as_text=True)
    assert 'id="email-error"' in again.get_data(as_text=True)


def test_edit_a_registration(app, organiser_client, crowd):
    client, event = organiser_client, organiser_client.event
    afternoon = event.parts[1].id
    anne = crowd["F1"]
    url = f"/dashboard/events/{event.id}/registrations/{anne.id}"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Anne"' in page and "personne1@example.org" in page
    assert 'name="email"' not in page
    response = post_form(
        client,
        url,
        {
            "first_name": "Anne",
            "last_name": "MORVAN-LE ROUX",
            "organisation": "Métropole",
            "full_day": "no",
            "parts": [str(afternoon)],
            "arrival_time": "14:30",
            "comment": "Le matin, conseil municipal.",
        },
    )
    assert response.status_code == 303
    db.session.refresh(anne)
    assert anne.last_name == "MORVAN-LE ROUX" and not anne.full_day
    assert [p.id for p in anne.chosen_parts] == [afternoon] and anne.arrival_time == time(14, 30)
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "registration.updated"))
    assert entry.details["changes"]["last_name"] == ["Morvan", "MORVAN-LE ROUX"]
    assert entry.details["changes"]["full_day"] == [True, False]
    history = client.get(url).get_data(as_text=True)  # its history, as sentences
    assert "Inscription de Anne MORVAN-LE ROUX modifiée : " in history
    assert "nom : Morvan → MORVAN-LE ROUX" in history and "toute la journée : oui → non" in history


def test_edit_refused_when_the_part_asked_for_is_full(app, organiser_client, crowd):
    client, event = organiser_client, organiser_client.event
    sophie = crowd["M1"]
    response = post_form(
        client,
        f"/dashboard/events/{event.id}/registrations/{sophie.id}",
        {"first_name": "Sophie", "last_name": "Durand", "full_day": "yes", "comment": ""},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Plus de place pour : Après-midi" in html and 'id="parts-error"' in html
    db.session.refresh(sophie)
    assert not sophie.full_day


def test_cancel_gives_the_place_to_the_waiting_list(app, organiser_client, crowd):
    client, event = organiser_client, organiser_client.event
    yann, theo = crowd["A1"], crowd["A2"]
    url = f"/dashboard/events/{event.id}/registrations/{yann.id}/cancel"
    assert "sera annulée" in client.get(url).get_data(as_text=True)
    response = post_form(client, url, {})
    assert response.status_code == 303
    db.session.refresh(yann)
    db.session.refresh(theo)
    assert yann.status == "cancelled" and theo.status == "confirmed"
    logged = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert logged == ["registration.cancelled", "registration.promoted"]
    flashed = client.get(f"/dashboard/events/{event.id}/registrations").get_data(as_text=True)
    assert "Théo Quéré quitte la liste d&#39;attente" in flashed


def test_confirm_from_the_waiting_list_even_over_capacity(app, organiser_client, crowd):
    client, event = organiser_client, organiser_client.event
    theo = crowd["A2"]
    token = csrf_token(client, f"/dashboard/events/{event.id}/registrations")
    response = client.post(
        f"/dashboard/events/{event.id}/registrations/{theo.id}/confirm",
        data={"csrf_token": token, "next": "https://evil.example/"},
    )
    assert response.status_code == 303
    assert response.headers["Location"] == f"/dashboard/events/{event.id}/registrations"
    db.session.refresh(theo)
    assert theo.status == "confirmed"
    assert (
        listing.part_counts(event)[event.parts[1].id] == 6
    )  # over the 5 places: the organiser's call
