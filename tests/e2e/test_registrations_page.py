"""The registrations page in Chromium with a realistic event (the sample sign-ups and people with
long names, addresses and comments): no sideways scrolling at 360 px nor at 1280 px, details
opened on a phone still fit, and a bulk cancellation on a phone (checked rows, confirmation page,
report, the emails and audit lines of one by one). Screenshots go to /tmp/shots-regs/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsvc.audit.models import AuditEvent
from eventsvc.extensions import db
from eventsvc.mail.outbox import OutboxMessage
from eventsvc.registrations import operations as registrations
from eventsvc.registrations.models import Registration

from ..factories import ORGANISER_PASSWORD, command, sample_rows
from .browser import axe_violations, fits_the_screen
from .conftest import PHONE

SHOTS = Path("/tmp/shots-regs")
DESKTOP = {"width": 1280, "height": 900}
LONG_COMMENT = (
    "Je viendrai avec deux collègues du service jeunesse de la communauté de communes, "
    "nous partirons vers 15h30 pour attraper le dernier car vers Plouexemple-sur-Rance ; "
    "merci de prévoir un repas végétarien et un accès pour fauteuil roulant."
)


@pytest.fixture
def busy_event(app, make_event, make_organiser):
    """Forty people: the sample file's (with a valid address), then long names and addresses;
    24 places, so the last ones wait."""
    event = make_event(capacity=24, title="Journée d'étude « Inclusion numérique et territoires »")
    user = make_organiser(events=[event])
    morning, afternoon = (part.id for part in event.parts)
    n = 0
    for row in sample_rows():
        n += 1
        email = row["Courriel"].strip()
        if ";" in email or "@@" in email or "ç" in email:
            email = f"personne{n}@example.org"
        if email.casefold() in {r.email_key for r in db.session.scalars(select(Registration))}:
            continue
        full = row["Je serai présent.e toute la journée"] == "Oui"
        registrations.register(
            event,
            command(
                n,
                first_name=row["Prénom"],
                last_name=row["NOM"],
                organisation=row["Organisation"],
                email=email,
                full_day=full,
                part_ids=[] if full else [morning],
                comment=row["Commentaire libre"],
            ),
            locale="fr",
        )
    while n < 40:
        n += 1
        registrations.register(
            event,
            command(
                n,
                first_name="Marie-Christine-Bérénice",
                last_name=f"de La Tour d'Auvergne-Lauragais-Kerguélen {n}",
                organisation="Fédération départementale des centres sociaux et socioculturels",
                email=f"marie-christine.delatourdauvergnelauragais{n}@communaute-de-communes"
                "-du-pays-de-plouexemple.example.org",
                full_day=n % 3 != 0,
                part_ids=[] if n % 3 != 0 else [afternoon],
                comment=LONG_COMMENT,
            ),
            locale="fr",
        )
    db.session.commit()
    return event, user


def log_in(page, live_server, user):
    page.goto(f"{live_server}/login")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/dashboard/"))


def desktop_tab(browser):
    context = browser.new_context(viewport=DESKTOP, locale="fr-FR")
    context.set_default_timeout(10_000)
    return context, context.new_page()


def test_the_table_fits_at_1280_and_360_px(live_server, browser, open_tab, busy_event):
    event, user = busy_event
    SHOTS.mkdir(parents=True, exist_ok=True)
    url = f"{live_server}/dashboard/events/{event.id}/registrations"
    context, page = desktop_tab(browser)
    try:
        log_in(page, live_server, user)
        page.goto(url)
        everyone = len(db.session.scalars(select(Registration)).all())
        assert everyone > 35
        expect(page.locator("table.registrations tbody tr")).to_have_count(everyone)
        assert fits_the_screen(page)
        for header in ("Personne", "Présence", "Statut", "Inscription", "Actions"):
            box = page.get_by_role("columnheader", name=header).bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= DESKTOP["width"], header
        page.locator("table.registrations details summary").nth(3).click()
        assert fits_the_screen(page)
        page.screenshot(path=str(SHOTS / "registrations-1280.png"), full_page=False)
    finally:
        context.close()

    page = open_tab().page
    assert page.viewport_size == PHONE
    log_in(page, live_server, user)
    page.goto(url)
    assert fits_the_screen(page)
    page.screenshot(path=str(SHOTS / "registrations-360.png"), full_page=False)
    page.locator("form.bulk").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "registrations-360-table.png"), full_page=False)
    page.locator("table.registrations details summary").nth(30).click()
    expect(page.get_by_role("button", name=re.compile("Renvoyer la confirmation"))).to_be_visible()
    assert fits_the_screen(page)
    page.screenshot(path=str(SHOTS / "registrations-360-details.png"), full_page=False)


def test_bulk_cancel_on_a_phone(live_server, open_tab, busy_event):
    event, user = busy_event
    page = open_tab(bypass_csp=True).page  # axe is injected as a script of its own
    log_in(page, live_server, user)
    page.goto(f"{live_server}/dashboard/events/{event.id}/registrations?sort=name")
    page.locator("table.registrations details summary").first.click()
    found = {"registrations": axe_violations(page)}
    names = ("Caradec Bruno", "Delmas Françoise")
    for name in names:
        page.get_by_role("checkbox", name=f"Cocher {name.split()[1]} {name.split()[0]}").check()
    page.get_by_label("Action groupée").select_option("cancel")
    page.get_by_role("button", name="Appliquer aux inscriptions cochées").click()

    expect(page.get_by_role("heading", name="Annuler des inscriptions")).to_be_visible()
    expect(page.locator(".notice-warning")).to_contain_text("2 inscriptions seront annulées")
    assert fits_the_screen(page)
    found["bulk confirmation"] = axe_violations(page)
    assert found == {"registrations": [], "bulk confirmation": []}
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "bulk-confirm-360.png"), full_page=True)
    db.session.rollback()
    assert not db.session.scalars(
        select(Registration).where(Registration.status == "cancelled")
    ).all()

    page.get_by_role("button", name="Annuler ces 2 inscriptions").click()
    expect(page.locator(".notice-success")).to_contain_text("2 inscriptions annulées.")
    assert fits_the_screen(page)
    page.screenshot(path=str(SHOTS / "bulk-done-360.png"), full_page=False)

    db.session.rollback()
    cancelled = db.session.scalars(
        select(Registration).where(Registration.status == "cancelled")
    ).all()
    assert sorted(f"{r.last_name} {r.first_name}" for r in cancelled) == sorted(names)
    for registration in cancelled:
        assert db.session.scalar(
            select(OutboxMessage).where(
                OutboxMessage.key.startswith(f"cancelled:{registration.public_id}:")
            )
        )
    lines = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor_id == user.id)
    ).all()
    assert lines.count("registration.cancelled") == 2 and lines.count("registrations.bulk") == 1
    # Two places freed: the first two of the waiting list are confirmed, with their email.
    assert lines.count("registration.promoted") == 2
