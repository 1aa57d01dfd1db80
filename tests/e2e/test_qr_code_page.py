"""The personal page's QR code as Chromium draws it, on a phone: a screenshot of the code decodes
(zbarimg) to the person's check-in code (issue 17; the personal link is written out), the page
still fits the screen, the browser complains about nothing (the inline SVG needs no style
attribute, which the Content-Security-Policy forbids)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from eventsvc.common import tokens
from eventsvc.hosts import DEFAULT_BASE_URL

from ..factories import TEST_SECRET, new_event, registrations
from ..qr_reading import zbar
from .browser import field, fits_the_screen


def test_the_personal_page_code_scans_to_the_checkin_code(live_server, open_tab, app, tmp_path):
    new_event(slug="atelier-qr")
    tab = open_tab()
    page = tab.page
    page.goto(f"{live_server}/e/atelier-qr")
    field(page, "Prénom").fill("Nadia")
    field(page, "Nom").fill("Benali")
    field(page, "Adresse électronique").fill("nadia.benali@mairie.example.org")
    page.get_by_role("radio", name="Oui, toute la journée").check()
    page.get_by_role("button", name="Je m'inscris").click()
    expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]{43}$"))

    code = page.get_by_role("img", name="QR code d'accueil")
    expect(code).to_be_visible()
    box = code.bounding_box()
    assert box["width"] >= 150 and box["width"] == box["height"]
    # The live server has no PUBLIC_BASE_URL: links use the default base, the path is the page's.
    link = DEFAULT_BASE_URL + urlsplit(page.url).path
    [registration] = registrations()
    checkin = tokens.checkin_code(registration.event_id, registration.id, TEST_SECRET)
    assert zbar(code.screenshot(), tmp_path) == checkin
    expect(page.locator(".qr .link-text")).to_have_text(checkin)
    expect(page.locator(".hint .link-text")).to_have_text(link)
    assert fits_the_screen(page)
    assert tab.complaints == []
