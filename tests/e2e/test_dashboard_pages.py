"""The organiser's pages with axe-core: login, event list, event page, registrations table, and
the public privacy notice and erasure pages."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from eventsvc.auth import service as auth
from eventsvc.demo import create_demo_event
from eventsvc.extensions import db
from eventsvc.registrations import operations as registrations

from ..factories import ORGANISER_PASSWORD, command
from .browser import axe_violations

ORGANISER = "organisatrice@example.org"


@pytest.fixture
def organised_event(app):
    """The demo event, organised by ORGANISER, with people signed up (one with a comment)."""
    event, _ = create_demo_event()
    user = auth.create_user(ORGANISER, ORGANISER_PASSWORD, name="Claire Organisatrice")
    event.organisers.append(user)
    db.session.flush()
    results = [
        registrations.register(event, command(n, comment="Arrivée en train"), locale="fr")
        for n in range(3)
    ]
    db.session.commit()
    return event, results[0].token


def test_dashboard_pages_have_no_serious_accessibility_violation(
    live_server, open_tab, organised_event
):
    event, _ = organised_event
    tab = open_tab(bypass_csp=True)  # axe is injected as a script of its own (see public pages)
    page = tab.page
    found = {}

    page.goto(f"{live_server}/login")
    found["login page"] = axe_violations(page)
    page.get_by_label("Adresse électronique").fill(ORGANISER)
    page.get_by_label("Mot de passe").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/dashboard/?$"))
    found["event list"] = axe_violations(page)

    page.goto(f"{live_server}/dashboard/events/{event.id}")
    found["event page"] = axe_violations(page)

    page.goto(f"{live_server}/dashboard/events/{event.id}/registrations")
    expect(page.locator("table.registrations")).to_be_visible()
    found["registrations table"] = axe_violations(page)

    page.goto(f"{live_server}/dashboard/events/{event.id}/registrations?lang=en")
    found["registrations table in English"] = axe_violations(page)

    assert found == {name: [] for name in found}


def test_privacy_and_erasure_pages_have_no_serious_accessibility_violation(
    live_server, open_tab, organised_event
):
    _, token = organised_event
    tab = open_tab(bypass_csp=True)
    page = tab.page
    found = {}
    page.goto(f"{live_server}/confidentialite")
    found["privacy notice"] = axe_violations(page)
    page.goto(f"{live_server}/accessibilite")
    found["accessibility statement"] = axe_violations(page)
    page.goto(f"{live_server}/r/{token}")
    found["personal page"] = axe_violations(page)
    page.get_by_role("link", name="Effacer mon inscription…").click()
    found["erasure confirmation"] = axe_violations(page)
    page.get_by_role("button", name="Oui, effacer mon inscription").click()
    expect(page.locator(".notice-success")).to_contain_text("données personnelles sont effacées")
    found["after erasure"] = axe_violations(page)
    assert found == {name: [] for name in found}
