"""The organiser's event list (dashboard home): upcoming and past events apart, a search by title
that ignores case and accents on every database, and how full each event is, counted in one
grouped query."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from types import SimpleNamespace

import pytest
from sqlalchemy import event as sqlalchemy_event

from eventsvc.events import rules
from eventsvc.extensions import db

from .factories import ORGANISER_PASSWORD, login, move_to_the_past, new_event, participant

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def dated(start_hours: float | None, length_hours: float = 3):
    if start_hours is None:
        return SimpleNamespace(starts_at=None, ends_at=None)
    start = NOW + timedelta(hours=start_hours)
    return SimpleNamespace(starts_at=start, ends_at=start + timedelta(hours=length_hours))


# --- rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "query", "found"),
    [
        ("Journée d'étude Été", "journee", True),
        ("Journée d'étude Été", "ÉTÉ JOURNÉE", True),
        ("Journée d'étude Été", "ete etude", True),
        ("Cœur de ville", "coeur", True),
        ("Atelier mobilités", "mobilite", True),
        ("Atelier mobilités", "mobilités transport", False),
        ("Atelier mobilités", "", True),
        ("Atelier mobilités", "   ", True),
        ("Forum", "forums", False),
    ],
)
def test_a_title_matches_every_word_searched_whatever_case_and_accents(title, query, found):
    assert rules.title_matches(title, query) is found


def test_search_key_folds_case_accents_and_ligatures():
    assert rules.search_key("ÉLÉONORE Œuvre Straße") == "eleonore oeuvre strasse"


def test_upcoming_and_in_progress_come_first_the_soonest_first_past_the_latest_first():
    in_progress = dated(-1)
    tomorrow, next_week, no_date = dated(24), dated(24 * 7), dated(None)
    yesterday, last_month = dated(-24), dated(-24 * 30)
    coming, past = rules.upcoming_first(
        [last_month, next_week, no_date, yesterday, tomorrow, in_progress], NOW
    )
    assert coming == [in_progress, tomorrow, next_week, no_date]
    assert past == [yesterday, last_month]


def test_an_event_is_past_once_its_last_part_has_ended():
    assert rules.is_past(dated(-3), NOW)  # ended exactly now
    assert not rules.is_past(dated(-2), NOW)
    assert not rules.is_past(dated(None), NOW)


@pytest.mark.parametrize(
    ("confirmed", "capacity", "percent", "full"),
    [(42, 60, 70, False), (59, 60, 98, False), (60, 60, 100, True), (3, 2, 100, True)],
)
def test_fill_rate(confirmed, capacity, percent, full):
    fill = rules.Fill(confirmed=confirmed, capacity=capacity)
    assert (fill.percent, fill.full) == (percent, full)


def test_without_capacity_there_is_no_rate():
    fill = rules.Fill(confirmed=12, capacity=None, waitlisted=0)
    assert (fill.percent, fill.full) == (None, False)


# --- the page ----------------------------------------------------------------------------------


@pytest.fixture
def organiser(client, make_organiser):
    """Logged in; owns a full upcoming study day with a waiting list, an unlimited one, and a
    past one."""
    full = new_event("mobilites", capacity=2, title="Atelier « Mobilités » d'été")
    unlimited = new_event("forum", title="Forum des associations")
    past = new_event("bilan", capacity=60, title="Journée bilan ÉTÉ 2025")
    for n in range(3):
        participant(full, n)
    participant(unlimited, 10)
    participant(past, 20)
    move_to_the_past(past)
    make_organiser("orga@example.org", events=[full, unlimited, past])
    login(client, "orga@example.org", ORGANISER_PASSWORD)
    return SimpleNamespace(full=full, unlimited=unlimited, past=past)


def sections(html: str) -> dict[str, str]:
    """The text of each section of the list, by its heading, tags stripped."""
    found = {}
    for match in re.finditer(r"<section[^>]*>\s*<h2[^>]*>(.*?)</h2>(.*?)</section>", html, re.S):
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(2)))
        found[match.group(1)] = unescape(text).replace(" )", ")").replace("( ", "(")
    return found


def test_upcoming_and_past_events_are_listed_apart_with_their_fill_rate(client, organiser):
    html = client.get("/dashboard/").get_data(as_text=True)
    listed = sections(html)
    upcoming, past = listed["À venir et en cours"], listed["Passés"]
    assert "Mobilités" in upcoming and "Forum des associations" in upcoming
    assert "Journée bilan" in past and "Journée bilan" not in upcoming
    assert "2 / 2 places (100 %)" in upcoming
    waiting = re.findall(r'data-label="Liste d(?:&#39;|.)attente" class="num">(\d+)</td>', html)
    assert sorted(waiting) == ["0", "0", "1"]  # the third person waits for « Mobilités »
    assert "1 confirmée · sans limite" in upcoming
    assert "1 / 60 places (1 %)" in past
    assert '<meter class="fill" min="0" max="2" value="2"' in html


def test_the_search_works_without_javascript_ignoring_case_and_accents(client, organiser):
    html = client.get("/dashboard/").get_data(as_text=True)
    assert re.search(r'<form method="get" action="/dashboard/" role="search"', html)
    assert 'name="q"' in html

    found = client.get("/dashboard/?q=ETE").get_data(as_text=True)
    assert "Mobilités" in found and "Journée bilan" in found
    assert "Forum des associations" not in found
    assert "2 événements dont le titre contient « ETE »." in found
    assert 'value="ETE"' in found

    found = client.get("/dashboard/?q=mobilites+ete").get_data(as_text=True)
    assert "Mobilités" in found and "Journée bilan" not in found

    none = client.get("/dashboard/?q=congr%C3%A8s").get_data(as_text=True)
    assert "Aucun événement dont le titre contient « congrès »." in none
    assert "Aucun événement à venir." in none


def test_the_search_is_escaped_and_bounded(client, organiser):
    response = client.get("/dashboard/?q=" + "<b>x</b>" * 100)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html


def test_the_counts_of_every_event_are_read_in_one_query(client, organiser, make_event):
    def statements_of_the_list() -> int:
        seen = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)
            assert "registration_parts" not in statement

        sqlalchemy_event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert client.get("/dashboard/").status_code == 200
        finally:
            sqlalchemy_event.remove(db.engine, "before_cursor_execute", count)
        return len([statement for statement in seen if statement.lstrip().startswith("SELECT")])

    with_three = statements_of_the_list()
    user = organiser.full.organisers[0]
    for n in range(5):
        extra = new_event(f"extra-{n}", capacity=10)
        participant(extra, 100 + n)
        extra.organisers.append(user)
    db.session.commit()
    assert statements_of_the_list() == with_three


def test_the_list_in_english(client, organiser):
    html = client.get("/dashboard/?lang=en").get_data(as_text=True)
    assert "Upcoming and in progress" in html
    assert "2 / 2 places" in html
    assert "1 confirmed · no limit" in html
