"""The invitation reply page on a phone, under the real CSP, and checked with axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsvc.common.validation import check_email
from eventsvc.extensions import db
from eventsvc.invitations import contacts, queries, sending

from .browser import axe_violations, field, fits_the_screen


@pytest.fixture
def reply_url(app, make_event, make_organiser, live_server):
    event = make_event(title="Réunion du réseau Culture")
    owner = make_organiser(events=[event])
    contact = contacts.save_contact(
        owner,
        contacts.ContactData(
            civility="Mme",
            first_name="Claire",
            last_name="Martin",
            function="Adjointe à la culture",
            organisation="Plouër-Exemple",
            email=check_email("claire.martin@plouer.example.fr"),
        ),
    )
    [invitation] = sending.send_invitations(event, sending.plan_invitations(event, [contact]))
    db.session.commit()
    return f"{live_server}/i/{queries.invitation_token(invitation)}"


def test_decline_with_a_message_on_a_phone(open_tab, reply_url):
    tab = open_tab()
    page = tab.page
    page.goto(reply_url + "#excuse")
    expect(
        page.get_by_text("Mme Claire Martin — Adjointe à la culture, Plouër-Exemple")
    ).to_be_visible()
    assert fits_the_screen(page)
    page.get_by_role("textbox", name="Message pour l'organisateur (facultatif)").fill(
        "Retenue par le conseil municipal"
    )
    page.get_by_role("button", name="Je ne pourrai pas participer").click()
    expect(page.get_by_text("Votre réponse : vous serez excusé·e.")).to_be_visible()
    assert tab.complaints == []


def test_the_reply_page_has_no_serious_accessibility_violation(open_tab, reply_url):
    tab = open_tab(bypass_csp=True)
    page = tab.page
    found = {}
    page.goto(reply_url)
    found["reply page"] = axe_violations(page)
    field(page, "Son adresse électronique").fill("pas-une-adresse")
    page.get_by_role("button", name="Envoyer").click()
    expect(page.locator("#rep_email-error, .has-error").first).to_be_visible()
    found["representative with errors"] = axe_violations(page)
    page.goto(reply_url + "/desinscription")
    found["unsubscribe page"] = axe_violations(page)
    assert found == {name: [] for name in found}
