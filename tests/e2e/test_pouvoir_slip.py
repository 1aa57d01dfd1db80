"""A member of a body gives their pouvoir on the reply slip, on a 360 px phone under the real
CSP: excused first, then another member chosen from the list, then revoked (issue 18)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from eventsvc.extensions import db
from eventsvc.invitations import queries

from ..factories import ORGANISER_PASSWORD, body_with_members, meeting_invited
from .browser import axe_violations, fits_the_screen


@pytest.fixture
def meeting(app, make_event, make_organiser, live_server):
    event = make_event(title="Réunion du bureau de l'Association des maires")
    owner = make_organiser(events=[event])
    bureau, members = body_with_members(owner, 4, name="Bureau de l'Association des maires")
    _meeting, sent = meeting_invited(event, owner, bureau, members)
    db.session.commit()
    return event, owner, bureau, sent


@pytest.fixture
def reply_url(meeting, live_server):
    sent = meeting[3]
    return f"{live_server}/i/{queries.invitation_token(sent[0])}"


def test_an_excused_member_gives_and_revokes_a_pouvoir_on_a_phone(open_tab, reply_url):
    tab = open_tab()
    page = tab.page
    page.goto(reply_url + "#excuse")
    page.get_by_role("button", name="Je ne pourrai pas participer").click()
    expect(page.get_by_text("Votre réponse : vous serez excusé·e.")).to_be_visible()
    holder = page.get_by_label("Je donne pouvoir à")
    expect(holder).to_be_visible()
    # Nothing chosen: the message next to the list, in French.
    page.get_by_role("button", name="Donner pouvoir", exact=True).click()
    expect(page.locator("#holder-error")).to_have_text("Choisissez un membre dans la liste.")
    page.get_by_label("Je donne pouvoir à").select_option(label="Mme Prénom3 Membre03 (Maire)")
    page.get_by_role("button", name="Donner pouvoir", exact=True).click()
    expect(page.get_by_text("Vous avez donné pouvoir à Mme Prénom3 Membre03.")).to_be_visible()
    assert fits_the_screen(page)
    page.get_by_role("button", name="Révoquer mon pouvoir").click()
    expect(page.get_by_text("Votre pouvoir est révoqué.")).to_be_visible()
    assert tab.complaints == []


def test_the_pouvoir_section_has_no_serious_accessibility_violation(open_tab, reply_url):
    tab = open_tab(bypass_csp=True)
    page = tab.page
    page.goto(reply_url + "#excuse")
    page.get_by_role("button", name="Je ne pourrai pas participer").click()
    page.get_by_role("button", name="Donner pouvoir", exact=True).click()
    expect(page.locator("#holder-error")).to_be_visible()
    assert axe_violations(page) == []


def test_the_organisers_body_pages_have_no_serious_accessibility_violation(
    open_tab, meeting, reply_url, live_server
):
    event, owner, bureau, sent = meeting
    tab = open_tab(bypass_csp=True)
    page = tab.page
    page.goto(reply_url + "#excuse")
    page.get_by_role("button", name="Je ne pourrai pas participer").click()
    page.get_by_label("Je donne pouvoir à").select_option(label="Mme Prénom2 Membre02 (Maire)")
    page.get_by_role("button", name="Donner pouvoir", exact=True).click()
    page.goto(f"{live_server}/login")
    page.get_by_label("Adresse électronique").fill(owner.email)
    page.get_by_label("Mot de passe").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/dashboard/?$"))
    found = {}
    pages = {
        "body settings": f"/dashboard/contacts/lists/{bureau.id}/body",
        "member": f"/dashboard/contacts/lists/{bureau.id}/members/{sent[1].contact_id}",
        "meeting": f"/dashboard/events/{event.id}/meeting",
        "minutes": f"/dashboard/events/{event.id}/minutes",
    }
    for name, path in pages.items():
        page.goto(live_server + path)
        found[name] = axe_violations(page)
        assert fits_the_screen(page), name
    page.goto(f"{live_server}/dashboard/events/{event.id}/meeting")
    expect(page.get_by_text("Mme Prénom1 Membre01").first).to_be_visible()
    expect(page.locator("#quorum")).to_contain_text(
        "0 présents sur 4 en exercice — quorum non atteint (3 requis)"
    )
    assert found == {name: [] for name in found}
