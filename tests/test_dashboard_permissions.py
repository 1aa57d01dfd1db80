"""An organiser sees and changes only their own events: every other event's URL answers 404.

The URLs are read from the app's URL map, so a page added later is checked too.
"""

import pytest
from sqlalchemy import func, select

from eventsvc.audit import service as audit
from eventsvc.audit.models import AuditEvent
from eventsvc.events.models import Event
from eventsvc.extensions import db
from eventsvc.registrations import importing
from eventsvc.registrations.models import Registration

from .factories import FIXTURES, ORGANISER_PASSWORD, command, csrf_token, login, move_to_the_past


@pytest.fixture
def two_organisers(app, make_event, make_organiser):
    """Alice organises « atelier-a » (with a registration and an upload); Bob « atelier-b »."""
    from eventsvc.attendance import service as attendance
    from eventsvc.registrations import operations

    event_a = make_event(slug="atelier-a", questions=[{"label": "Fonction"}])
    event_b = make_event(slug="atelier-b", questions=[{"label": "Commune"}])
    alice = make_organiser("alice@example.org", events=[event_a])
    bob = make_organiser("bob@example.org", events=[event_b])
    registration = operations.register(event_a, command(1), locale="fr").registration
    # Checked in, so that her certificate pages exist for Alice (and must not for Bob).
    attendance.check_in(registration, event_a.parts[0])
    # Over, so that her certificate exists (a certificate states ended parts only).
    move_to_the_past(event_a)
    upload = importing.store_upload(
        event_a, "a.csv", (FIXTURES / "signups_sample.csv").read_bytes(), actor=alice
    )
    claim = _claim_of(event_a, registration)
    _meeting_of_a_body(event_a, alice)
    db.session.commit()
    return {
        "event_a": event_a,
        "event_b": event_b,
        "alice": alice,
        "bob": bob,
        "ids_a": {
            "event_id": event_a.id,
            "part_id": event_a.parts[0].id,
            "question_id": event_a.questions[0].id,
            "registration_id": registration.id,
            "upload_id": upload.id,
            "user_id": alice.id,
            "claim_id": claim.id,
            "line_id": claim.lines[0].id,
        },
    }


def _meeting_of_a_body(event, owner):
    """Alice's event is a meeting of her « Bureau » (issue 18): its minutes pages exist."""
    from eventsvc.invitations import bodies
    from eventsvc.invitations import contacts as invitation_contacts

    bureau = invitation_contacts.list_named(owner, "Bureau", actor=owner)
    bodies.save_body(bureau, bodies.BodySettings(is_body=True), actor=owner)
    bodies.set_meeting(event, bodies.body_of(bureau), actor=owner)


def _claim_of(event, registration):
    """Alice's event offers compensation; her participant declared, came and has a claim."""
    from eventsvc.attendance import service as attendance
    from eventsvc.compensation import claims, declarations

    from .factories import driver, move_to_the_past

    event.compensation_offered, event.compensation_scale = True, "fp"
    declarations.save(registration, driver(), actor_label=audit.PARTICIPANT)
    for part in event.parts:
        attendance.check_in(registration, part, by="alice@example.org")
    move_to_the_past(event)  # claims are computed once a part has ended
    return claims.compute_event(event).computed[0]


def dashboard_rules(app):
    rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("dashboard.")]
    return [r for r in rules if "event_id" in r.arguments]


def _path(rule, values):
    path = rule.rule
    for name in rule.arguments:
        path = path.replace(f"<int:{name}>", str(values[name]))
    return path


def test_there_are_many_event_urls_to_check(app):
    assert len(dashboard_rules(app)) >= 25


def test_another_organisers_event_is_404_by_every_url(app, two_organisers):
    bob = app.test_client()
    login(bob, "bob@example.org", ORGANISER_PASSWORD)
    token = csrf_token(bob, "/dashboard/")
    before = db.session.scalar(select(func.count(AuditEvent.id)))
    checked = 0
    for rule in dashboard_rules(app):
        path = _path(rule, two_organisers["ids_a"])
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token, "status": "cancelled", "direction": "up"}
            response = bob.open(path, method=method, data=data if method == "POST" else None)
            assert response.status_code == 404, (method, path, response.status_code)
            checked += 1
    assert checked >= 35
    # Nothing was written, and Alice's event is as it was.
    assert db.session.scalar(select(func.count(AuditEvent.id))) == before
    event_a = db.session.get(Event, two_organisers["ids_a"]["event_id"])
    db.session.refresh(event_a)
    assert event_a.status == "open" and len(event_a.parts) == 2


def test_ids_of_another_event_under_ones_own_event_are_404(app, two_organisers):
    """Bob's event id with Alice's part, question, registration or upload id."""
    bob = app.test_client()
    login(bob, "bob@example.org", ORGANISER_PASSWORD)
    token = csrf_token(bob, "/dashboard/")
    values = {**two_organisers["ids_a"], "event_id": two_organisers["event_b"].id}
    checked = 0
    for rule in dashboard_rules(app):
        if rule.arguments == {"event_id"}:
            continue
        path = _path(rule, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            data = {"csrf_token": token, "direction": "up"}
            response = bob.open(path, method=method, data=data if method == "POST" else None)
            assert response.status_code == 404, (method, path, response.status_code)
            checked += 1
    assert checked >= 15
    assert db.session.scalar(select(func.count(Registration.id))) == 1


def test_the_organiser_reaches_every_page_of_their_own_event(app, two_organisers):
    alice = app.test_client()
    login(alice, "alice@example.org", ORGANISER_PASSWORD)
    for rule in dashboard_rules(app):
        if "GET" not in rule.methods:
            continue
        path = _path(rule, two_organisers["ids_a"])
        response = alice.get(path)
        assert response.status_code == 200, (path, response.status_code)


def test_the_list_shows_only_ones_own_events(app, two_organisers):
    bob = app.test_client()
    login(bob, "bob@example.org", ORGANISER_PASSWORD)
    html = bob.get("/dashboard/").get_data(as_text=True)
    assert f'/dashboard/events/{two_organisers["event_b"].id}"' in html
    assert f'/dashboard/events/{two_organisers["event_a"].id}"' not in html


def test_nobody_logged_in_is_sent_to_the_login_page_by_every_url(app, client, two_organisers):
    for rule in dashboard_rules(app):
        path = _path(rule, two_organisers["ids_a"])
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(path, method=method)
        if method == "POST":
            assert response.status_code in (302, 400), path  # CSRF first, or login
        else:
            assert response.status_code == 302 and "/login" in response.headers["Location"], path


def test_a_co_organiser_gets_access(app, two_organisers):
    alice = app.test_client()
    login(alice, "alice@example.org", ORGANISER_PASSWORD)
    event_a = two_organisers["event_a"]
    token = csrf_token(alice, f"/dashboard/events/{event_a.id}")
    response = alice.post(
        f"/dashboard/events/{event_a.id}/organisers",
        data={"csrf_token": token, "email": "BOB@example.org"},
    )
    assert response.status_code == 303
    bob = app.test_client()
    login(bob, "bob@example.org", ORGANISER_PASSWORD)
    assert bob.get(f"/dashboard/events/{event_a.id}/registrations").status_code == 200
