"""Signing at the welcome desk on a 360 px phone (issue 17): tapping a person opens the pad, a
signature drawn with the mouse and Valider records the check-in and the signature; Annuler records
nothing; the trainer countersigns the part; axe-core finds no serious or critical violation with
the pad open. Screenshots go to /tmp/shots-signatures/ (for a person to look at)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsvc.attendance.models import CheckIn, Signature
from eventsvc.extensions import db

from ..factories import happening_today, participant
from .browser import axe_violations, draw_signature, fits_the_screen, log_in

SHOTS = Path("/tmp/shots-signatures")


@pytest.fixture
def signing_day(app, make_event, make_organiser):
    """A study day today (check-in open) asking participants to sign and the trainer to
    countersign; two people signed up."""
    event = happening_today(make_event())
    event.signature_mode = "participants_and_trainers"
    db.session.commit()
    user = make_organiser(events=[event])
    people = [
        participant(event, 1, last="Durand", first="Anne"),
        participant(event, 2, last="Le Bras", first="Louise"),
    ]
    return event, user, people


def signatures() -> list[Signature]:
    db.session.rollback()
    return list(db.session.scalars(select(Signature).order_by(Signature.id)))


def check_ins() -> list[tuple[int, int]]:
    db.session.rollback()
    return [(c.registration_id, c.part_id) for c in db.session.scalars(select(CheckIn))]


def test_sign_on_a_phone_then_cancel_records_nothing(live_server, open_tab, signing_day):
    event, user, (anne, louise) = signing_day
    morning = event.parts[0]
    tab = open_tab()
    page = tab.page
    log_in(page, live_server, user)
    page.goto(f"{live_server}/dashboard/events/{event.id}/checkin?part={morning.id}")

    # Annuler: nothing recorded, the person still to check in.
    page.get_by_role("button", name=re.compile("LE BRAS Louise")).click()
    dialog = page.locator("#sign-dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("LE BRAS Louise")
    draw_signature(page)
    dialog.get_by_role("button", name="Annuler").click()
    expect(dialog).to_be_hidden()
    assert signatures() == [] and check_ins() == []

    # Valider with nothing drawn: said in the dialog, nothing sent.
    button = page.get_by_role("button", name=re.compile("DURAND Anne"))
    button.click()
    dialog.get_by_role("button", name="Valider").click()
    expect(page.locator("#sign-error")).to_contain_text("vide ou trop courte")
    assert signatures() == []

    # Drawn with the mouse, Effacer, drawn again, Valider: check-in and signature together.
    draw_signature(page)
    dialog.get_by_role("button", name="Effacer").click()
    draw_signature(page)
    assert fits_the_screen(page)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "pad-360.png"))
    dialog.get_by_role("button", name="Valider").click()
    expect(dialog).to_be_hidden()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(button).to_contain_text("a signé")
    expect(page.locator("#desk-present")).to_have_text("1")
    saved = signatures()
    assert [(s.registration_id, s.part_id) for s in saved] == [(anne.id, morning.id)]
    assert len(saved[0].strokes) == 2 and sum(len(s) for s in saved[0].strokes) >= 10
    assert all(0 <= x <= 1 and 0 <= y <= 1 for stroke in saved[0].strokes for x, y, _t in stroke)
    assert check_ins() == [(anne.id, morning.id)]
    assert louise.id not in [s.registration_id for s in saved]
    assert tab.complaints == []


def test_the_trainer_countersigns_and_the_pad_is_accessible(live_server, open_tab, signing_day):
    event, user, _people = signing_day
    morning = event.parts[0]
    tab = open_tab(bypass_csp=True)  # axe-core is injected as an inline script
    page = tab.page
    log_in(page, live_server, user)
    page.goto(f"{live_server}/dashboard/events/{event.id}/checkin?part={morning.id}")
    page.get_by_role("textbox", name="Nom de l'intervenant·e").fill("Paul Formateur")
    page.get_by_role("textbox", name="Fonction").fill("Formateur")
    page.get_by_role("button", name="Contre-signer la partie").click()
    dialog = page.locator("#sign-dialog")
    expect(dialog).to_contain_text("Paul Formateur, Formateur")
    found = {"pad open": axe_violations(page)}
    draw_signature(page)
    dialog.get_by_role("button", name="Valider").click()
    expect(page.locator("#countersign-state")).to_contain_text("contre-signée par Paul Formateur")
    saved = signatures()
    assert [(s.registration_id, s.signer_name, s.signer_role) for s in saved] == [
        (None, "Paul Formateur", "Formateur")
    ]
    found["check-in page with signatures"] = axe_violations(page)
    assert found == {name: [] for name in found}
    assert tab.complaints == []
