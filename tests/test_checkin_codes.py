"""Check-in codes (issue 17, QR check-in): the code by function calls (common.tokens), then the
check-in page's lookup (code.json, and the plain form without JavaScript), which writes nothing,
and the page's camera permission."""

from __future__ import annotations

import json

import pytest
from flask import current_app
from sqlalchemy import func, select

from eventsvc.attendance.models import CheckIn
from eventsvc.audit.models import AuditEvent
from eventsvc.common import tokens
from eventsvc.extensions import db
from eventsvc.registrations.models import RegistrationStatus

from .factories import ORGANISER_PASSWORD, csrf_token, happening_today, login, participant, post

SECRET = "a-secret-key-for-the-tests"


# --- pure: the code ------------------------------------------------------------------------------


def test_a_code_reads_back_to_its_event_and_registration():
    code = tokens.checkin_code(12, 3456, SECRET)
    assert code.startswith("EVS1:12:3456:") and len(code.rsplit(":", 1)[1]) == 16
    assert tokens.read_checkin_code(code, SECRET) == (12, 3456)
    # Typed by hand: lower case and spaces around are forgiven.
    assert tokens.read_checkin_code(f"  {code.lower()} ", SECRET) == (12, 3456)
    # Only letters, digits and colons: the QR code's compact alphanumeric mode.
    assert all(char.isalnum() or char == ":" for char in code) and code == code.upper()


def test_the_code_is_not_the_personal_link():
    assert tokens.checkin_code(1, 2, SECRET) != tokens.personal_token("2", SECRET)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda code: code.replace("EVS1:12:", "EVS1:13:"),  # another event, same mac
        lambda code: code.replace(":3456:", ":3457:"),  # another person, same mac
        lambda code: code[:-1] + ("A" if code[-1] != "A" else "B"),  # the mac changed
        lambda code: code.rsplit(":", 1)[0],  # no mac
        lambda code: code.replace("EVS1", "EVS2"),
        lambda code: code + ":1",
        lambda code: code.replace(":12:", ":-12:"),
        lambda code: code.replace(":12:", ":１２:"),  # non-ASCII digits
        lambda code: "x" * 500,
        lambda code: "",
    ],
)
def test_a_tampered_code_reads_as_nothing(tamper):
    assert tokens.read_checkin_code(tamper(tokens.checkin_code(12, 3456, SECRET)), SECRET) is None


def test_another_secret_key_reads_nothing():
    code = tokens.checkin_code(12, 3456, SECRET)
    assert tokens.read_checkin_code(code, "another-key") is None


def test_not_text_reads_as_nothing():
    assert tokens.read_checkin_code(None, SECRET) is None  # type: ignore[arg-type]


# --- the lookup ----------------------------------------------------------------------------------


@pytest.fixture
def desk(organiser_client):
    """Check-in open today; Anne DURAND registered for the whole day."""
    event = happening_today(organiser_client.event)
    anne = participant(event, 1, last="Durand", first="Anne", organisation="Mairie d'Exemple")
    return organiser_client, event, event.parts[0], anne


def code_of(registration) -> str:
    return tokens.checkin_code(
        registration.event_id, registration.id, current_app.config["SECRET_KEY"]
    )


def look_up(client, event, part, code, token=None):
    token = token or csrf_token(client, f"/dashboard/events/{event.id}/checkin?part={part.id}")
    return client.post(
        f"/dashboard/events/{event.id}/checkin/code.json",
        data=json.dumps({"part_id": part.id, "code": code}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


def count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(model.id)))


def test_a_code_finds_the_person_and_the_part_and_writes_nothing(desk):
    client, event, part, anne = desk
    audit_lines = count(AuditEvent)
    answer = look_up(client, event, part, code_of(anne))
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    assert data["ok"] and data["part_id"] == part.id and data["part_label"] == part.label
    person = data["person"]
    assert person["registration_id"] == anne.id
    assert (person["first_name"], person["last_name"]) == ("Anne", "Durand")
    assert person["organisation"] == "Mairie d'Exemple"
    assert person["expected"] and not person["present"] and not person["signed"]
    assert person["tap_url"] == f"/dashboard/events/{event.id}/checkin/{part.id}/{anne.id}"
    assert count(CheckIn) == 0 and count(AuditEvent) == audit_lines


def test_the_confirm_is_the_usual_tap_and_is_audited(desk):
    client, event, part, anne = desk
    look_up(client, event, part, code_of(anne))
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin?part={part.id}")
    tap = {"part_id": part.id, "registration_id": anne.id, "present": True}
    answer = client.post(
        f"/dashboard/events/{event.id}/checkin.json",
        data=json.dumps(tap),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 200
    assert count(CheckIn) == 1
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "attendance.checked_in" in actions
    again = look_up(client, event, part, code_of(anne)).get_json()
    assert again["person"]["present"]


def test_a_forged_code_says_so(desk):
    client, event, part, anne = desk
    forged = code_of(anne)[:-3] + "AAA"
    answer = look_up(client, event, part, forged)
    assert answer.status_code == 422
    assert "pas un code d'accueil valide" in answer.get_json()["error"]
    assert look_up(client, event, part, "n'importe quoi").status_code == 422
    assert look_up(client, event, part, "x" * 200).status_code == 422


def test_another_events_code_says_so(desk, make_event):
    client, event, part, _anne = desk
    other = make_event(slug="autre")
    bruno = participant(other, 2, last="Bruno")
    answer = look_up(client, event, part, code_of(bruno))
    assert answer.status_code == 409
    assert answer.get_json()["error"] == "Ce code est celui d'un autre événement."


def test_a_cancelled_registration_says_so(desk):
    client, event, part, anne = desk
    code = code_of(anne)
    anne.status = RegistrationStatus.CANCELLED
    db.session.commit()
    answer = look_up(client, event, part, code)
    assert answer.status_code == 409
    assert answer.get_json()["error"] == "L'inscription de Anne Durand est annulée."


def test_in_english(desk):
    client, event, part, anne = desk
    client.get("/?lang=en")
    other = code_of(anne).replace(f"EVS1:{event.id}:", f"EVS1:{event.id + 1000}:")
    answer = look_up(client, event, part, other)
    assert answer.get_json()["error"] == "This is not a valid check-in code (misread or forged)."


def test_another_organiser_gets_404(app, desk, make_event, make_organiser):
    _client, event, part, anne = desk
    make_organiser("bob@example.org", events=[make_event(slug="bob")])
    bob = app.test_client()
    login(bob, "bob@example.org", ORGANISER_PASSWORD)
    token = csrf_token(bob, "/dashboard/")
    assert look_up(bob, event, part, code_of(anne), token).status_code == 404
    url = f"/dashboard/events/{event.id}/checkin/{part.id}/code"
    assert post(bob, url, {"code": code_of(anne)}).status_code == 404


def test_without_csrf_the_lookup_is_refused(desk):
    client, event, part, anne = desk
    assert look_up(client, event, part, code_of(anne), token="nope").status_code == 400


def test_the_typed_code_without_javascript_leads_to_the_person(desk):
    client, event, part, anne = desk
    page = f"/dashboard/events/{event.id}/checkin?part={part.id}"
    token = csrf_token(client, page)
    url = f"/dashboard/events/{event.id}/checkin/{part.id}/code"
    answer = client.post(url, data={"code": code_of(anne).lower(), "csrf_token": token})
    assert answer.status_code == 303
    assert (
        answer.headers["Location"].endswith(f"#r{anne.id}")
        and "q=Anne" in answer.headers["Location"]
    )
    html = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Code d&#39;accueil de Anne Durand" in html or "Code d'accueil de Anne Durand" in html
    refused = client.post(url, data={"code": "EVS1:1:2:AAAA", "csrf_token": token})
    assert refused.status_code == 303
    html = client.get(refused.headers["Location"]).get_data(as_text=True)
    assert "pas un code d&#39;accueil valide" in html or "pas un code d'accueil valide" in html
    assert count(CheckIn) == 0


def test_only_the_checkin_page_may_use_the_camera(desk):
    client, event, part, _anne = desk
    page = client.get(f"/dashboard/events/{event.id}/checkin?part={part.id}")
    assert page.headers["Permissions-Policy"].startswith("camera=(self),")
    html = page.get_data(as_text=True)
    assert 'id="scan-start"' in html and "scan.js" in html and "vendor/jsQR.js" in html
    overview = client.get(f"/dashboard/events/{event.id}/attendance")
    assert overview.headers["Permissions-Policy"].startswith("camera=(),")
    with client.get("/static/vendor/jsQR.js") as decoder:
        assert decoder.status_code == 200 and b"Apache-2.0" in decoder.data[:200]
