"""Badges and table cards (issue 17): A4 sheets of 10 labels with the check-in code's QR code,
read back from the rendered PDF (Ghostscript to PNG, then zbarimg), and folded table cards; for
everyone confirmed or a selection; organiser only."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import current_app

from eventsvc.common import tokens
from eventsvc.extensions import db
from eventsvc.registrations.models import RegistrationStatus

from .factories import (
    LANDSCAPE,
    ORGANISER_PASSWORD,
    PORTRAIT,
    login,
    page_sizes,
    participant,
    pdf_text,
)
from .qr_reading import pdf_pages_as_png, zbar_all

SHOTS = Path("/tmp/shots-badges")  # pages drawn, for a person to look at


def code_of(registration) -> str:
    return tokens.checkin_code(
        registration.event_id, registration.id, current_app.config["SECRET_KEY"]
    )


@pytest.fixture
def twelve(organiser_client):
    event = organiser_client.event
    people = [
        participant(event, n, last=f"Nom{n:02d}", first="Camille", organisation=f"Asso {n}")
        for n in range(1, 13)
    ]
    return organiser_client, event, people


def test_badges_of_everyone_confirmed(twelve, tmp_path):
    client, event, people = twelve
    people[0].status = RegistrationStatus.CANCELLED
    db.session.commit()
    answer = client.get(f"/dashboard/events/{event.id}/badges.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert "badges-atelier.pdf" in answer.headers["Content-Disposition"]
    pages, lines = pdf_text(answer.data)
    assert pages == 2  # 11 people, 10 per sheet
    assert page_sizes(answer.data) == [PORTRAIT, PORTRAIT]
    text = "\n".join(lines)
    assert "NOM02" in text and "Asso 2" in text and "NOM01" not in text
    first, second = pdf_pages_as_png(answer.data, tmp_path)
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "badges-page-1.png").write_bytes(first)
    read = zbar_all(first, tmp_path)
    assert sorted(read) == sorted(code_of(p) for p in people[1:11])
    assert zbar_all(second, tmp_path) == [code_of(people[11])]


def test_badges_and_table_cards_of_a_selection(twelve, make_event, tmp_path):
    client, event, people = twelve
    stranger = participant(make_event(slug="autre"), 1, last="Ailleurs")
    chosen = [people[2].id, people[5].id, stranger.id]
    query = "&".join(f"r={i}" for i in chosen) + "&r=nope"
    answer = client.get(f"/dashboard/events/{event.id}/badges.pdf?{query}")
    assert answer.status_code == 200
    pages, _lines = pdf_text(answer.data)
    assert pages == 1
    [page] = pdf_pages_as_png(answer.data, tmp_path)
    assert sorted(zbar_all(page, tmp_path)) == sorted([code_of(people[2]), code_of(people[5])])

    cards = client.get(f"/dashboard/events/{event.id}/table-cards.pdf?{query}")
    assert cards.status_code == 200
    assert page_sizes(cards.data) == [LANDSCAPE, LANDSCAPE]
    _pages, lines = pdf_text(cards.data)
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "table-card.png").write_bytes(pdf_pages_as_png(cards.data, tmp_path / "cards")[0])
    assert "\n".join(lines).count("NOM03") == 2  # both halves of the fold

    only_strangers = client.get(f"/dashboard/events/{event.id}/badges.pdf?r={stranger.id}")
    assert only_strangers.status_code == 404


def test_the_attendance_page_offers_them(twelve):
    client, event, people = twelve
    html = client.get(f"/dashboard/events/{event.id}/attendance").get_data(as_text=True)
    assert f"/dashboard/events/{event.id}/badges.pdf" in html
    assert f"/dashboard/events/{event.id}/table-cards.pdf" in html
    assert f'name="r" value="{people[0].id}"' in html


def test_another_organiser_gets_404(app, twelve, make_event, make_organiser):
    _client, event, _people = twelve
    make_organiser("bob@example.org", events=[make_event(slug="bob")])
    bob = app.test_client()
    login(bob, "bob@example.org", ORGANISER_PASSWORD)
    assert bob.get(f"/dashboard/events/{event.id}/badges.pdf").status_code == 404
    assert bob.get(f"/dashboard/events/{event.id}/table-cards.pdf").status_code == 404
