"""QR codes, decoded back to the exact link by an independent reader (``zbarimg`` from Debian's
zbar-tools, see ``tests/qr_reading.py``): the personal link in the confirmation email (through a
real SMTP server) and on the personal page, the public link in the dashboard's PNG and SVG
downloads. The personal page's code as Chromium draws it: tests/e2e/test_qr_code_page.py."""

from __future__ import annotations

import re
from email import message_from_bytes, policy
from io import BytesIO
from xml.etree import ElementTree

import pytest
from flask import current_app
from PIL import Image
from sqlalchemy import select

from eventsvc.common import qr_codes, tokens
from eventsvc.extensions import db
from eventsvc.mail import outbox
from eventsvc.mail.models import MessageStatus, OutboxMessage
from eventsvc.mail.worker import deliver_once
from eventsvc.registrations import operations_manage as manage

from .factories import ORGANISER_PASSWORD, login, post_form, registrations, valid
from .qr_reading import SVG_NS, as_png, png_modules, svg_modules, zbar
from .smtp_server import smtp_settings

BASE = "http://eventsvc.test"


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, **smtp_settings(smtp_server)}


# --- the foundation module ---------------------------------------------------------------------

LINKS = [
    f"{BASE}/r/{'A' * 43}",
    "https://inscriptions.departement-exemple.gouv.fr/r/Zk3-_q9yXbW0aP1cD2eF3gH4iJ5kL6mN7oP8qR9sT0u",
    "https://inscriptions.example.fr/e/journee-d-etude-2026-12-05",
]


@pytest.mark.parametrize("link", LINKS)
def test_each_rendering_decodes_to_the_link_and_draws_the_same_code(link, tmp_path):
    expected = qr_codes.modules(link)
    screen, poster = qr_codes.png(link), qr_codes.print_png(link)
    assert zbar(screen, tmp_path) == link
    assert zbar(poster, tmp_path) == link
    assert png_modules(screen) == png_modules(poster) == expected
    assert svg_modules(qr_codes.svg(link)) == expected
    inline = qr_codes.inline_svg(link, label="Votre <lien>")
    assert svg_modules(inline) == expected
    assert zbar(as_png(svg_modules(inline)), tmp_path) == link


def test_codes_are_sized_for_print_and_screen_and_never_micro():
    link = LINKS[1]
    code = qr_codes.make(link)
    assert not code.is_micro and code.error in ("M", "Q", "H")
    side = code.symbol_size(scale=1, border=qr_codes.QUIET_ZONE)[0]
    screen = Image.open(BytesIO(qr_codes.png(link)))
    poster = Image.open(BytesIO(qr_codes.print_png(link)))
    assert screen.size == (side * qr_codes.SCREEN_SCALE,) * 2
    assert poster.size == (side * qr_codes.PRINT_SCALE,) * 2 and poster.size[0] >= 900
    assert round(poster.info["dpi"][0]) == 300
    svg = ElementTree.fromstring(qr_codes.svg(link, title="Affiche « Été »"))
    assert svg.get("width") == f"{side}mm" and svg.find(f"{SVG_NS}title").text == "Affiche « Été »"


def test_the_inline_svg_escapes_its_label_and_has_no_style_attribute():
    svg = qr_codes.inline_svg(LINKS[0], label='<script>alert("x")</script> & co')
    root = ElementTree.fromstring(svg)
    assert root.get("role") == "img" and root.get("class") == "qr-code"
    assert root.find(f"{SVG_NS}title").text == '<script>alert("x")</script> & co'
    assert "<script" not in svg and "style=" not in svg
    assert root.get("width") is None  # the style sheet sizes it


# --- the confirmation email --------------------------------------------------------------------


def sign_up(client, email="yann@maison-lilas.example.net", url="/e/atelier") -> str:
    """Sign up through the form; the personal link the page redirects to."""
    response = post_form(client, url, valid(email=email))
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert re.fullmatch(r"(http://eventsvc\.test)?/r/[A-Za-z0-9_-]{43}", location), location
    return BASE + location.removeprefix(BASE)


def inline_images(message) -> dict[str, bytes]:
    return {
        part["Content-ID"].strip("<>"): part.get_payload(decode=True)
        for part in message.walk()
        if part.get_content_maintype() == "image"
    }


def checkin_code_of(registration) -> str:
    return tokens.checkin_code(
        registration.event_id, registration.id, current_app.config["SECRET_KEY"]
    )


def test_the_confirmation_shows_the_checkin_code_as_a_qr_code(
    client, make_event, smtp_server, tmp_path
):
    make_event()
    link = sign_up(client)
    # Queued as its recipe; composed at delivery, with its image.
    [row] = db.session.scalars(select(OutboxMessage)).all()
    assert row.raw is None
    stored = message_from_bytes(outbox.composed_bytes(row), policy=policy.default)
    assert len(inline_images(stored)) == 1

    deliver_once()

    [received] = smtp_server.mailbox.to("yann@maison-lilas.example.net")
    message = received.message
    html_part = message.get_body(("html",))
    related = next(p for p in message.walk() if p.get_content_type() == "multipart/related")
    assert related.get_payload()[0] is html_part or related.get_payload()[0] == html_part
    html = html_part.get_content()
    [cid] = re.findall(r'<img src="cid:([^"]+)"', html)
    images = inline_images(message)
    assert list(images) == [cid]
    image_part = next(p for p in message.walk() if p.get_content_maintype() == "image")
    assert image_part.get_content_type() == "image/png"
    assert image_part["Content-Transfer-Encoding"] == "base64"
    assert image_part.get_content_disposition() == "inline"
    assert "QR code d&#39;accueil" in html.replace("&#x27;", "&#39;").replace("'", "&#39;")
    assert "À présenter à l'accueil" in html
    # The check-in code, not the personal link: a code shown at the desk opens nothing.
    [registration] = registrations()
    code = zbar(images[cid], tmp_path)
    assert code == checkin_code_of(registration) and code.startswith("EVS1:")
    assert "/r/" not in code
    # Written out too, to type at the desk when the camera fails.
    assert code in html and code in message.get_body(("plain",)).get_content()
    # The link written out, in both bodies.
    assert f'<a href="{link}">{link}</a>' in html
    assert link in message.get_body(("plain",)).get_content()
    # Sent: the body with its link and image is gone from the database.
    db.session.expire_all()
    [row] = db.session.scalars(select(OutboxMessage)).all()
    assert row.status == MessageStatus.SENT and row.raw is None


def test_the_english_email_and_the_cancellation(client, make_event, smtp_server, tmp_path):
    make_event()
    link = sign_up(client, email="sam@example.org", url="/e/atelier?lang=en")
    [registration] = registrations()
    deliver_once()  # composed at delivery: once cancelled, no check-in code is shown any more
    manage.cancel_by_participant(registration)
    db.session.commit()
    deliver_once()

    confirmation, cancellation = (r.message for r in smtp_server.mailbox.to("sam@example.org"))
    assert confirmation["Content-Language"] == "en"
    html = confirmation.get_body(("html",)).get_content()
    assert "To show at the welcome desk" in html
    assert "Your personal link:" in html and link in html
    [png] = inline_images(confirmation).values()
    assert zbar(png, tmp_path) == checkin_code_of(registration)
    # Nothing to bring once cancelled: no code, the message stays as it was.
    assert inline_images(cancellation) == {}
    assert "cid:" not in cancellation.get_body(("html",)).get_content()


# --- the personal page -------------------------------------------------------------------------


def test_the_personal_page_draws_the_checkin_code(client, make_event, tmp_path):
    make_event()
    link = sign_up(client)
    page = client.get(link)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["Referrer-Policy"] == "same-origin"
    html = page.get_data(as_text=True)
    [svg] = re.findall(r"<svg .*?</svg>", html, re.S)
    assert 'role="img"' in svg and "accueil</title>" in svg
    code = checkin_code_of(registrations()[0])
    assert zbar(as_png(svg_modules(svg)), tmp_path) == code
    assert f'<span class="link-text">{code}</span>' in html
    assert f'<span class="link-text">{link}</span>' in html
    # Drawn in the page: no image URL carries the token.
    token = link.rsplit("/", 1)[1]
    assert not re.search(rf"<img [^>]*{token}", html)

    manage.cancel_by_participant(registrations()[0])
    db.session.commit()
    assert "<svg" not in client.get(link).get_data(as_text=True)


# --- the dashboard's downloads -----------------------------------------------------------------


def test_the_dashboard_offers_the_public_link_as_png_and_svg(
    app, client, make_event, make_organiser, tmp_path
):
    event = make_event()
    other = make_event(slug="autre-atelier")
    make_organiser("alice@example.org", events=[event])
    make_organiser("bob@example.org", events=[other])
    login(client, "alice@example.org", ORGANISER_PASSWORD)
    public = f"{BASE}/e/atelier"

    page = client.get(f"/dashboard/events/{event.id}").get_data(as_text=True)
    assert f'href="/dashboard/events/{event.id}/qr-code.png" download' in page
    assert f'href="/dashboard/events/{event.id}/qr-code.svg" download' in page

    png = client.get(f"/dashboard/events/{event.id}/qr-code.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert png.headers["Content-Disposition"] == 'attachment; filename="qr-code-atelier.png"'
    assert png.headers["Cache-Control"] == "no-store"
    assert zbar(png.data, tmp_path) == public

    svg = client.get(f"/dashboard/events/{event.id}/qr-code.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert svg.headers["Content-Disposition"] == 'attachment; filename="qr-code-atelier.svg"'
    assert svg.headers["Cache-Control"] == "no-store"
    modules = svg_modules(svg.get_data(as_text=True))
    assert modules == png_modules(png.data)
    assert zbar(as_png(modules), tmp_path) == public

    for kind in ("png", "svg"):
        assert client.get(f"/dashboard/events/{other.id}/qr-code.{kind}").status_code == 404
        assert client.get(f"/dashboard/events/999999/qr-code.{kind}").status_code == 404
    anonymous = app.test_client().get(f"/dashboard/events/{event.id}/qr-code.png")
    assert anonymous.status_code in (302, 303, 401)
