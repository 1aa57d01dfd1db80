"""What participants see, in Chromium: the sign-up form of a scale without childcare on a phone,
the personal page coming back at a refused field, and screenshots of the three pages at 360 px
and 1280 px (under /tmp/shots-participant/, for a person to look at)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from eventsvc.demo import create_demo_event
from eventsvc.extensions import db

from .browser import field, fits_the_screen

SHOTS = Path("/tmp/shots-participant")


@pytest.fixture
def demo_event(app):
    """The demo study day: its scale is « fp » (travel and meals, no childcare)."""
    event, _ = create_demo_event()
    db.session.commit()
    return event


def sign_up(page, live_server, slug, first="Nadia", email="nadia.benali@mairie.example.org"):
    page.goto(f"{live_server}/e/{slug}")
    field(page, "Prénom").fill(first)
    field(page, "Nom").fill("Benali")
    field(page, "Adresse électronique").fill(email)
    page.get_by_role("radio", name="Oui, toute la journée").check()
    page.get_by_role("button", name="Je m'inscris").click()
    expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]{43}$"))


def test_the_phone_form_asks_no_childcare_when_the_scale_pays_none(
    live_server, open_tab, demo_event
):
    tab = open_tab()
    page = tab.page
    page.goto(f"{live_server}/e/{demo_event.slug}")
    costs = page.get_by_role("group", name="Vos frais (facultatif)")
    expect(costs).to_be_visible()
    expect(costs).to_contain_text(
        "Les organisateurs indemnisent : le transport en commun, les kilomètres en voiture"
    )
    expect(costs).not_to_contain_text("garde")
    expect(page.get_by_role("group", name=re.compile("garder un enfant"))).to_have_count(0)
    expect(page.get_by_role("textbox", name=re.compile("Heures de garde"))).to_have_count(0)
    expect(field(page, "Puissance fiscale de la voiture (CV)")).to_be_visible()
    assert fits_the_screen(page)
    assert tab.complaints == []


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_a_refused_declaration_comes_back_at_its_field(
    live_server, open_tab, demo_event, javascript
):
    tab = open_tab(javascript=javascript)
    page = tab.page
    sign_up(page, live_server, demo_event.slug, email=f"nadia.{javascript}@mairie.example.org")

    costs = page.locator("#frais")
    costs.get_by_role("textbox", name="D'où venez-vous ?").fill("Broons-Exemple")
    costs.get_by_role("radio", name="En voiture, je conduis").check()
    page.get_by_role("button", name="Enregistrer ma déclaration de frais").click()

    expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]{43}/declaration#frais$"))
    horsepower = field(page, "Puissance fiscale de la voiture (CV)")
    # The page comes back at the refused field (its block is the #frais anchor); where scripts
    # run, the field also has the focus (browsers skip autofocus when the address has a target).
    expect(page.locator("#frais")).to_contain_text("Puissance fiscale")
    expect(horsepower).to_be_in_viewport()
    if javascript:
        expect(horsepower).to_be_focused()
    expect(horsepower).to_have_attribute("aria-invalid", "true")
    expect(horsepower).to_have_accessible_description(re.compile("puissance fiscale"))
    expect(page.locator("#travel-fiscal_horsepower-error")).to_be_in_viewport()
    expect(page.get_by_role("heading", level=1)).not_to_be_in_viewport()
    assert fits_the_screen(page)
    assert tab.complaints == []


def test_screenshots_of_the_participant_pages(live_server, browser, demo_event):
    SHOTS.mkdir(exist_ok=True)
    for width, height in ((360, 740), (1280, 900)):
        context = browser.new_context(
            viewport={"width": width, "height": height}, locale="fr-FR", device_scale_factor=1
        )
        page = context.new_page()
        try:
            page.goto(f"{live_server}/e/{demo_event.slug}")
            page.screenshot(path=SHOTS / f"public-{width}.png", full_page=True)
            sign_up(page, live_server, demo_event.slug, email=f"shot{width}@example.org")
            page.screenshot(path=SHOTS / f"confirmation-{width}.png", full_page=True)
            page.locator("#frais").get_by_role("radio", name="En voiture, je conduis").check()
            page.get_by_role("button", name="Enregistrer ma déclaration de frais").click()
            expect(field(page, "Puissance fiscale de la voiture (CV)")).to_be_focused()
            page.evaluate("window.scrollBy(0, -40)")  # the label above the field, in the shot
            page.screenshot(path=SHOTS / f"personal-error-{width}.png")
            page.screenshot(path=SHOTS / f"personal-{width}.png", full_page=True)
            assert page.evaluate("document.documentElement.scrollWidth") <= width
        finally:
            context.close()
