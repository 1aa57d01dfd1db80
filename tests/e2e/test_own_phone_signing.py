"""Signing on one's own phone at 360 px (issue 17): the part's code typed on /emargement, the
email step, the emailed link opening the pad, a signature drawn with the mouse recorded with the
check-in as « own_device »; and at the desk, a signature taken offline
(``context.set_offline(True)``) kept on the tablet and sent when the network returns, with the
time it was taken. Screenshots go to /tmp/shots-own-phone/ (for a person to look at)."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from eventsvc.attendance import own_device
from eventsvc.attendance.models import CheckIn, Signature
from eventsvc.extensions import db
from eventsvc.mail import outbox
from eventsvc.mail.models import OutboxMessage

from ..factories import participant, under_way
from .browser import axe_violations, draw_signature, fits_the_screen, log_in

SHOTS = Path("/tmp/shots-own-phone")


@pytest.fixture
def signing_day(app, make_event, make_organiser):
    """An event under way (own-phone signing open) asking participants to sign."""
    event = under_way(make_event())
    event.signature_mode = "participants"
    db.session.commit()
    user = make_organiser(events=[event])
    anne = participant(event, 1, last="Durand", first="Anne")
    return event, user, anne


def signatures() -> list[Signature]:
    db.session.rollback()
    return list(db.session.scalars(select(Signature).order_by(Signature.id)))


def emailed_path() -> str:
    db.session.rollback()
    row = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    text = message_from_bytes(outbox.composed_bytes(row), policy=policy.default)
    body = text.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"/emargement/[A-Z0-9]{6}/s/[^\s]+", body).group(0)


def test_sign_on_ones_own_phone(live_server, open_tab, signing_day):
    event, _user, anne = signing_day
    morning = event.parts[0]
    code = own_device.code_of(morning)
    SHOTS.mkdir(exist_ok=True)
    tab = open_tab()
    page = tab.page
    page.goto(f"{live_server}/emargement")
    page.get_by_label("Code").fill(code.lower())
    page.get_by_role("button", name="Continuer").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Émargement")
    page.get_by_label("Adresse électronique").fill("personne1@example.org")
    assert fits_the_screen(page)
    page.screenshot(path=str(SHOTS / "email-360.png"), full_page=True)
    page.get_by_role("button", name="Recevoir le lien pour signer").click()
    expect(page.get_by_role("status")).to_contain_text("un courriel vient")

    page.goto(live_server + emailed_path())
    expect(page.locator("#sign-pad")).to_be_visible()
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#sign-error")).to_contain_text("vide ou trop courte")
    draw_signature(page)
    assert fits_the_screen(page)
    page.screenshot(path=str(SHOTS / "pad-360.png"), full_page=True)
    page.get_by_role("button", name="Valider").click()
    expect(page.locator("#sign-done")).to_contain_text("votre signature est enregistrée")
    page.screenshot(path=str(SHOTS / "done-360.png"), full_page=True)
    [signature] = signatures()
    assert (signature.registration_id, signature.part_id) == (anne.id, morning.id)
    assert signature.captured_by == "own_device" and "Chrom" in signature.user_agent
    assert signature.client_address == "127.0.0.1" and len(signature.strokes) == 2
    assert db.session.scalar(select(CheckIn.part_id).where(CheckIn.registration_id == anne.id))
    assert tab.complaints == []


def test_the_code_page_at_360_and_1280(live_server, open_tab, signing_day):
    event, user, _anne = signing_day
    morning = event.parts[0]
    tab = open_tab()
    page = tab.page
    log_in(page, live_server, user)
    page.goto(f"{live_server}/dashboard/events/{event.id}/parts/{morning.id}/sign-code")
    expect(page.locator(".sign-code")).to_have_text(own_device.code_of(morning))
    assert fits_the_screen(page)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "code-360.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SHOTS / "code-1280.png"), full_page=True)
    assert tab.complaints == []


# Whether the page's beforeunload handlers would hold the tab (the dialog itself is the browser's).
LEAVING_IS_QUESTIONED = """() => {
    const leaving = new Event("beforeunload", {cancelable: true});
    window.dispatchEvent(leaving);
    return leaving.defaultPrevented;
}"""


def test_a_signature_taken_offline_at_the_desk_is_sent_later(live_server, open_tab, signing_day):
    event, user, anne = signing_day
    morning = event.parts[0]
    tab = open_tab()
    page = tab.page
    log_in(page, live_server, user)
    page.goto(f"{live_server}/dashboard/events/{event.id}/checkin?part={morning.id}")
    page.context.set_offline(True)
    button = page.get_by_role("button", name=re.compile("DURAND Anne"))
    button.click()
    draw_signature(page)
    page.locator("#sign-dialog").get_by_role("button", name="Valider").click()
    expect(page.locator("#sign-dialog")).to_be_hidden()
    expect(page.locator("#desk-status")).to_contain_text("gardée sur cet appareil")
    assert signatures() == []
    assert page.evaluate(LEAVING_IS_QUESTIONED)  # a signature not yet sent: leaving asks first
    page.wait_for_timeout(1500)  # the drawing is older than its arrival
    page.context.set_offline(False)
    expect(page.locator("#desk-status")).to_contain_text("a signé", timeout=10000)
    [signature] = signatures()
    assert signature.registration_id == anne.id and signature.taken_at is not None
    assert (signature.received_at - signature.taken_at).total_seconds() >= 1
    # Sent: nothing left to lose, leaving no longer asks.
    page.wait_for_function(f"() => !({LEAVING_IS_QUESTIONED})()", timeout=5000)
    expect(button).to_contain_text("a signé")
    complaints = [c for c in tab.complaints if "ERR_INTERNET_DISCONNECTED" not in c]
    assert complaints == []


def test_the_public_pages_are_accessible(live_server, open_tab, signing_day):
    event, _user, anne = signing_day
    morning = event.parts[0]
    code = own_device.code_of(morning)
    tab = open_tab(bypass_csp=True)  # axe-core is injected as an inline script
    page = tab.page
    pad = f"/emargement/{code}/s/{own_device.link_token(anne, morning)}"
    for path in ("/emargement", "/emargement?code=XXXXXX", f"/emargement/{code}", pad):
        page.goto(live_server + path)
        assert fits_the_screen(page), path
        assert axe_violations(page) == [], path
