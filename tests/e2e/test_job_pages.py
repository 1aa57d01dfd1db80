"""A large export in Chromium (issue 19): the page that offers to prepare the file, the job's page
while it waits (the bar moves by polling) and once done, with its download link; at 360 px and
1280 px, no sideways scrolling, no serious axe violation. Screenshots go to /tmp/shots-jobs/."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from eventsvc import create_app
from eventsvc.extensions import db
from eventsvc.jobs import runner

from ..factories import TEST_SECRET, participant
from .browser import axe_violations, fits_the_screen, log_in

SHOTS = Path("/tmp/shots-jobs")
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def live_server(app):
    """The app served with the test app's database and instance folder (the job run by the test
    writes the file the server then sends), exports of more than 2 rows as jobs."""
    served = create_app(
        {
            "INSTANCE_PATH": app.instance_path,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": TEST_SECRET,
            "CHECK_EMAIL_DELIVERABILITY": False,
            "RATELIMIT_ENABLED": False,
            "EXPORT_JOB_THRESHOLD": 2,
        }
    )
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with served.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("viewport", [DESKTOP, None], ids=["1280", "360"])
def test_a_large_export_from_its_offer_to_its_download(
    live_server, browser, open_tab, make_event, make_organiser, viewport
):
    event = make_event(title="Journée d'étude « Inclusion numérique et territoires »")
    user = make_organiser(events=[event])
    for n in range(1, 6):
        participant(event, n)
    db.session.commit()
    SHOTS.mkdir(parents=True, exist_ok=True)
    width = (viewport or {"width": 360})["width"]
    if viewport:
        context = browser.new_context(viewport=viewport, locale="fr-FR", bypass_csp=True)
        page = context.new_page()
    else:
        context, page = None, open_tab(bypass_csp=True).page
    try:
        log_in(page, live_server, user)
        page.goto(f"{live_server}/dashboard/events/{event.id}/registrations.csv")
        expect(page.get_by_role("button", name="Préparer le fichier")).to_be_visible()
        assert "5 inscriptions" in page.content()
        assert fits_the_screen(page) and axe_violations(page) == []
        page.screenshot(path=str(SHOTS / f"export-offer-{width}.png"))
        page.get_by_role("button", name="Préparer le fichier").click()
        expect(page.get_by_role("heading", name="Export des inscriptions")).to_be_visible()
        assert fits_the_screen(page)
        page.screenshot(path=str(SHOTS / f"export-waiting-{width}.png"))
        assert runner.run_due() == 1
        # jobs.js polls, sees the job finished and reloads the page with its result.
        link = page.get_by_role("link", name="Télécharger le fichier CSV")
        expect(link).to_be_visible(timeout=10_000)
        expect(page.get_by_text("5 inscriptions dans le fichier.")).to_be_visible()
        assert fits_the_screen(page) and axe_violations(page) == []
        page.screenshot(path=str(SHOTS / f"export-done-{width}.png"))
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == f"inscriptions-{event.slug}.csv"
        text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
        assert text.count("\r\n") == 6
    finally:
        if context is not None:
            context.close()
