"""A member of a body gives their pouvoir on the reply slip, on a 360 px phone under the real
CSP: excused first, then another member chosen from the list, then revoked (issue 18)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from eventsvc.extensions import db
from eventsvc.invitations import queries

from ..factories import body_with_members, meeting_invited
from .browser import axe_violations, fits_the_screen


@pytest.fixture
def reply_url(app, make_event, make_organiser, live_server):
    event = make_event(title="Réunion du bureau de l'Association des maires")
    owner = make_organiser(events=[event])
    bureau, members = body_with_members(owner, 4, name="Bureau de l'Association des maires")
    _meeting, sent = meeting_invited(event, owner, bureau, members)
    db.session.commit()
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
