"""The public list of open events (``/``), its iCalendar feed, and the preview of a draft's page
for its organisers only (issue 16)."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import icalendar
import pytest
from sqlalchemy import event as sqlalchemy_event

from eventsvc.database import utcnow
from eventsvc.events import rules
from eventsvc.events.models import EventStatus
from eventsvc.extensions import db

from .calendar_checks import assert_valid_itip
from .factories import (
    ORGANISER_PASSWORD,
    csrf_token,
    login,
    move_to_the_past,
    new_event,
    new_organiser,
    participant,
    registrations,
    valid,
)


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def listed_titles(client, url="/") -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    heading = r'<h2 id="event-\d+-title"><a href="[^"]+">([^<]+)</a></h2>'
    return re.findall(heading, text_of(response))


def later(event, days: int) -> None:
    for part in event.parts:
        part.starts_at += timedelta(days=days)
        part.ends_at += timedelta(days=days)
    db.session.commit()


@pytest.fixture
def season(app):
    """What an instance holds: two open events (the later one created first), and one of each
    kind that must never be listed."""
    later_one = new_event("forum", title="Forum des associations", capacity=3)
    later(later_one, 7)
    soon = new_event("atelier", title="Atelier participatif")
    new_event("brouillon", title="Brouillon secret", status=EventStatus.DRAFT)
    new_event("invites", title="Conseil sur invitation", invitation_only=True)
    new_event("annule", title="Réunion annulée", status=EventStatus.CANCELLED)
    new_event("ferme", title="Réunion close", status=EventStatus.CLOSED)
    new_event("trop-tard", title="Inscriptions terminées", registration_closes_at=utcnow())
    new_event(
        "pas-encore",
        title="Inscriptions pas encore ouvertes",
        registration_opens_at=utcnow() + timedelta(days=2),
    )
    move_to_the_past(new_event("passe", title="Journée passée"))
    return soon, later_one


def test_the_list_shows_the_open_events_the_soonest_first_and_nothing_else(client, season):
    assert listed_titles(client) == ["Atelier participatif", "Forum des associations"]
    html = text_of(client.get("/"))
    assert '<a href="/e/atelier">Atelier participatif</a>' in html
    assert "Dinan-Exemple" in html
    for hidden in ("Brouillon", "invitation", "annulée", "close", "terminées", "pas encore"):
        assert hidden not in html.split("<main")[1], hidden
    assert "Journée passée" not in html


def test_the_dates_are_in_french_and_in_the_event_zone(client, season):
    soon, later_one = season
    html = text_of(client.get("/"))
    day = soon.parts[0].local_start.date()
    assert f" {day.day} " in html
    two_days = new_event("deux-jours", title="Séminaire de deux jours")
    two_days.parts[1].starts_at += timedelta(days=1)
    two_days.parts[1].ends_at += timedelta(days=1)
    db.session.commit()
    assert re.search(r"du \w+ \d+ \w+ \d{4} au \w+ \d+ \w+ \d{4}", text_of(client.get("/")))


def test_places_left_full_and_without_limit(client, season):
    soon, forum = season
    participant(forum, 1)
    assert re.search(r"Forum des associations.*?2 places restantes", text_of(client.get("/")), re.S)
    assert re.search(r"Atelier participatif.*?sans limite", text_of(client.get("/")), re.S)
    participant(forum, 2)
    assert re.search(r"Forum des associations.*?1 place restante", text_of(client.get("/")), re.S)
    participant(forum, 3)
    participant(forum, 4)  # on the waiting list
    html = text_of(client.get("/"))
    assert re.search(r"Forum des associations.*?complet — liste d'attente", html, re.S)
    page = text_of(client.get("/e/forum"))
    assert "Complet : les nouvelles inscriptions vont sur liste d'attente." in page


@pytest.mark.parametrize(
    ("event_left", "part_left", "announced"),
    [
        (None, [None, None], None),  # no limit anywhere
        (5, [None, None], 5),
        (0, [None, None], 0),
        (None, [3, None], None),  # the unlimited part still takes anyone
        (None, [3, 7], 7),  # seven more can still come to the afternoon
        (4, [3, 7], 4),
        (None, [0, 0], 0),  # every part full: the waiting list
        (10, [0, 2], 2),
        (None, [], None),
    ],
)
def test_the_places_announced(event_left, part_left, announced):
    assert rules.places_to_announce(event_left, part_left) == announced


def test_places_of_an_event_limited_by_its_parts(client, app):
    event = new_event("ateliers", title="Ateliers en demi-journées", part_capacities=(1, 2))
    afternoon = event.parts[1]
    participant(event, 1)  # the whole day: one place in each part
    html = text_of(client.get("/"))
    assert re.search(r"Ateliers en demi-journées.*?1 place restante", html, re.S)
    participant(event, 2, full_day=False, part_ids=[afternoon.id])
    html = text_of(client.get("/"))
    assert re.search(r"Ateliers en demi-journées.*?complet — liste d'attente", html, re.S)


def test_the_list_in_english(client, season):
    html = text_of(client.get("/?lang=en"))
    assert "Upcoming events" in html
    assert "no limit" in html and "3 places left" in html
    assert 'lang="en"' in html


def test_the_list_is_accessible_markup(client, season):
    html = text_of(client.get("/"))
    assert html.count("<h1>") == 1
    assert '<ul class="event-list">' in html
    assert html.count("<article aria-labelledby=") == 2
    assert '<link rel="alternate" type="text/calendar"' in html
    assert 'href="/evenements.ics"' in html


def test_an_empty_list_says_so(client):
    assert "Aucun événement n'est ouvert aux inscriptions" in text_of(client.get("/"))


def test_the_list_reads_three_statements_whatever_the_number_of_events(client, season):
    def statements() -> int:
        seen = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        sqlalchemy_event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/").status_code == 200
        finally:
            sqlalchemy_event.remove(db.engine, "before_cursor_execute", count)
        return len([s for s in seen if s.lstrip().startswith("SELECT")])

    with_two = statements()
    assert with_two == 3  # the events, their parts, the places taken of all of them
    for n in range(5):
        extra = new_event(f"extra-{n}", capacity=10)
        participant(extra, 100 + n)
    assert statements() == with_two
    for n in range(2):  # limits on parts: each part's confirmed people, in two more
        extra = new_event(f"parts-{n}", part_capacities=(5, None))
        participant(extra, 200 + n)
    with_parts = statements()
    assert with_parts == with_two + 2
    for n in range(2, 6):
        extra = new_event(f"parts-{n}", part_capacities=(5, 8))
        participant(extra, 200 + n, full_day=False, part_ids=[extra.parts[0].id])
    assert statements() == with_parts


def test_the_list_and_its_feed_are_off_with_the_setting(app, client, season):
    app.config["PUBLIC_LIST"] = False  # read on each request, as EVENTSVC_PUBLIC_LIST=false sets it
    assert client.get("/").status_code == 404
    assert client.get("/evenements.ics").status_code == 404
    assert client.get("/e/atelier").status_code == 200


# --- the feed --------------------------------------------------------------------------------


def test_the_feed_has_one_entry_per_part_of_the_listed_events_and_validates(client, season):
    soon, forum = season
    response = client.get("/evenements.ics")
    assert response.status_code == 200
    assert response.mimetype == "text/calendar"
    reading = assert_valid_itip(response.data, "PUBLISH")
    uids = [event["uid"] for event in reading["events"]]
    assert uids == [
        f"part-{part.id}-{event.slug}@eventsvc" for event in (soon, forum) for part in event.parts
    ]
    first = reading["events"][0]
    assert first["summary"] == "Atelier participatif — Matin"
    assert first["location"] == "Salle du conseil, Dinan-Exemple"
    assert first["tzid"] == "Europe/Paris"
    assert first["start"].endswith("T09:30:00")
    assert reading["timezones"] == ["Europe/Paris"]
    parsed = icalendar.Calendar.from_ical(response.data)
    vevents = parsed.walk("VEVENT")
    assert all(vevent["URL"].endswith(("/e/atelier", "/e/forum")) for vevent in vevents)
    assert all("DTSTAMP" in vevent for vevent in vevents)
    assert str(parsed["X-WR-CALNAME"]) == "eventsvc : événements à venir"
    for hidden in ("brouillon", "invites", "annule", "ferme", "trop-tard", "pas-encore", "passe"):
        assert f"-{hidden}@eventsvc".encode() not in response.data


def test_the_feed_uids_are_stable_and_those_of_the_event_calendar(client, season):
    uids = [
        sorted(str(v["UID"]) for v in icalendar.Calendar.from_ical(data).walk("VEVENT"))
        for data in (client.get("/evenements.ics").data, client.get("/evenements.ics").data)
    ]
    assert uids[0] == uids[1]
    own = icalendar.Calendar.from_ical(client.get("/e/atelier.ics").data).walk("VEVENT")
    assert {str(v["UID"]) for v in own} <= set(uids[0])


def test_an_empty_feed_is_still_a_valid_calendar(client):
    assert_valid_itip(client.get("/evenements.ics").data, "PUBLISH")


def test_the_feed_keeps_each_event_in_its_own_zone(client, app):
    event = new_event("reunion-la-reunion", title="Rencontre à Saint-Denis")
    event.timezone = "Indian/Reunion"
    db.session.commit()
    reading = assert_valid_itip(client.get("/evenements.ics").data, "PUBLISH")
    assert {e["tzid"] for e in reading["events"]} == {"Indian/Reunion"}


# --- the preview of a draft ------------------------------------------------------------------


@pytest.fixture
def draft(app):
    event = new_event("brouillon", title="Atelier en préparation", capacity=20)
    event.status = EventStatus.DRAFT
    db.session.commit()
    return event


def logged_in(app, email, events=()):
    user = new_organiser(email, events=events)
    client = app.test_client()
    login(client, user.email, ORGANISER_PASSWORD)
    return client


def test_the_organiser_previews_the_draft_with_the_form_disabled(app, draft):
    client = logged_in(app, "orga@example.org", events=[draft])
    response = client.get("/e/brouillon")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    html = text_of(response)
    assert "Aperçu avant publication" in html
    assert 'class="preview-banner"' in html
    assert '<fieldset class="form-body" disabled' in html
    assert "<h1>Atelier en préparation</h1>" in html
    assert "20 places restantes" in html
    assert '<meta name="robots" content="noindex">' in html
    assert "/e/brouillon.ics" not in html  # no calendar of what is not published
    dashboard = text_of(client.get(f"/dashboard/events/{draft.id}"))
    assert '<a href="/e/brouillon">Aperçu de la page publique</a>' in dashboard


def test_the_preview_in_english(app, draft):
    client = logged_in(app, "orga@example.org", events=[draft])
    html = text_of(client.get("/e/brouillon?lang=en"))
    assert "Preview before publication" in html


def test_nobody_else_sees_the_draft(app, client, draft):
    assert client.get("/e/brouillon").status_code == 404
    other = logged_in(app, "autre@example.org", events=[new_event("autre")])
    assert other.get("/e/brouillon").status_code == 404
    assert other.post("/e/brouillon", data=valid()).status_code == 404
    assert client.post("/e/brouillon", data=valid()).status_code == 404
    assert client.get("/e/brouillon.ics").status_code == 404


def test_a_forced_sign_up_to_the_preview_is_refused(app, draft):
    client = logged_in(app, "orga@example.org", events=[draft])
    token = csrf_token(client, "/e/brouillon")
    response = client.post("/e/brouillon", data={"csrf_token": token, **valid()})
    assert response.status_code == 403
    html = text_of(response)
    assert "Aperçu : l'inscription n'a pas été enregistrée" in html
    assert 'class="preview-banner"' in html
    assert registrations() == []


def test_once_open_the_page_is_the_public_one_again(app, draft):
    client = logged_in(app, "orga@example.org", events=[draft])
    draft.status = EventStatus.OPEN
    db.session.commit()
    html = text_of(client.get("/e/brouillon"))
    assert "Aperçu avant publication" not in html and "disabled" not in html


def test_an_invitation_only_draft_is_previewed_too(app, draft):
    draft.invitation_only = True
    db.session.commit()
    client = logged_in(app, "orga@example.org", events=[draft])
    html = text_of(client.get("/e/brouillon"))
    assert "Aperçu avant publication" in html and "Cet événement est sur invitation." in html
