"""Sign up on a phone, with and without JavaScript, and check the pages with axe-core."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from eventsvc.demo import create_demo_event
from eventsvc.extensions import db

from .browser import axe_violations, field, fits_the_screen


@pytest.fixture
def demo_event(app):
    event, _ = create_demo_event()
    db.session.commit()
    return event


@pytest.mark.parametrize("javascript", [True, False], ids=["javascript", "no-javascript"])
def test_sign_up_for_the_afternoon_on_a_phone(live_server, open_tab, demo_event, javascript):
    tab = open_tab(javascript=javascript)
    page = tab.page
    page.goto(f"{live_server}/e/{demo_event.slug}")
    expect(page.get_by_role("heading", level=1)).to_have_text(demo_event.title)
    assert fits_the_screen(page)

    field(page, "Prénom").fill("Nadia")
    field(page, "Nom").fill("Benali")
    field(page, "Organisation").fill("Mairie de Dinan-Exemple")
    field(page, "Adresse électronique").fill("nadia;benali@mairie.example.org")
    page.get_by_role("button", name="Je m'inscris").click()

    # Back on the form: the message sits next to the field, tied to it for screen readers, and
    # focus lands on the summary that announces the errors.
    email = field(page, "Adresse électronique")
    error = page.locator("#email-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("« ; »")
    expect(email).to_have_attribute("aria-invalid", "true")
    described_by = email.get_attribute("aria-describedby").split()
    assert "email-error" in described_by
    expect(email).to_have_accessible_description(re.compile("« ; »"))
    summary = page.locator("#form-errors")
    expect(summary).to_have_attribute("role", "alert")
    expect(summary).to_be_focused()
    expect(field(page, "Prénom")).to_have_value("Nadia")
    expect(email).to_have_value("nadia;benali@mairie.example.org")
    assert fits_the_screen(page)

    email.fill("nadia.benali@mairie.example.org")
    page.get_by_role("radio", name="Non, seulement une partie").check()
    page.get_by_role("checkbox", name=re.compile(r"^Après-midi")).check()
    field(page, "Commentaire (facultatif)").fill(
        "Permanence d'accueil le matin, je viendrai l'après-midi."
    )
    page.get_by_role("button", name="Je m'inscris").click()

    expect(page).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]{43}$"))
    expect(page.get_by_role("status")).to_contain_text("Votre inscription est confirmée")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Nadia Benali")
    expect(facts).to_contain_text("Une partie de la journée")
    expect(facts).to_contain_text("Après-midi (14:00–17:00)")
    expect(facts).not_to_contain_text("Matin")
    expect(facts).to_contain_text("Permanence d'accueil le matin, je viendrai l'après-midi.")
    assert fits_the_screen(page)
    assert tab.complaints == []  # no CSP violation, no script error


def test_public_pages_have_no_serious_accessibility_violation(live_server, open_tab, demo_event):
    # axe is injected as a script of its own: the page's CSP (rightly) refuses it, so this
    # context bypasses CSP; the sign-up test above runs under the real policy.
    tab = open_tab(bypass_csp=True)
    page = tab.page
    found = {}

    page.goto(f"{live_server}/e/{demo_event.slug}")
    found["event page"] = axe_violations(page)

    field(page, "Adresse électronique").fill("lucas.bernard@@agence.example.org")
    page.get_by_role("button", name="Je m'inscris").click()
    expect(page.locator("#form-errors")).to_be_visible()
    found["form with errors"] = axe_violations(page)

    field(page, "Prénom").fill("Lucas")
    field(page, "Nom").fill("Bernard")
    field(page, "Adresse électronique").fill("lucas.bernard@agence.example.org")
    page.get_by_role("radio", name="Oui, toute la journée").check()
    page.get_by_role("button", name="Je m'inscris").click()
    expect(page).to_have_url(re.compile(r"/r/"))
    found["confirmation page"] = axe_violations(page)

    page.goto(f"{live_server}/e/{demo_event.slug}?lang=en")
    found["event page in English"] = axe_violations(page)

    response = page.goto(f"{live_server}/nowhere")
    assert response.status == 404
    found["404 page"] = axe_violations(page)

    assert found == {name: [] for name in found}
