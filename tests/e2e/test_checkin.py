"""The check-in page on a 360 px phone: log in, search a name, tap it, see it present; a tap that
does not reach the server stays visible as « non enregistré » until retried; switching part by its
link switches heading, band and taps at once (with and without JavaScript); before opening the
page says when and offers no tap; axe-core finds no serious or critical violation. Screenshots at
360 and 1280 px go to /tmp/shots-checkin/ (for a person to look at)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsvc.attendance.models import CheckIn
from eventsvc.extensions import db

from ..factories import happening_today, participant
from .browser import axe_violations, fits_the_screen, log_in

SHOTS = Path("/tmp/shots-checkin")


@pytest.fixture
def day(app, make_event, make_organiser):
    """A study day taking place today (check-in open), three people signed up."""
    event = happening_today(make_event())
    user = make_organiser(events=[event])
    people = [
        participant(event, 1, last="Durand", first="Anne", organisation="Mairie de Dinan-Exemple"),
        participant(event, 2, last="Éloi", first="Zoé"),
        participant(event, 3, last="Le Bras", first="Louise"),
    ]
    return event, user, people


def check_ins() -> list[tuple[int, int]]:
    db.session.rollback()
    return [(c.registration_id, c.part_id) for c in db.session.scalars(select(CheckIn))]


def test_search_and_tap_on_a_phone(live_server, open_tab, day):
    event, user, (anne, _zoe, _louise) = day
    tab = open_tab()
    page = tab.page
    log_in(page, live_server, user)
    page.goto(f"{live_server}/dashboard/events/{event.id}/checkin?part={event.parts[0].id}")
    expect(page.get_by_role("link", name=re.compile("^▶? ?Matin"))).to_have_attribute(
        "aria-current", "page"
    )
    assert fits_the_screen(page)

    page.get_by_role("searchbox", name="Rechercher un nom").press_sequentially("dur")
    rows = page.locator(".desk-row:visible")
    expect(rows).to_have_count(1)
    button = page.get_by_role("button", name=re.compile("DURAND Anne"))
    expect(button).to_have_attribute("aria-pressed", "false")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_contain_text("Présent·e")
    expect(page.locator("#desk-status")).to_have_text("Anne Durand pointé·e présent·e — Matin")
    expect(page.locator("#desk-present")).to_have_text("1")
    assert check_ins() == [(anne.id, event.parts[0].id)]
    assert fits_the_screen(page)

    # Saved for real: a reload shows it, and a second tap undoes it.
    page.reload()
    button = page.get_by_role("button", name=re.compile("DURAND Anne"))
    expect(button).to_have_attribute("aria-pressed", "true")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(page.locator("#desk-present")).to_have_text("0")
    assert check_ins() == []
    assert tab.complaints == []


def test_a_tap_that_does_not_reach_the_server_is_shown_and_retried(live_server, open_tab, day):
    event, user, (_anne, zoe, _louise) = day
    tab = open_tab()
    page = tab.page
    log_in(page, live_server, user)
    page.goto(f"{live_server}/dashboard/events/{event.id}/checkin?part={event.parts[0].id}")
    page.route("**/checkin.json", lambda route: route.abort("internetdisconnected"))
    button = page.get_by_role("button", name=re.compile("ÉLOI Zoé"))
    button.click()
    row = page.locator(f"#r{zoe.id}")
    expect(row).to_contain_text("non enregistré — Matin")
    retry = row.get_by_role("button", name=re.compile("^Réessayer"))
    expect(retry).to_be_visible()
    assert check_ins() == []

    page.unroute("**/checkin.json")
    retry.click()
    expect(row).not_to_contain_text("non enregistré")
    expect(button).to_have_attribute("aria-pressed", "true")
    assert check_ins() == [(zoe.id, event.parts[0].id)]
    assert [c for c in tab.complaints if "ERR_INTERNET_DISCONNECTED" not in c] == []


def test_walk_in_added_with_javascript(live_server, open_tab, day):
    event, user, _people = day
    tab = open_tab()
    page = tab.page
    log_in(page, live_server, user)
    page.goto(f"{live_server}/dashboard/events/{event.id}/checkin")
    page.get_by_text("Ajouter une personne non inscrite").click()
    page.get_by_role("textbox", name="Prénom", exact=True).fill("Nadia")
    page.get_by_role("textbox", name="Nom", exact=True).fill("Benali")
    page.get_by_role("button", name="Ajouter et marquer présent·e").click()
    button = page.get_by_role("button", name=re.compile("BENALI Nadia"))
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_contain_text("sur place")
    # Between DURAND and ÉLOI, in alphabetical order.
    names = page.locator(".desk-name strong").all_inner_texts()
    assert names == ["BENALI", "DURAND", "ÉLOI", "LE BRAS"]
    assert len(check_ins()) == 1
    assert tab.complaints == []


def test_the_check_in_page_without_javascript(live_server, open_tab, day):
    event, user, (_anne, _zoe, louise) = day
    tab = open_tab(javascript=False)
    page = tab.page
    log_in(page, live_server, user)
    page.goto(f"{live_server}/dashboard/events/{event.id}/checkin?part={event.parts[0].id}")
    page.get_by_role("searchbox", name="Rechercher un nom").fill("bras")
    page.get_by_role("button", name="Rechercher", exact=True).click()
    expect(page.locator(".desk-row")).to_have_count(1)
    page.get_by_role("button", name=re.compile("LE BRAS Louise")).click()
    expect(page.get_by_role("status").first).to_contain_text(
        "Louise Le Bras pointé·e présent·e — Matin"
    )
    expect(page.get_by_role("button", name=re.compile("LE BRAS Louise"))).to_have_attribute(
        "aria-pressed", "true"
    )
    assert check_ins() == [(louise.id, event.parts[0].id)]


def test_the_check_in_page_has_no_serious_accessibility_violation(live_server, open_tab, day):
    event, user, (anne, _zoe, _louise) = day
    from eventsvc.attendance import service

    service.check_in(anne, event.parts[0])
    db.session.commit()
    tab = open_tab(bypass_csp=True)  # axe is injected as a script of its own
    page = tab.page
    log_in(page, live_server, user)
    found = {}
    page.goto(f"{live_server}/dashboard/events/{event.id}/checkin")
    found["check-in page"] = axe_violations(page)
    page.get_by_text("Ajouter une personne non inscrite").click()
    found["check-in page, walk-in form open"] = axe_violations(page)
    page.goto(f"{live_server}/dashboard/events/{event.id}/attendance")
    found["attendance page"] = axe_violations(page)
    assert found == {name: [] for name in found}


def heading_and_band(page) -> tuple[str, str]:
    band = page.locator(".desk-band")
    return page.locator("h1").inner_text(), band.get_attribute("class")


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_switching_part_switches_the_page_and_the_taps_at_once(
    live_server, open_tab, day, javascript
):
    event, user, (anne, _zoe, _louise) = day
    morning, afternoon = event.parts
    tab = open_tab(javascript=javascript)
    page = tab.page
    log_in(page, live_server, user)
    page.goto(f"{live_server}/dashboard/events/{event.id}/checkin?part={morning.id}")
    title, band = heading_and_band(page)
    assert title.startswith("Accueil : Matin — ") and "part-colour-0" in band

    # One tap on the afternoon's link: heading, band and current link change at once.
    page.get_by_role("link", name=re.compile("Après-midi")).click()
    expect(page.locator("h1")).to_contain_text("Accueil : Après-midi — ")
    title, band = heading_and_band(page)
    assert "part-colour-1" in band
    expect(page.get_by_role("link", name=re.compile("Après-midi"))).to_have_attribute(
        "aria-current", "page"
    )
    expect(page.get_by_role("link", name=re.compile("Matin"))).not_to_have_attribute(
        "aria-current", "page"
    )
    assert fits_the_screen(page)

    # The next tap goes to the afternoon, and its confirmation says so.
    page.get_by_role("button", name=re.compile("DURAND Anne")).click()
    expected = "Anne Durand pointé·e présent·e — Après-midi"
    status = page.locator("#desk-status") if javascript else page.get_by_role("status").first
    expect(status).to_contain_text(expected)
    expect(page.get_by_role("button", name=re.compile("DURAND Anne"))).to_have_attribute(
        "aria-pressed", "true"
    )
    assert check_ins() == [(anne.id, afternoon.id)]
    assert tab.complaints == []


def test_a_queued_tap_keeps_its_part_when_the_part_is_switched(live_server, open_tab, day):
    event, user, (anne, _zoe, _louise) = day
    morning, afternoon = event.parts
    tab = open_tab()
    page = tab.page
    log_in(page, live_server, user)
    page.goto(f"{live_server}/dashboard/events/{event.id}/checkin?part={morning.id}")
    page.route("**/checkin.json", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name=re.compile("DURAND Anne")).click()
    expect(page.locator(f"#r{anne.id}")).to_contain_text("non enregistré — Matin")
    assert check_ins() == []
    page.unroute("**/checkin.json")
    # Switching to the afternoon (leaving the page asks first: accepted here) sends the queued
    # tap with its own part, the morning, and says so.
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("link", name=re.compile("Après-midi")).click()
    expect(page.locator("h1")).to_contain_text("Accueil : Après-midi — ")
    expect(page.locator("#desk-status")).to_have_text("Anne Durand pointé·e présent·e — Matin")
    assert check_ins() == [(anne.id, morning.id)]
    assert [c for c in tab.complaints if "ERR_INTERNET_DISCONNECTED" not in c] == []


@pytest.mark.parametrize("javascript", [True, False], ids=["with JavaScript", "without"])
def test_before_opening_the_page_says_when_and_has_no_tap(
    live_server, open_tab, make_event, make_organiser, javascript
):
    event = make_event(slug="plus-tard")  # in two weeks
    user = make_organiser("plus-tard@example.org", events=[event])
    participant(event, 1, last="Durand", first="Anne")
    tab = open_tab(javascript=javascript)
    page = tab.page
    log_in(page, live_server, user)
    page.goto(f"{live_server}/dashboard/events/{event.id}/checkin?part={event.parts[0].id}")
    expect(page.locator(".desk-not-open")).to_contain_text(
        re.compile(r"L'accueil de la partie « Matin » ouvre le \S+ \d+ \S+ à 00 h 00\.")
    )
    expect(page.locator(".desk-tap")).to_have_count(0)
    expect(page.get_by_role("button", name=re.compile("DURAND"))).to_have_count(0)
    assert fits_the_screen(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"checkin-not-open-360-js-{javascript}.png"))
    assert tab.complaints == []


def test_screenshots_of_the_check_in_page(live_server, browser, day):
    """For a person to look at: /tmp/shots-checkin/*.png at 360 and 1280 px."""
    event, user, (anne, _zoe, _louise) = day
    from eventsvc.attendance import service

    service.check_in(anne, event.parts[1])
    db.session.commit()
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, height in ((360, 740), (1280, 800)):
        context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
        try:
            page = context.new_page()
            log_in(page, live_server, user)
            for part in event.parts:
                page.goto(f"{live_server}/dashboard/events/{event.id}/checkin?part={part.id}")
                assert fits_the_screen(page)
                page.screenshot(path=str(SHOTS / f"checkin-{part.position}-{width}.png"))
        finally:
            context.close()
