"""The organiser's webhook pages on a phone, under the real CSP, and checked with axe-core."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from ..factories import ORGANISER_PASSWORD
from .browser import axe_violations, fits_the_screen

URL = "https://93.184.215.14/integrations/eventsvc"  # public, written as an address: no DNS


def log_in(page, live_server):
    page.goto(f"{live_server}/login")
    page.locator("#email").fill("alice@example.org")
    page.locator("#password").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/dashboard/"))


def test_adding_an_endpoint_shows_its_secret_then_lists_it(live_server, open_tab, make_organiser):
    make_organiser("alice@example.org")
    tab = open_tab()
    page = tab.page
    log_in(page, live_server)
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_role("link", name="Ajouter un point de réception").click()
    page.get_by_role("textbox", name=re.compile("Adresse")).fill("ftp://example.org/")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.locator("#url-error")).to_contain_text("https://")
    page.get_by_role("textbox", name=re.compile("Adresse")).fill(URL)
    page.get_by_role("checkbox", name="Indemnité validée").uncheck()
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.get_by_text(re.compile(r"whsec_[A-Za-z0-9+/=]{32}"))).to_be_visible()
    assert fits_the_screen(page)
    page.get_by_role("link", name="Retour aux webhooks").click()
    expect(page.get_by_role("link", name=URL)).to_be_visible()
    page.get_by_role("button", name=re.compile("^Désactiver")).click()
    expect(page.get_by_text("Point de réception désactivé.")).to_be_visible()
    page.get_by_role("link", name=URL).click()
    expect(page.get_by_text("Aucun envoi pour l'instant.")).to_be_visible()
    assert tab.complaints == []


def test_the_webhook_pages_have_no_serious_accessibility_violation(
    live_server, open_tab, make_organiser
):
    make_organiser("alice@example.org")
    tab = open_tab(bypass_csp=True)
    page = tab.page
    log_in(page, live_server)
    found = {}
    page.goto(f"{live_server}/dashboard/webhooks/new")
    found["new endpoint"] = axe_violations(page)
    page.get_by_role("button", name="Ajouter", exact=True).click()
    expect(page.locator("#form-errors")).to_be_visible()
    found["new endpoint with errors"] = axe_violations(page)
    page.get_by_role("textbox", name=re.compile("Adresse")).fill(URL)
    page.get_by_role("button", name="Ajouter", exact=True).click()
    found["secret"] = axe_violations(page)
    page.goto(f"{live_server}/dashboard/webhooks")
    found["list"] = axe_violations(page)
    page.get_by_role("link", name=URL).click()
    found["deliveries"] = axe_violations(page)
    assert found == {name: [] for name in found}
