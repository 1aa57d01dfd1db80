"""The embedded form in a real Chromium, on a page of another site: the app on
``http://127.0.0.1:PORT``, the organisation's page on ``http://localhost:PORT2`` (another site: the
browser sends the frame no cookie), and a page on ``http://localhost:PORT3``, an origin that is
not allowed to frame the form."""

from __future__ import annotations

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from eventsvc import create_app, embedding
from eventsvc.demo import create_demo_event
from eventsvc.extensions import db
from eventsvc.registrations.models import Registration

from ..factories import TEST_SECRET
from .browser import axe_violations, field


class HostPage:
    """A tiny site of its own (http.server) whose one page holds the snippet."""

    def __init__(self):
        self.html = "<!doctype html><title>Vide</title>"
        page = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                body = page.html.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://localhost:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def show(self, snippet: str) -> str:
        self.html = (
            '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            "<title>Conseil de développement</title></head><body>"
            "<h1>Nos ateliers</h1><p>Inscrivez-vous ci-dessous.</p>"
            f"{snippet}<p>Pied de page du site de l'organisme.</p></body></html>"
        )
        return self.origin + "/"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def host_pages():
    allowed, other = HostPage(), HostPage()
    yield allowed, other
    allowed.stop()
    other.stop()


@pytest.fixture(scope="module")
def live_server(database_uri, tmp_path_factory, host_pages):
    """The app, as in conftest, with the first host page's origin allowed to frame the form."""
    allowed, _ = host_pages
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path_factory.mktemp("live-instance")),
            "SQLALCHEMY_DATABASE_URI": database_uri,
            "SECRET_KEY": TEST_SECRET,
            "CHECK_EMAIL_DELIVERABILITY": False,
            "RATELIMIT_ENABLED": False,
            "EMBED_ORIGINS": allowed.origin,
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


@pytest.fixture
def demo_event(app):
    event, _ = create_demo_event()
    db.session.commit()
    return event


def snippet_for(live_server: str, event) -> str:
    """What the dashboard gives, pointing at the live server."""
    return embedding.snippet(
        f"{live_server}/e/{event.slug}/embed",
        f"{live_server}/static/embed-host.js",
        f"Inscription : {event.title}",
    )


def registration_of(email: str):
    db.session.rollback()
    return db.session.scalar(select(Registration).where(Registration.email == email))


def fitted_height(iframe) -> int:
    expect(iframe).to_have_attribute("data-eventsvc-fitted", re.compile(r"^\d+$"))
    return int(iframe.get_attribute("data-eventsvc-fitted"))


def test_sign_up_inside_a_frame_on_another_site(live_server, host_pages, open_tab, demo_event):
    allowed, _ = host_pages
    tab = open_tab()
    page = tab.page
    page.goto(allowed.show(snippet_for(live_server, demo_event)))
    iframe = page.locator("iframe[data-eventsvc-embed]")
    frame = page.frame_locator("iframe[data-eventsvc-embed]")
    expect(frame.get_by_role("heading", level=1)).to_have_text(demo_event.title)

    # The host page's script fitted the frame to the form: taller than the default, no scrolling.
    form_height = fitted_height(iframe)
    inner = iframe.element_handle().content_frame()
    assert form_height == inner.evaluate(
        "Math.ceil(document.documentElement.getBoundingClientRect().height)"
    )
    assert form_height != embedding.DEFAULT_HEIGHT
    assert iframe.evaluate("f => f.getBoundingClientRect().height") == form_height
    assert inner.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    # A mistake first: the form comes back in the frame with its message.
    field(frame, "Prénom").fill("Nadia")
    field(frame, "Nom").fill("Benali")
    field(frame, "Adresse électronique").fill("nadia;benali@mairie.example.org")
    frame.get_by_role("button", name="Je m'inscris").click()
    expect(frame.locator("#email-error")).to_contain_text("« ; »")
    expect(frame.locator("#form-errors")).to_be_focused()  # by embed.js: autofocus is not
    expect(field(frame, "Prénom")).to_have_value("Nadia")

    field(frame, "Adresse électronique").fill("nadia.benali@mairie.example.org")
    frame.get_by_role("radio", name="Oui, toute la journée").check()
    frame.get_by_role("button", name="Je m'inscris").click()
    expect(frame.get_by_role("status")).to_contain_text("Votre inscription est confirmée")
    expect(page).to_have_url(allowed.origin + "/")  # the host page stayed where it was

    registration = registration_of("nadia.benali@mairie.example.org")
    assert registration is not None and registration.event_id == demo_event.id
    assert registration.first_name == "Nadia"

    # The confirmation is shorter than the form: the frame shrank to it.
    expect(iframe).not_to_have_attribute("data-eventsvc-fitted", str(form_height))
    assert fitted_height(iframe) < form_height
    # The personal link opens in a tab of its own.
    link = frame.get_by_role("link", name="Ouvrir ma page d'inscription (nouvel onglet)")
    expect(link).to_have_attribute("target", "_blank")
    # No cookie was needed, and none was kept for the app's site.
    assert page.context.cookies(live_server) == []
    assert tab.complaints == []


def test_the_confirmation_may_open_in_a_new_tab(live_server, host_pages, open_tab, demo_event):
    allowed, _ = host_pages
    demo_event.embed_opens_new_tab = True
    db.session.commit()
    tab = open_tab()
    page = tab.page
    page.goto(allowed.show(snippet_for(live_server, demo_event)))
    frame = page.frame_locator("iframe[data-eventsvc-embed]")
    field(frame, "Prénom").fill("Karim")
    field(frame, "Nom").fill("Haddad")
    field(frame, "Adresse électronique").fill("karim.haddad@example.org")
    frame.get_by_role("radio", name="Oui, toute la journée").check()
    with page.context.expect_page() as opened:
        frame.get_by_role("button", name="Je m'inscris").click()
    confirmation = opened.value
    expect(confirmation).to_have_url(re.compile(r"/r/[A-Za-z0-9_-]{43}$"))
    expect(confirmation.get_by_role("status")).to_contain_text("Votre inscription est confirmée")
    assert registration_of("karim.haddad@example.org") is not None


def test_a_site_that_is_not_allowed_cannot_frame_the_form(
    live_server, host_pages, open_tab, demo_event
):
    _, other = host_pages
    tab = open_tab()
    page = tab.page
    page.goto(other.show(snippet_for(live_server, demo_event)))
    # Chromium refuses to show it (frame-ancestors), and says so on the console.
    expect(page.locator("iframe[data-eventsvc-embed]")).to_be_attached()
    page.wait_for_load_state("load")
    assert any("frame-ancestors" in complaint for complaint in tab.complaints), tab.complaints
    frame = page.locator("iframe[data-eventsvc-embed]").content_frame
    expect(frame.get_by_role("heading", level=1)).to_have_count(0)
    # Nor can the app's own page be framed by the allowed site.
    allowed, _ = host_pages
    page.goto(
        allowed.show(f'<iframe src="{live_server}/e/{demo_event.slug}" title="Page"></iframe>')
    )
    page.wait_for_load_state("load")
    expect(page.frame_locator("iframe").get_by_role("heading", level=1)).to_have_count(0)


def test_the_embed_pages_have_no_serious_accessibility_violation(live_server, open_tab, demo_event):
    # axe is injected as a script of its own, which the page's CSP refuses: bypassed here only.
    page = open_tab(bypass_csp=True).page
    page.goto(f"{live_server}/e/{demo_event.slug}/embed")
    assert axe_violations(page) == []
    page.get_by_role("button", name="Je m'inscris").click()
    expect(page.locator("#form-errors")).to_be_visible()
    assert axe_violations(page) == []
