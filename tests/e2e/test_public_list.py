"""The public list (``/``) and a draft's preview in Chromium: nothing scrolls sideways at 360 and
1280 px (the full-page screenshot is exactly as wide as the screen), no serious axe-core
violation, and the preview's form cannot be used."""

from __future__ import annotations

import os
import re
import struct
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from eventsvc.events.models import EventStatus
from eventsvc.extensions import db

from ..factories import ORGANISER_PASSWORD, new_event, new_organiser, participant
from .browser import axe_violations, fits_the_screen

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}
ORGANISER = "claire.martin-dubois@communaute-de-communes-exemple.example.fr"


@pytest.fixture
def events(app):
    """Long titles and communes, a full event with its waiting list, one without limit, a
    draft with its organiser."""
    full = new_event(
        "journee-inclusion-numerique",
        title="Journée d'étude : l'inclusion numérique dans les territoires ruraux et périurbains",
        capacity=2,
    )
    full.venue_commune = "Saint-Jacut-de-la-Mer-Exemple-sur-Rance-Maritime"
    for n in range(3):
        participant(full, n)
    long_word = new_event(
        "atelier", title="Atelier-participatif-sur-l'accessibilité-des-démarches-administratives"
    )
    for part in long_word.parts:
        part.ends_at += timedelta(days=1)
    new_event("forum", title="Forum", capacity=40)
    draft = new_event("brouillon", title="Atelier en préparation", status=EventStatus.DRAFT)
    new_organiser(ORGANISER, events=[draft])
    db.session.commit()
    return draft


def log_in(page, live_server) -> None:
    page.goto(f"{live_server}/login")
    page.locator("#email").fill(ORGANISER)
    page.locator("#password").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/dashboard/"))


def png_width(path) -> int:
    with open(path, "rb") as handle:
        return struct.unpack(">I", handle.read(24)[16:20])[0]


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["360px", "1280px"])
def test_the_list_fits_the_screen(live_server, browser, events, screen, tmp_path):
    context = browser.new_context(viewport=screen, locale="fr-FR")
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto(f"{live_server}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Événements à venir")
        expect(page.get_by_role("heading", level=2)).to_have_count(3)
        expect(page.get_by_role("listitem")).to_have_count(3)
        expect(page.locator("main")).to_contain_text("complet — liste d'attente")
        assert fits_the_screen(page)
        shots = os.environ.get("EVENTSVC_LAYOUT_SHOTS") or str(tmp_path)
        shot = os.path.join(shots, f"public-list-{screen['width']}.png")
        page.screenshot(path=shot, full_page=True)
        assert png_width(shot) == screen["width"]
        page.goto(f"{live_server}/?lang=en")
        expect(page.get_by_role("heading", level=1)).to_have_text("Upcoming events")
        assert fits_the_screen(page)
    finally:
        context.close()


def test_the_list_and_the_preview_have_no_serious_accessibility_violation(
    live_server, open_tab, events
):
    tab = open_tab(bypass_csp=True)
    page = tab.page
    found = {}
    page.goto(f"{live_server}/")
    found["list"] = axe_violations(page)
    log_in(page, live_server)
    page.goto(f"{live_server}/e/brouillon")
    found["preview"] = axe_violations(page)
    assert found == {"list": [], "preview": []}


def test_the_organiser_sees_the_preview_with_the_form_disabled(live_server, open_tab, events):
    tab = open_tab()
    page = tab.page
    assert page.goto(f"{live_server}/e/brouillon").status == 404
    tab.complaints.clear()  # the browser logs that 404
    log_in(page, live_server)
    page.goto(f"{live_server}/dashboard/events/{events.id}")
    page.get_by_role("link", name="Aperçu de la page publique").click()
    expect(page.locator(".preview-banner")).to_contain_text("Aperçu avant publication")
    expect(page.get_by_role("button", name="Je m'inscris")).to_be_disabled()
    expect(page.get_by_role("textbox", name="Prénom", exact=True)).to_be_disabled()
    assert fits_the_screen(page)
    assert tab.complaints == []
