"""The organiser's compensation pages in a real Chromium: no script or style refused by the CSP,
no serious accessibility violation (axe-core), usable on a phone."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from ..factories import ORGANISER_PASSWORD, driver, import_example_table, person, study_day
from .browser import axe_violations


def log_in(page, live_server):
    page.goto(f"{live_server}/login")
    page.locator("#email").fill("alice@example.org")
    page.locator("#password").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/dashboard/"))


def test_the_compensation_pages_in_a_browser(live_server, open_tab, app, make_organiser, tmp_path):
    import_example_table()
    event = study_day(date(2024, 5, 2), "mai")
    make_organiser("alice@example.org", events=[event])
    person(event, "anne@example.org", declared=driver(km=None))
    person(event, "yann@example.org", first="Yann", last="Kergoat", declared=driver(km="90"))

    # Under the real CSP: every action of the flow, and nothing refused by the browser.
    tab = open_tab()
    page = tab.page
    log_in(page, live_server)
    page.goto(f"{live_server}/dashboard/events/{event.id}/compensation")
    page.get_by_role("button", name="Calculer ou recalculer les indemnités").click()
    expect(page.get_by_text("2 indemnités calculées.")).to_be_visible()
    page.get_by_role("link", name="Voir les indemnités").click()
    page.get_by_role("link", name="Yann Kergoat").click()
    expect(
        page.get_by_role("heading", name=re.compile("Indemnité de Yann Kergoat"))
    ).to_be_visible()
    page.get_by_role("link", name=re.compile("^Corriger")).first.click()
    page.get_by_role("button", name="Corriger la ligne").click()
    expect(page.locator("#form-errors")).to_be_visible()
    page.get_by_role("textbox", name="Raison de la correction").fill("Trajet vérifié")
    page.get_by_role("button", name="Corriger la ligne").click()
    expect(page.get_by_text("Ligne corrigée.")).to_be_visible()
    page.get_by_role("checkbox", name=re.compile("J'ai vérifié les points")).check()
    page.get_by_role("button", name="Valider cette indemnité").click()
    expect(page.get_by_text("lecture seule")).to_be_visible()
    page.screenshot(path=str(tmp_path / "claim.png"), full_page=True)
    assert tab.complaints == []

    # axe-core is injected as a script of its own, so this tab bypasses the CSP.
    checked = open_tab(bypass_csp=True)
    page = checked.page
    log_in(page, live_server)
    found = {}
    base = f"{live_server}/dashboard/events/{event.id}/compensation"
    for name, url in {
        "claims": base,
        "distances": f"{live_server}/dashboard/compensation/distances",
        "batches": f"{live_server}/dashboard/compensation/batches",
    }.items():
        page.goto(url)
        found[name] = axe_violations(page)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), name
    page.goto(base)
    page.get_by_role("link", name="Anne Morvan").click()
    found["claim"] = axe_violations(page)
    page.get_by_role("link", name="Historique de l'année").click()
    found["history"] = axe_violations(page)
    page.goto(f"{live_server}/dashboard/compensation/batches")
    page.locator("#name").fill("2024 T2")
    page.locator("#start").fill("2024-04-01")
    page.locator("#end").fill("2024-06-30")
    page.get_by_role("button", name="Créer le lot").click()
    expect(page.get_by_role("heading", name="Lot 2024 T2")).to_be_visible()
    found["batch"] = axe_violations(page)
    assert found == {name: [] for name in found}
