"""Rate limits, honeypot, security headers and cookies."""

import re
import uuid
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eventsvc import create_app
from eventsvc.extensions import db
from eventsvc.registrations.models import Registration

from .factories import csrf_token, post_form, valid

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INLINE = (r"<script(?![^>]*\ssrc=)", r"<style", r"\sstyle=", r"\son[a-z]+=", "javascript:")


def registration_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Registration.id)))


_apps = []


def new_app(config):
    """Another app on the test database; its connections are closed after the test."""
    app = create_app(config)
    _apps.append(app)
    return app


@pytest.fixture(autouse=True)
def close_extra_apps():
    yield
    while _apps:
        with _apps.pop().app_context():
            db.engine.dispose()


def limited_app(app_config, **overrides):
    """A second app on the test database, with rate limits switched on."""
    config = {
        **app_config,
        "RATELIMIT_ENABLED": True,
        # Exact counting: a sliding-window counter lets a request through when the test happens to
        # straddle a minute boundary (it weights the previous minute's hits).
        "RATELIMIT_STRATEGY": "moving-window",
        "SIGNUP_RATE_LIMIT": "3 per hour",
        "PERSONAL_LINK_RATE_LIMIT": "2 per hour",
        **overrides,
    }
    return new_app(config)


# --- security headers -----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/e/atelier", "/healthz", "/nowhere", "/static/style.css"])
def test_every_response_carries_the_security_headers(client, make_event, path):
    make_event()
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    directives = dict(
        (part.split(" ", 1) + [""])[:2] for part in (d.strip() for d in csp.split(";"))
    )
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain http: no HSTS
    response.close()  # a static file is streamed from an open file


def test_a_rejected_post_and_a_redirect_carry_them_too(client, make_event):
    make_event()
    refused = post_form(client, "/e/atelier", valid(email="a;b@example.org"))
    accepted = post_form(client, "/e/atelier", valid())
    for response in (refused, accepted):
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_templates_have_no_inline_script_or_style():
    """What the Content-Security-Policy would block: keep the pages working under it.

    Emails are not served: mail clients ignore style sheets, so their templates style inline."""
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if path.relative_to(TEMPLATES).parts[0] == "email":
            continue
        html = path.read_text(encoding="utf-8")
        for pattern in (
            r"<script(?![^>]*\ssrc=)",
            r"<style",
            r"\sstyle=",
            r"\son[a-z]+=",
            "javascript:",
        ):
            if re.search(pattern, html, re.I):
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert offenders == []


def test_the_personal_page_is_never_cached(client, make_event):
    make_event()
    location = post_form(client, "/e/atelier", valid()).headers["Location"]
    response = client.get(location)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"


# --- cookies and HTTPS ----------------------------------------------------------------------


def cookie_header(response, name: str) -> str:
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "=")]
    return header


def test_over_https_cookies_are_secure_httponly_samesite_and_hsts_is_sent(app_config, make_event):
    make_event()
    app = new_app({**app_config, "HTTPS": True})
    client = app.test_client()
    response = client.get("/e/atelier?lang=en", base_url="https://eventsvc.test")
    session = cookie_header(response, "session")  # holds the CSRF token too
    assert "Secure" in session and "HttpOnly" in session and "SameSite=Lax" in session
    language = cookie_header(response, "lang")
    assert "Secure" in language and "HttpOnly" in language and "SameSite=Lax" in language
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"


def test_over_plain_http_cookies_are_httponly_samesite_but_not_secure(client, make_event):
    make_event()
    session = cookie_header(client.get("/e/atelier"), "session")
    assert "HttpOnly" in session and "SameSite=Lax" in session
    assert "Secure" not in session


@pytest.mark.parametrize("proxies", [0, 1])
def test_forwarded_headers_are_trusted_only_behind_a_declared_proxy(app_config, proxies):
    public = {"SERVER_NAME": None, "PUBLIC_BASE_URL": "https://inscriptions.example.org"}
    app = new_app({**app_config, "PROXY_COUNT": proxies, **public})

    def probe():  # the scheme (Secure cookies), the address (rate limits) and the host checked
        from flask import request

        return {"scheme": request.scheme, "address": request.remote_addr, "host": request.host}

    app.add_url_rule("/probe", view_func=probe)
    seen = (
        app.test_client()
        .get(
            "/probe",
            headers={
                "X-Forwarded-Proto": "https",
                "X-Forwarded-Host": "inscriptions.example.org",
                "X-Forwarded-For": "203.0.113.9",
            },
            environ_base={"REMOTE_ADDR": "10.0.0.2"},
            base_url="http://inscriptions.example.org:8000",
        )
        .json
    )
    if proxies:
        assert seen == {
            "scheme": "https",
            "address": "203.0.113.9",
            "host": "inscriptions.example.org",
        }
    else:
        host = "inscriptions.example.org:8000"
        assert seen == {"scheme": "http", "address": "10.0.0.2", "host": host}


# --- rate limits ----------------------------------------------------------------------------


def test_sign_ups_from_one_address_are_limited_with_a_friendly_page(app_config, make_event):
    make_event()
    client = limited_app(app_config).test_client()
    token = csrf_token(client, "/e/atelier")
    statuses = [
        client.post(
            "/e/atelier", data={**valid(email=f"p{n}@example.org"), "csrf_token": token}
        ).status_code
        for n in range(3)
    ]
    assert statuses == [303, 303, 303]
    refused = client.post("/e/atelier", data={**valid(email="p9@example.org"), "csrf_token": token})
    assert refused.status_code == 429
    html = unescape(refused.get_data(as_text=True))
    assert "Trop de demandes" in html and "Attendez une minute" in html
    assert int(refused.headers["Retry-After"]) > 0
    assert "frame-ancestors 'none'" in refused.headers["Content-Security-Policy"]
    english = client.post("/e/atelier?lang=en", data=valid(email="p10@example.org"))
    assert english.status_code == 429
    assert "Too many requests" in english.get_data(as_text=True)
    assert registration_count() == 3
    # Reading the event is not limited.
    assert client.get("/e/atelier").status_code == 200


def test_another_address_has_its_own_count(app_config, make_event):
    make_event()
    client = limited_app(app_config, SIGNUP_RATE_LIMIT="1 per hour").test_client()

    def post_from(address, n):
        environ = {"REMOTE_ADDR": address}
        token = csrf_token_from(client, environ)
        return client.post(
            "/e/atelier",
            data={**valid(email=f"a{n}@example.org"), "csrf_token": token},
            environ_base=environ,
        ).status_code

    assert post_from("198.51.100.1", 1) == 303
    assert post_from("198.51.100.1", 2) == 429
    assert post_from("198.51.100.2", 3) == 303
    # One IPv6 /64 is one household or office: one count.
    assert post_from("2001:db8:1:2::10", 4) == 303
    assert post_from("2001:db8:1:2::99", 5) == 429
    assert post_from("2001:db8:1:3::10", 6) == 303


def csrf_token_from(client, environ):
    page = client.get("/e/atelier", environ_base=environ).get_data(as_text=True)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_forwarded_addresses_count_only_behind_a_declared_proxy(app_config, make_event):
    make_event()
    for proxies, expected in ((0, [303, 429]), (1, [303, 303])):
        client = limited_app(
            app_config, SIGNUP_RATE_LIMIT="1 per hour", PROXY_COUNT=proxies
        ).test_client()
        token = csrf_token(client, "/e/atelier")
        statuses = [
            client.post(
                "/e/atelier",
                data={**valid(email=f"x{proxies}{n}@example.org"), "csrf_token": token},
                headers={"X-Forwarded-For": f"203.0.113.{n}"},
            ).status_code
            for n in range(2)
        ]
        # Without a declared proxy a client cannot dodge the limit by inventing addresses;
        # behind one, each real client is counted apart.
        assert statuses == expected, proxies


def test_personal_links_are_limited(app_config, make_event):
    make_event()
    client = limited_app(app_config).test_client()
    location = post_form(client, "/e/atelier", valid()).headers["Location"]
    assert client.get(location).status_code == 200
    assert client.get("/r/" + "A" * 43).status_code == 404
    assert client.get(location).status_code == 429


def test_limits_can_be_switched_off(app_config, make_event):
    make_event()
    client = limited_app(app_config, RATELIMIT_ENABLED=False).test_client()
    token = csrf_token(client, "/e/atelier")
    statuses = {
        client.post(
            "/e/atelier", data={**valid(email=f"q{n}@example.org"), "csrf_token": token}
        ).status_code
        for n in range(6)
    }
    assert statuses == {303}


def test_limits_switched_off_from_the_environment(app_config, monkeypatch, redis_uri):
    monkeypatch.setenv("EVENTSVC_RATELIMIT_ENABLED", "false")
    monkeypatch.setenv("EVENTSVC_RATELIMIT_STORAGE_URI", redis_uri)
    config = {k: v for k, v in app_config.items() if not k.startswith("RATELIMIT")}
    app = new_app(config)
    assert app.config["RATELIMIT_ENABLED"] is False
    assert app.config["RATELIMIT_STORAGE_URI"] == redis_uri


def test_counts_kept_in_redis_outlive_a_process(app_config, make_event, redis_uri):
    """With Redis, every worker shares one count: a fresh app continues where the last stopped
    (with the in-memory default a fresh app, like each gunicorn worker, would start again)."""
    make_event()
    shared = {
        "RATELIMIT_STORAGE_URI": redis_uri,
        "SIGNUP_RATE_LIMIT": "2 per hour",
    }
    # An address of our own keeps other tests' counts out (198.18.0.0/15 is reserved for tests).
    number = uuid.uuid4().int % (2**17 - 2) + 1
    environ = {"REMOTE_ADDR": f"198.{18 + (number >> 16)}.{(number >> 8) & 255}.{number & 255}"}
    statuses = []
    for n in range(3):
        client = limited_app(app_config, **shared).test_client()  # a new process, as it were
        token = csrf_token_from(client, environ)
        data = {**valid(email=f"r{n}@example.org"), "csrf_token": token}
        statuses.append(client.post("/e/atelier", data=data, environ_base=environ).status_code)
    assert statuses == [303, 303, 429]


def test_an_unreachable_limit_store_does_not_stop_sign_ups(app_config, make_event, caplog):
    make_event()
    app = limited_app(app_config, RATELIMIT_STORAGE_URI="redis://127.0.0.1:9")  # nothing there
    response = post_form(app.test_client(), "/e/atelier", valid())
    assert response.status_code == 303
    assert registration_count() == 1


# --- honeypot -------------------------------------------------------------------------------


def test_the_honeypot_is_hidden_from_people(client, make_event):
    make_event()
    html = client.get("/e/atelier").get_data(as_text=True)
    block = re.search(r'<div class="hp" aria-hidden="true">(.*?)</div>', html, re.S)
    assert block, "no honeypot on the form"
    field = re.search(r"<input[^>]*name=\"website\"[^>]*>", block.group(1)).group(0)
    assert 'tabindex="-1"' in field and 'autocomplete="off"' in field and 'value=""' in field
    assert "Laissez ce champ vide" in unescape(block.group(1))


def test_a_filled_honeypot_records_nothing_but_looks_like_success(client, make_event):
    make_event()
    response = post_form(client, "/e/atelier", valid(website="https://cheap-pills.example"))
    assert response.status_code == 303
    location = response.headers["Location"].split("eventsvc.test")[-1]
    assert re.fullmatch(r"/r/[A-Za-z0-9_-]{43}", location)
    assert registration_count() == 0
    assert client.get(location).status_code == 404
    # The same person can still sign up for real.
    assert post_form(client, "/e/atelier", valid()).status_code == 303
    assert registration_count() == 1


def test_a_filled_honeypot_on_an_invalid_form_gets_the_usual_errors(client, make_event):
    make_event()
    response = post_form(client, "/e/atelier", valid(email="x;y@example.org", website="spam"))
    assert response.status_code == 200
    assert "« ; »" in unescape(response.get_data(as_text=True))
    assert registration_count() == 0
