"""A real Chromium (Debian's ``chromium``, driven by Playwright) against the app served on a
loopback port, on the test database.

Nothing is downloaded: Playwright drives the system browser through ``executable_path`` (never
``playwright install``), and axe-core comes from ``node_modules/`` (``make test`` runs ``npm ci``).
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from eventsvc import create_app
from eventsvc.extensions import db

from ..factories import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = (
    os.environ.get("EVENTSVC_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def live_server(database_uri, tmp_path_factory):
    """The app on 127.0.0.1 and a free port, in a thread; yields its base URL."""
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("live-instance")),
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "SECRET_KEY": TEST_SECRET,
            "CHECK_EMAIL_DELIVERABILITY": False,
            "RATELIMIT_ENABLED": False,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"no Chromium at {CHROMIUM}: apt-get install chromium (see README)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class Tab:
    """A page, with what the browser complained about (CSP violations, script errors)."""

    def __init__(self, page):
        self.page = page
        self.complaints: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.complaints.append(f"page error: {error}"))

    def _console(self, message):
        if message.type == "error" and "favicon.ico" not in (message.location or {}).get("url", ""):
            self.complaints.append(message.text)


@pytest.fixture
def open_tab(browser):
    """open_tab(javascript=True, bypass_csp=False) -> Tab on a 360 px wide phone screen."""
    contexts = []

    def open_(javascript: bool = True, bypass_csp: bool = False) -> Tab:
        context = browser.new_context(
            viewport=PHONE,
            device_scale_factor=2,
            is_mobile=True,
            has_touch=True,
            locale="fr-FR",
            java_script_enabled=javascript,
            bypass_csp=bypass_csp,
        )
        contexts.append(context)
        context.set_default_timeout(10_000)
        return Tab(context.new_page())

    yield open_
    for context in contexts:
        context.close()
