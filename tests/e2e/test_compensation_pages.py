"""The organiser's compensation pages in a real Chromium: no script or style refused by the CSP,
no serious accessibility violation (axe-core), usable on a phone."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

from playwright.sync_api import expect

from ..factories import (
    ORGANISER_PASSWORD,
    driver,
    import_example_table,
    move_to_the_past,
    person,
    study_day,
)
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


def test_claims_wait_for_the_event_and_validating_all_leaves_what_is_to_complete(
    live_server, open_tab, app, make_organiser
):
    import_example_table()
    event = study_day(date.today() + timedelta(days=14), "a-venir")
    make_organiser("alice@example.org", events=[event])
    # Anne's commune is in the table (priced); Yann's is not (« à compléter »).
    person(event, "anne@example.org", declared=driver(km=None))
    yann = driver(km="290", origin="Brest")
    person(event, "yann@example.org", first="Yann", last="Kergoat", declared=yann)

    # Before the event: the page says when claims open, with no button that would be refused.
    tab = open_tab()
    page = tab.page
    log_in(page, live_server)
    url = f"{live_server}/dashboard/events/{event.id}/compensation"
    page.goto(url)
    expect(page.locator("#claims-open")).to_contain_text(
        "Les indemnités pourront être calculées après la fin de la partie « Matin »"
    )
    expect(page.locator("#claims-open")).to_contain_text("à 12 h 30")
    expect(page.get_by_role("button", name="Calculer ou recalculer les indemnités")).to_have_count(
        0
    )
    expect(
        page.get_by_role("button", name="Valider toutes les indemnités possibles")
    ).to_have_count(0)

    # After it: computed; validating all leaves Yann's claim, with the reason.
    move_to_the_past(event)
    page.goto(url)
    page.get_by_role("button", name="Calculer ou recalculer les indemnités").click()
    expect(page.get_by_text("2 indemnités calculées.")).to_be_visible()
    page.goto(url)
    expect(page.locator("#to-complete-count")).to_contain_text("1 indemnité à compléter")
    shots = Path("/tmp/shots-claims")
    shots.mkdir(exist_ok=True)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(shots / f"claims-{width}.png"), full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    page.set_viewport_size({"width": 360, "height": 740})
    page.get_by_role("checkbox", name=re.compile("J'ai vérifié les points")).check()
    page.get_by_role("button", name="Valider toutes les indemnités possibles").click()
    expect(page.get_by_text("1 indemnité validée.")).to_be_visible()
    expect(page.get_by_text("1 indemnité à compléter laissée de côté")).to_be_visible()
    expect(page.get_by_text("L'indemnité de Yann Kergoat est à compléter")).to_be_visible()
    row = page.get_by_role("row", name=re.compile("Yann Kergoat"))
    expect(row).to_contain_text("À compléter")
    expect(page.get_by_role("row", name=re.compile("Anne Morvan"))).to_contain_text("Validée")
    page.screenshot(path=str(shots / "claims-after-validate-360.png"), full_page=True)
    assert tab.complaints == []
