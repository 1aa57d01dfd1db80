"""The sign-up form embedded in another site (/e/<slug>/embed): who may frame it, its signed token,
its pages without cookies, the organiser's choice of where the confirmation opens, the snippet."""

from __future__ import annotations

import re
import time
from html import unescape

import pytest
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from eventsvc import create_app
from eventsvc.audit.models import AuditEvent
from eventsvc.embedding import EmbedOriginError, parse_origins
from eventsvc.extensions import db
from eventsvc.participant.embed_form import PURPOSE, form_token

from .factories import (
    TEST_SECRET,
    csrf_token,
    event_form,
    new_event,
    post,
    post_form,
    registrations,
    valid,
)

ORIGINS = "https://www.example.fr, http://localhost:8080  https://intranet.example.org/"
ALLOWED = (
    "frame-ancestors https://www.example.fr http://localhost:8080 https://intranet.example.org"
)
NOT_VERIFIED = "Le formulaire n'a pas pu être vérifié"


@pytest.fixture
def app_config(app_config):
    return {**app_config, "EMBED_ORIGINS": ORIGINS}


_apps = []


def other_app(config):
    """Another app on the test database; its connections are closed after the test."""
    app = create_app(config)
    _apps.append(app)
    return app


@pytest.fixture(autouse=True)
def close_other_apps():
    yield
    while _apps:
        with _apps.pop().app_context():
            db.engine.dispose()


def token_in(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def embed_post(client, slug="atelier", data=None, token=None, url=None):
    if token is None:
        token = token_in(client.get(f"/e/{slug}/embed").get_data(as_text=True))
    return client.post(url or f"/e/{slug}/embed", data={"csrf_token": token, **(data or valid())})


def text(response) -> str:
    return unescape(response.get_data(as_text=True))


# --- the origins allowed to frame it ---------------------------------------------------------


def test_origins_are_read_from_commas_and_spaces_and_normalised():
    assert parse_origins(ORIGINS + " HTTPS://WWW.Example.fr") == (
        "https://www.example.fr",
        "http://localhost:8080",
        "https://intranet.example.org",
    )
    assert parse_origins(["http://[::1]:8000", "http://127.0.0.1:9"]) == (
        "http://[::1]:8000",
        "http://127.0.0.1:9",
    )
    assert parse_origins("") == parse_origins(None) == parse_origins("  , ") == ()


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("https://www.example.fr/agenda", "path"),
        ("https://*.example.fr", "wildcard"),
        ("*", "wildcard"),
        ("www.example.fr", "http"),
        ("ftp://www.example.fr", "http"),
        ("https://user@www.example.fr", "user name"),
        ("https://", "host"),
        ("https://exa_mple.fr", "host"),
        ("https://www.example.fr:99999", "port"),
        ("https://www.example.fr:abc", "port"),
        ("https://www.example.fr?x=1", "query"),
        ("'none'", "http"),
    ],
)
def test_a_wrong_origin_stops_the_start_up_saying_why(value, reason, app_config):
    with pytest.raises(EmbedOriginError, match=re.escape(reason)):
        parse_origins(value)
    with pytest.raises(EmbedOriginError):
        create_app({**app_config, "EMBED_ORIGINS": f"https://ok.example.fr {value}"})


# --- headers -------------------------------------------------------------------------------------


def test_only_the_embed_pages_may_be_framed_by_the_configured_origins(client, make_event):
    event = make_event()
    embed = client.get("/e/atelier/embed")
    assert embed.status_code == 200
    assert ALLOWED in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    assert "default-src 'self'" in embed.headers["Content-Security-Policy"]
    # Every other page, the event's own page first, stays unframeable.
    post_form(client, "/e/atelier", valid(email="autre@example.org"))
    personal = registrations()[0]
    for url in ("/e/atelier", "/e/atelier.ics", "/confidentialite", "/login", "/healthz"):
        response = client.get(url)
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], url
        assert response.headers["X-Frame-Options"] == "DENY", url
    assert personal.event_id == event.id


def test_the_follow_up_pages_of_the_embed_get_the_same_policy(client, make_event):
    make_event()
    invalid = embed_post(client, data=valid(email="pas-une-adresse"))
    assert invalid.status_code == 200
    done = embed_post(client)
    assert done.status_code == 303
    confirmation = client.get(done.headers["Location"])
    again = client.get(embed_post(client).headers["Location"])
    missing = client.get("/e/inconnu/embed")
    assert missing.status_code == 404
    for response in (invalid, done, confirmation, again, missing):
        assert ALLOWED in response.headers["Content-Security-Policy"]
        assert "X-Frame-Options" not in response.headers
    # The personal page itself is not framed: it opens in a tab.
    token = done.headers["Location"].split("/")[-2]
    personal = client.get(f"/r/{token}")
    assert "frame-ancestors 'none'" in personal.headers["Content-Security-Policy"]


def test_without_origins_the_embed_is_not_frameable(app_config, make_event):
    app = other_app({**app_config, "EMBED_ORIGINS": ""})
    make_event()
    response = app.test_client().get("/e/atelier/embed")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert 'data-embed-origins=""' in response.get_data(as_text=True)


# --- the page and the sign-up, without cookies ------------------------------------------------


def test_the_embed_has_the_form_without_the_site_header_and_footer(client, make_event):
    make_event()
    html = client.get("/e/atelier/embed").get_data(as_text=True)
    assert 'class="embedded"' in html
    assert '<header class="site">' not in html and '<footer class="site">' not in html
    assert 'action="/e/atelier/embed"' in html
    assert "target=" not in html.split("<form", 1)[1].split(">", 1)[0]
    assert 'data-embed-origins="https://www.example.fr http://localhost:8080' in html
    assert "/static/embed.js" in html
    assert "Atelier participatif" in html and "Je m'inscris" in html


def test_signing_up_in_the_frame_needs_no_cookie(app, make_event):
    make_event()
    client = app.test_client(use_cookies=False)
    page = client.get("/e/atelier/embed")
    assert "Set-Cookie" not in page.headers
    response = embed_post(client, token=token_in(page.get_data(as_text=True)))
    assert response.status_code == 303, text(response)[:500]
    assert "Set-Cookie" not in response.headers
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{43}/embed", response.headers["Location"])
    [registration] = registrations()
    assert registration.email == "yann@maison-lilas.example.net"
    confirmation = client.get(response.headers["Location"])
    assert "Set-Cookie" not in confirmation.headers
    assert confirmation.headers["Cache-Control"] == "no-store"
    html = text(confirmation)
    assert "Votre inscription est confirmée." in html
    assert "Un courriel de confirmation vous a été envoyé." in html
    token = response.headers["Location"].split("/")[2]
    assert f'href="/r/{token}" target="_blank"' in html
    line = db.session.query(AuditEvent).filter_by(action="registration.signed_up").one()
    assert line.actor_label


def test_a_second_sign_up_is_told_on_its_own_page_without_the_session(app, make_event):
    make_event()
    client = app.test_client(use_cookies=False)
    assert embed_post(client).status_code == 303
    again = embed_post(client, data=valid(email="YANN@maison-lilas.example.net"))
    assert again.status_code == 303
    assert again.headers["Location"] == "/e/atelier/embed/deja-inscrit"
    assert "Set-Cookie" not in again.headers
    page = client.get(again.headers["Location"])
    assert "déjà inscrit·e" in text(page) and "lien personnel vous a été renvoyé" in text(page)
    assert len(registrations()) == 1


def test_a_full_event_puts_the_person_on_the_waiting_list(client, make_event):
    make_event(capacity=1)
    embed_post(client, data=valid(email="premiere@example.org"))
    confirmation = client.get(embed_post(client).headers["Location"])
    assert "liste d'attente, en position 1" in text(confirmation)


def test_the_honeypot_records_nothing(client, make_event):
    make_event()
    response = embed_post(client, data=valid(website="http://spam.example"))
    assert response.status_code == 303
    assert client.get(response.headers["Location"]).status_code == 404
    assert registrations() == []


def test_the_language_travels_in_the_address_not_in_a_cookie(app, make_event):
    make_event()
    client = app.test_client(use_cookies=False)
    page = client.get("/e/atelier/embed?lang=en")
    assert "Set-Cookie" not in page.headers
    html = page.get_data(as_text=True)
    assert '<html lang="en">' in html and "Sign me up" in html
    assert 'action="/e/atelier/embed?lang=en"' in html
    response = embed_post(client, token=token_in(html), url="/e/atelier/embed?lang=en")
    assert response.headers["Location"].endswith("/embed?lang=en")
    assert "Your registration is confirmed." in text(client.get(response.headers["Location"]))
    assert registrations()[0].locale == "en"


# --- the signed token ----------------------------------------------------------------------------


class _LongAgo(TimestampSigner):
    def get_timestamp(self):
        return int(time.time()) - 7 * 3600


def test_an_expired_token_brings_the_form_back_filled_with_a_message(client, make_event):
    event = make_event()
    old = URLSafeTimedSerializer(TEST_SECRET, salt=PURPOSE, signer=_LongAgo).dumps(
        {"event": event.id}
    )
    response = embed_post(client, token=old)
    assert response.status_code == 200
    html = text(response)
    assert "La page est restée ouverte trop longtemps" in html
    assert 'value="yann@maison-lilas.example.net"' in html
    assert token_in(html) != old
    assert registrations() == []
    # The new token of that page is good.
    assert embed_post(client, token=token_in(html)).status_code == 303


@pytest.mark.parametrize("kind", ["other event", "tampered", "missing", "session token"])
def test_a_token_that_is_not_this_forms_is_refused_with_a_message(kind, client, make_event):
    make_event()
    other = new_event(slug="autre")
    good = token_in(client.get("/e/atelier/embed").get_data(as_text=True))
    token = {
        "other event": form_token(other.id),
        "tampered": good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB"),
        "missing": "",
        "session token": csrf_token(client, "/e/atelier"),
    }[kind]
    response = embed_post(client, token=token)
    assert response.status_code == 200
    assert NOT_VERIFIED in text(response)
    assert 'value="yann@maison-lilas.example.net"' in text(response)
    assert registrations() == []


def test_the_embed_token_does_not_open_the_page_form(client, make_event):
    make_event()
    token = token_in(client.get("/e/atelier/embed").get_data(as_text=True))
    response = client.post("/e/atelier", data={"csrf_token": token, **valid()})
    assert response.status_code == 200
    assert "envoyez à nouveau le formulaire" in text(response)
    assert registrations() == []


# --- where the confirmation opens ------------------------------------------------------------


def test_the_organiser_may_open_the_confirmation_in_a_new_tab(client, make_event):
    make_event(embed_opens_new_tab=True)
    html = client.get("/e/atelier/embed").get_data(as_text=True)
    assert 'target="_blank" rel="noopener"' in html.split("<form", 1)[1].split(">", 1)[0]
    assert "nouvel onglet" in html
    # The form came back with errors in the new tab: it stays there.
    invalid = embed_post(client, data=valid(first_name=""))
    assert "target=" not in invalid.get_data(as_text=True).split("<form", 1)[1].split(">", 1)[0]
    done = embed_post(client)
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{43}", done.headers["Location"])


def test_the_choice_is_made_in_the_event_form(organiser_client):
    event = organiser_client.event
    url = f"/dashboard/events/{event.id}/edit"
    form = organiser_client.get(url).get_data(as_text=True)
    assert 'name="embed_opens_new_tab"' in form
    response = post(organiser_client, url, event_form(event, embed_opens_new_tab="y"))
    assert response.status_code == 303, text(response)[:1000]
    db.session.refresh(event)
    assert event.embed_opens_new_tab is True
    line = db.session.query(AuditEvent).filter_by(action="event.updated").one()
    assert line.details["changes"]["embed_opens_new_tab"] == [False, True]


# --- events without a public form ----------------------------------------------------------


def test_invitation_only_and_draft_events_have_no_embedded_form(client, make_event):
    make_event(invitation_only=True)
    make_event(slug="brouillon", status="draft")
    page = client.get("/e/atelier/embed")
    assert "sur invitation" in text(page) and "csrf_token" not in text(page)
    assert client.get("/e/brouillon/embed").status_code == 404
    refused = client.post("/e/atelier/embed", data=valid())
    assert refused.status_code == 403
    assert registrations() == []


# --- the dashboard's snippet -------------------------------------------------------------------


def test_the_event_page_gives_the_snippet_and_the_allowed_origins(organiser_client):
    event = organiser_client.event
    html = text(organiser_client.get(f"/dashboard/events/{event.id}"))
    snippet = re.search(r'<textarea id="embed-code" readonly[^>]*>(.*?)</textarea>', html, re.S)
    code = snippet.group(1)
    assert '<iframe src="http://eventsvc.test/e/atelier/embed"' in code
    assert 'height="1200"' in code and "data-eventsvc-embed" in code
    assert '<script src="http://eventsvc.test/static/embed-host.js" async></script>' in code
    assert "Copier le code" in html
    for origin in ("https://www.example.fr", "http://localhost:8080"):
        assert f"<code>{origin}</code>" in html
    assert "la confirmation s'affiche dans le cadre" in html


def test_the_event_page_says_when_no_origin_is_allowed(app_config, make_event, make_organiser):
    from .factories import ORGANISER_PASSWORD, login

    app = other_app({**app_config, "EMBED_ORIGINS": ""})
    event = make_event()
    user = make_organiser(events=[event])
    client = app.test_client()
    login(client, user.email, ORGANISER_PASSWORD)
    html = text(client.get(f"/dashboard/events/{event.id}"))
    assert "Aucun site n'est autorisé à afficher le formulaire" in html


# --- the rate limit ------------------------------------------------------------------------------


def test_the_rate_limit_counts_the_embed_with_the_page_form(app_config, make_event):
    make_event()
    limited = other_app(
        {
            **app_config,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STRATEGY": "moving-window",
            "SIGNUP_RATE_LIMIT": "3 per hour",
        }
    )
    page_client = limited.test_client()
    frame = limited.test_client(use_cookies=False)
    assert post_form(page_client, "/e/atelier", valid(email="a@example.org")).status_code == 303
    assert embed_post(frame, data=valid(email="b@example.org")).status_code == 303
    assert embed_post(frame, data=valid(email="c@example.org")).status_code == 303
    refused = embed_post(frame, data=valid(email="d@example.org"))
    assert refused.status_code == 429
    assert "Trop de demandes" in text(refused)
    # The refusal shows in the frame: the embed's policy, without the site's header.
    assert ALLOWED in refused.headers["Content-Security-Policy"]
    assert '<header class="site">' not in text(refused)
    assert post_form(page_client, "/e/atelier", valid(email="e@example.org")).status_code == 429
    # Reading the form is not limited.
    assert frame.get("/e/atelier/embed").status_code == 200
    assert len(registrations()) == 3


def test_the_snippet_escapes_what_the_title_holds():
    from eventsvc.embedding import snippet

    code = snippet("https://a.example/e/x/embed", "https://a.example/s.js", 'L\'atelier "<b>" & co')
    assert 'title="L\'atelier &quot;&lt;b&gt;&quot; &amp; co"' in code
