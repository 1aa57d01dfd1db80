"""The check-in page's scanner on a 360 px phone, fed by a fake camera: Chromium started with
``--use-fake-device-for-media-stream`` and ``--use-file-for-fake-video-capture`` playing a video of
the person's badge (the badges PDF drawn by Ghostscript, its first label filmed with Debian's
ffmpeg in the test). « Scanner », the code read, the person shown, « Confirmer la présence », the
check-in in the database. Which decoder read it (the browser's BarcodeDetector, or jsQR from
static/vendor) is asserted and printed; the typed code is the fallback without camera. Screenshots
go to /tmp/shots-checkin/ (for a person to look at)."""

from __future__ import annotations

import shutil
import subprocess
import time
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select

from eventsvc.attendance import badges
from eventsvc.attendance.models import CheckIn
from eventsvc.common import tokens
from eventsvc.extensions import db

from ..factories import TEST_SECRET, happening_today, participant
from ..qr_reading import pdf_pages_as_png
from .browser import fits_the_screen, log_in
from .conftest import CHROMIUM, CHROMIUM_ARGS, PHONE

SHOTS = Path("/tmp/shots-checkin")
FFMPEG = shutil.which("ffmpeg")


def badge_picture(event, registration, folder: Path) -> bytes:
    """The person's badge as printed: the badges PDF drawn by Ghostscript at 150 dpi, the first
    label (105 × 59.4 mm, top left of the sheet) cut out."""
    pdf = badges.badges_pdf(event, [registration])
    [page] = pdf_pages_as_png(pdf, folder / "pdf", dpi=150)
    sheet = Image.open(BytesIO(page))
    label = sheet.crop((0, 0, round(105 / 25.4 * 150), round(59.4 / 25.4 * 150)))
    out = BytesIO()
    label.save(out, format="PNG")
    return out.getvalue()


def film(png: bytes, folder: Path) -> Path:
    """A few seconds of video of the badge, as a phone's camera held over it would see it."""
    image = folder / "badge.png"
    image.write_bytes(png)
    video = folder / "badge.y4m"
    subprocess.run(
        [FFMPEG, "-loglevel", "error", "-y", "-loop", "1", "-i", str(image), "-t", "3",
         "-r", "10", "-vf",
         "scale=640:-2,pad=640:480:(ow-iw)/2:(oh-ih)/2:white,format=yuv420p",
         str(video)],
        check=True,
    )  # fmt: skip
    return video


@pytest.fixture
def day(app, make_event, make_organiser):
    event = happening_today(make_event())
    user = make_organiser(events=[event])
    anne = participant(event, 1, last="Durand", first="Anne", organisation="Mairie d'Exemple")
    participant(event, 2, last="Le Bras", first="Louise")
    return event, user, anne


@pytest.mark.skipif(FFMPEG is None, reason="ffmpeg: scripts/system-deps.sh")
def test_scanning_the_badge_checks_the_person_in(live_server, day, tmp_path):
    event, user, anne = day
    code = tokens.checkin_code(event.id, anne.id, TEST_SECRET)
    video = film(badge_picture(event, anne, tmp_path), tmp_path)
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={video}",
    ]
    part = event.parts[0]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            context = browser.new_context(
                viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True,
                locale="fr-FR",
            )  # fmt: skip
            context.set_default_timeout(15_000)
            page = context.new_page()
            complaints: list[str] = []
            page.on("pageerror", lambda error: complaints.append(str(error)))
            log_in(page, live_server, user)
            context.grant_permissions(["camera"], origin=live_server)
            page.goto(f"{live_server}/dashboard/events/{event.id}/checkin?part={part.id}")
            assert fits_the_screen(page)
            started = time.monotonic()
            page.get_by_role("button", name="Scanner").click()
            result = page.locator("#scan-result")
            expect(result).to_contain_text("DURAND Anne")
            print(f"\nfrom « Scanner » to the person shown: {time.monotonic() - started:.2f} s")
            expect(result).to_contain_text("Mairie d'Exemple")
            decoder = page.locator("#scan").get_attribute("data-decoder")
            print(f"\ncheck-in code read by: {decoder}")
            assert decoder in ("barcode-detector", "jsqr")
            expect(page.locator("#scan-code")).to_have_value(code)
            SHOTS.mkdir(exist_ok=True)
            page.screenshot(path=str(SHOTS / "scan-360.png"), full_page=True)
            page.get_by_role("button", name="Confirmer la présence").click()
            row = page.locator(f"#r{anne.id} button.desk-tap")
            expect(row).to_have_attribute("aria-pressed", "true")
            assert complaints == []
            context.close()
        finally:
            browser.close()
    db.session.rollback()
    check_ins = [(c.registration_id, c.part_id) for c in db.session.scalars(select(CheckIn))]
    assert check_ins == [(anne.id, part.id)]


def test_a_typed_code_of_another_event_says_so(live_server, open_tab, day, make_event):
    event, user, anne = day
    other = make_event(slug="autre")
    bruno = participant(other, 3, last="Bruno")
    tab = open_tab()
    page = tab.page
    log_in(page, live_server, user)
    page.goto(f"{live_server}/dashboard/events/{event.id}/checkin?part={event.parts[0].id}")
    field = page.get_by_label("Ou tapez le code d'accueil")
    field.fill(tokens.checkin_code(other.id, bruno.id, TEST_SECRET))
    page.get_by_role("button", name="Valider le code").click()
    expect(page.locator("#scan-result")).to_contain_text("Ce code est celui d'un autre événement.")
    field.fill(tokens.checkin_code(event.id, anne.id, TEST_SECRET).lower())
    page.get_by_role("button", name="Valider le code").click()
    expect(page.locator("#scan-result")).to_contain_text("DURAND Anne")
    page.set_viewport_size({"width": 1280, "height": 800})
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "scan-typed-1280.png"), full_page=True)
    page.get_by_role("button", name="Confirmer la présence").click()
    expect(page.locator(f"#r{anne.id} button.desk-tap")).to_have_attribute("aria-pressed", "true")
    # The refusal is a 409, which the console notes; nothing else.
    assert [c for c in tab.complaints if "409 (CONFLICT)" not in c] == []


def test_when_signatures_are_asked_the_confirm_opens_the_pad(live_server, open_tab, day):
    event, user, anne = day
    event.signature_mode = "participants"
    db.session.commit()
    tab = open_tab()
    page = tab.page
    log_in(page, live_server, user)
    page.goto(f"{live_server}/dashboard/events/{event.id}/checkin?part={event.parts[0].id}")
    page.get_by_label("Ou tapez le code d'accueil").fill(
        tokens.checkin_code(event.id, anne.id, TEST_SECRET)
    )
    page.get_by_role("button", name="Valider le code").click()
    page.get_by_role("button", name="Confirmer la présence").click()
    dialog = page.locator("#sign-dialog")
    expect(dialog).to_be_visible()
    expect(page.locator("#sign-who")).to_contain_text("Anne")
    assert tab.complaints == []
    db.session.rollback()
    assert db.session.scalars(select(CheckIn)).all() == []  # nothing until the person signs
