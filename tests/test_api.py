"""The REST API (/api/v1, issue 20): tokens, reads with pagination and updated_since, writes with
the public form's rules, problem+json errors in the request's language, scoping, rate limit."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from eventsvc.api.models import ApiToken
from eventsvc.audit.models import AuditEvent
from eventsvc.audit.sentences import Line, sentence
from eventsvc.compensation.models import Claim
from eventsvc.database import utcnow
from eventsvc.extensions import db
from eventsvc.mail.models import OutboxMessage
from eventsvc.registrations.models import Registration

from .factories import (
    ORGANISER_PASSWORD,
    api_token,
    app_config,  # noqa: F401 - the organisation's own scale file
    batch_of,
    bearer,
    checked_in,
    checked_person,
    computed_claims,
    driver,
    error_for,
    happening_today,
    login,
    new_event,
    new_organiser,
    participant,
    post_form,
    study_day,
    validated_claims,
)
from .factories import post as post_dashboard

PROBLEM = "application/problem+json"


@pytest.fixture
def alice(app):
    event = new_event(
        capacity=1, questions=[{"label": "Commune", "required": False}], slug="atelier"
    )
    user = new_organiser("alice@example.org", events=[event])
    return user, event


def get(client, url, secret, **kwargs):
    return client.get(url, headers=bearer(secret, kwargs.pop("language", "fr")), **kwargs)


def post(client, url, secret, payload=None, language="fr", method="post"):
    return getattr(client, method)(url, json=payload, headers=bearer(secret, language))


def signup(**overrides):
    return {
        "first_name": "Léa",
        "last_name": "Bernard",
        "email": "lea@example.org",
        **overrides,
    }


# --- authentication ---------------------------------------------------------------------------


def test_without_a_token_or_with_a_bad_one_401_problem(client, alice):
    for headers in ({}, {"Authorization": "Bearer evs_nope"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/events", headers=headers)
        assert response.status_code == 401
        assert response.mimetype == PROBLEM
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        problem = response.get_json()
        assert problem["status"] == 401 and problem["type"].endswith("unauthorized")
        assert "jeton" in problem["title"].lower()


def test_a_revoked_token_gets_401(client, alice, runner):
    user, _event = alice
    secret = api_token(user)
    assert get(client, "/api/v1/events", secret).status_code == 200
    token = db.session.scalar(select(ApiToken))
    result = runner.invoke(args=["api-tokens", "revoke", str(token.id)])
    assert result.exit_code == 0, result.output
    assert get(client, "/api/v1/events", secret).status_code == 401


def test_an_unknown_api_address_is_a_404_problem(client, alice):
    user, _event = alice
    response = get(client, "/api/v1/nothing-here", api_token(user))
    assert response.status_code == 404 and response.mimetype == PROBLEM


def test_a_method_the_address_does_not_take_is_a_405_problem(client, alice):
    user, _event = alice
    headers = {"Authorization": f"Bearer {api_token(user)}"}
    response = client.delete("/api/v1/events", headers=headers)
    assert response.status_code == 405 and response.mimetype == PROBLEM
    assert response.get_json()["type"].endswith("method-not-allowed")
    assert "GET" in response.headers["Allow"]
    # The site's own pages keep their HTML answer.
    assert client.put("/dashboard/").mimetype == "text/html"


def test_only_the_hash_is_stored(app, alice):
    user, _event = alice
    secret = api_token(user)
    token = db.session.scalar(select(ApiToken))
    assert secret not in (token.token_hash, token.prefix) and secret.startswith(token.prefix)
    assert len(token.token_hash) == 64


# --- reads --------------------------------------------------------------------------------------


def test_events_with_parts_and_questions(client, alice):
    user, event = alice
    new_event(slug="autre")  # another organiser's event: not listed
    secret = api_token(user)
    body = get(client, "/api/v1/events", secret).get_json()
    assert [e["slug"] for e in body["data"]] == ["atelier"]
    assert body["next_cursor"] is None
    [listed] = body["data"]
    assert [p["label"] for p in listed["parts"]] == ["Matin", "Après-midi"]
    assert listed["questions"][0]["label"] == "Commune"
    one = get(client, f"/api/v1/events/{event.id}", secret).get_json()
    assert one["id"] == event.id and one["capacity"] == 1


def test_another_organisers_objects_are_404(client, alice):
    user, _event = alice
    other_event = new_event(slug="autre")
    new_organiser("bob@example.org", events=[other_event])
    theirs = participant(other_event, 1)
    secret = api_token(user, write=True)
    for url in (
        f"/api/v1/events/{other_event.id}",
        f"/api/v1/events/{other_event.id}/registrations",
        f"/api/v1/events/{other_event.id}/check-ins",
        f"/api/v1/events/{other_event.id}/claims",
        f"/api/v1/registrations/{theirs.public_id}",
    ):
        response = get(client, url, secret)
        assert response.status_code == 404, url
        assert response.mimetype == PROBLEM
    assert (
        post(client, f"/api/v1/registrations/{theirs.public_id}/cancel", secret).status_code == 404
    )
    response = post(client, f"/api/v1/events/{other_event.id}/registrations", secret, signup())
    assert response.status_code == 404
    db.session.expire_all()
    assert theirs.status == "confirmed"


def test_registrations_paginated_and_updated_since(client, alice):
    user, event = alice
    event.capacity = None
    db.session.commit()
    people = [participant(event, n) for n in range(1, 6)]
    secret = api_token(user)
    url = f"/api/v1/events/{event.id}/registrations"
    seen, cursor = [], None
    while True:
        query = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = get(client, url, secret, query_string=query).get_json()
        assert len(body["data"]) <= 2
        seen += [r["id"] for r in body["data"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [p.public_id for p in people]
    # Only what changed since the last sync: one person changed later.
    later = utcnow() + timedelta(seconds=1)
    people[2].comment = "Arrive en train"
    people[2].updated_at = later + timedelta(seconds=1)
    db.session.commit()
    body = get(client, url, secret, query_string={"updated_since": later.isoformat()}).get_json()
    assert [r["id"] for r in body["data"]] == [people[2].public_id]
    assert body["data"][0]["comment"] == "Arrive en train"
    bad = get(client, url, secret, query_string={"cursor": "n'importe quoi", "limit": "0"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.get_json()["errors"]} == {"cursor", "limit"}


def test_checkins_listed(client, alice):
    user, event = alice
    happening_today(event)
    person = participant(event, 1)
    checked_in(person, event.parts[0])
    secret = api_token(user)
    body = get(client, f"/api/v1/events/{event.id}/check-ins", secret).get_json()
    assert [(c["registration_id"], c["part_id"]) for c in body["data"]] == [
        (person.public_id, event.parts[0].id)
    ]
    assert get(client, f"/api/v1/events/{event.id}/claims", secret).get_json()["data"] == []
    assert get(client, "/api/v1/batches", secret).get_json()["data"] == []


# --- writes -------------------------------------------------------------------------------------


def test_a_read_token_cannot_write(client, alice):
    user, event = alice
    secret = api_token(user)
    response = post(client, f"/api/v1/events/{event.id}/registrations", secret, signup())
    assert response.status_code == 403 and response.mimetype == PROBLEM
    assert db.session.scalar(select(Registration)) is None


def test_create_change_cancel_through_the_api_with_the_forms_rules(client, alice):
    user, event = alice
    secret = api_token(user, write=True)
    url = f"/api/v1/events/{event.id}/registrations"
    question = event.questions[0]
    response = post(client, url, secret, signup(answers={str(question.id): "Dinan"}))
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert created["status"] == "confirmed"
    assert response.headers["Location"].endswith(f"/api/v1/registrations/{created['id']}")
    assert created["answers"] == [{"question_id": question.id, "value": "Dinan"}]
    # The confirmation email was queued, as for the public form.
    assert db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "lea@example.org")
    )
    # The same address again: duplicate detection.
    again = post(client, url, secret, signup(first_name="Autre"))
    assert again.status_code == 409
    assert again.get_json()["registration_id"] == created["id"]
    # Capacity 1: the next person goes to the waiting list.
    waiting = post(client, url, secret, signup(email="paul@example.org", first_name="Paul"))
    assert waiting.status_code == 201 and waiting.get_json()["status"] == "waitlisted"
    # Change: only the comment; the rest kept.
    one = f"/api/v1/registrations/{created['id']}"
    changed = post(client, one, secret, {"comment": "Végétarienne"}, method="patch")
    assert changed.status_code == 200, changed.get_json()
    assert changed.get_json()["comment"] == "Végétarienne"
    assert changed.get_json()["first_name"] == "Léa"
    # Cancel: Paul is promoted from the waiting list.
    cancelled = post(client, one + "/cancel", secret)
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    paul = get(client, f"/api/v1/registrations/{waiting.get_json()['id']}", secret).get_json()
    assert paul["status"] == "confirmed"
    # Audit: the token's organiser, « via l'API ».
    lines = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
    actions = [(line.action, line.actor_id, line.details.get("via")) for line in lines]
    for action in ("registration.api_added", "registration.updated", "registration.cancelled"):
        assert (action, user.id, "api") in actions, actions
    added = next(line for line in lines if line.action == "registration.api_added")
    text = sentence(Line(added.action, added.details, added.actor_label, "Léa Bernard")).render()
    assert text.endswith("par alice@example.org via l'API"), text


@pytest.mark.parametrize(
    ("language", "expected"),
    [("fr", "Certaines valeurs"), ("en", "Some values")],
)
def test_a_bad_email_is_a_422_problem_in_the_requests_language(client, alice, language, expected):
    user, event = alice
    secret = api_token(user, write=True)
    response = post(
        client,
        f"/api/v1/events/{event.id}/registrations",
        secret,
        signup(email="lea@@example"),
        language=language,
    )
    assert response.status_code == 422 and response.mimetype == PROBLEM
    problem = response.get_json()
    assert problem["title"].startswith(expected)
    assert response.headers["Content-Language"] == language
    [error] = [e for e in problem["errors"] if e["field"] == "email"]
    french = "adresse" in error["detail"].lower()
    assert french == (language == "fr"), error


def test_unknown_or_badly_typed_fields_are_422(client, alice):
    user, event = alice
    secret = api_token(user, write=True)
    url = f"/api/v1/events/{event.id}/registrations"
    unknown = post(client, url, secret, signup(answers={"999999": "?"}), language="en")
    assert unknown.status_code == 422
    assert unknown.get_json()["errors"] == [
        {"field": "answers.999999", "detail": "This event does not ask this question."}
    ]
    response = post(client, url, secret, {"first_name": "Léa", "full_day": "peut-être", "x": 1})
    assert response.status_code == 422
    fields = {e["field"] for e in response.get_json()["errors"]}
    assert fields == {"last_name", "email", "full_day", "x"}
    assert post(client, url, secret, None).status_code == 400


def test_check_in_through_the_api(client, alice):
    user, event = alice
    happening_today(event)
    person = participant(event, 1)
    secret = api_token(user, write=True)
    url = f"/api/v1/events/{event.id}/check-ins"
    payload = {"registration_id": person.public_id, "part_id": event.parts[0].id}
    first = post(client, url, secret, payload)
    assert first.status_code == 201, first.get_json()
    assert post(client, url, secret, payload).status_code == 200  # already recorded
    line = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "attendance.checked_in"))
    assert line.actor_id == user.id and line.details["via"] == "api"
    wrong = post(client, url, secret, {**payload, "part_id": 999999})
    assert wrong.status_code == 422


# --- OpenAPI ------------------------------------------------------------------------


def test_openapi_document_is_valid_and_public(client, app):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    validate(document)
    assert document["openapi"].startswith("3.1")
    assert "/events/{event_id}/registrations" in document["paths"]
    post_op = document["paths"]["/events/{event_id}/registrations"]["post"]
    assert "422" in post_op["responses"] and "requestBody" in post_op


# --- CLI and dashboard --------------------------------------------------------------------------


def test_cli_create_prints_the_token_once_and_lists(app, runner, alice):
    result = runner.invoke(
        args=["api-tokens", "create", "alice@example.org", "--name", "Grist", "--write"]
    )
    assert result.exit_code == 0, result.output
    secret = next(line for line in result.output.splitlines() if line.startswith("evs_"))
    token = db.session.scalar(select(ApiToken))
    assert token.can_write and token.name == "Grist"
    listing = runner.invoke(args=["api-tokens", "list", "alice@example.org"])
    assert token.prefix in listing.output and secret not in listing.output
    client = app.test_client()
    assert get(client, "/api/v1/events", secret).status_code == 200


def test_dashboard_creates_shows_once_lists_and_revokes_scoped(app, alice):
    user, _event = alice
    bob = new_organiser("bob@example.org")
    bobs_secret = api_token(bob, name="Outil de Bob")
    bobs_token = db.session.scalar(select(ApiToken).where(ApiToken.user_id == bob.id))
    client = app.test_client()
    login(client, "alice@example.org", ORGANISER_PASSWORD)
    page = "/dashboard/api-tokens"
    empty = post_form(client, page, {"name": "  "})
    assert empty.status_code == 200
    assert "Donnez un nom" in error_for(empty.get_data(as_text=True), "name")
    created = post_form(client, page, {"name": "Grist", "can_write": "y"})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    html = created.get_data(as_text=True)
    secret = re.search(r'<code id="new-token">(evs_[^<]+)</code>', html).group(1)
    assert get(client, "/api/v1/events", secret).status_code == 200
    listing = client.get(page).get_data(as_text=True)
    assert "Grist" in listing and secret not in listing and "Outil de Bob" not in listing
    # Another organiser's token: 404, and it still works.
    theirs = post_dashboard(client, f"{page}/{bobs_token.id}/revoke")
    assert theirs.status_code == 404
    assert get(client, "/api/v1/events", bobs_secret).status_code == 200
    mine = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    revoked = post_dashboard(client, f"{page}/{mine.id}/revoke")
    assert revoked.status_code == 303
    assert get(client, "/api/v1/events", secret).status_code == 401
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == user.id))
    assert {"api_token.created", "api_token.revoked"} <= set(actions)


def test_claims_and_batches_follow_their_changes(app, alice):
    """A claim validated after the last sync shows up in updated_since; the batch too."""
    user, _event = alice
    event = study_day(date(2024, 5, 2), "mai")
    event.organisers.append(user)
    db.session.commit()
    checked_person(event, "anne@example.org", declared=driver(km="120"))
    [claim] = computed_claims(event)
    client, secret = app.test_client(), api_token(user)
    url = f"/api/v1/events/{event.id}/claims"
    [listed] = get(client, url, secret).get_json()["data"]
    assert listed["status"] == "draft" and listed["registration_id"]
    since = utcnow() + timedelta(seconds=1)
    assert (
        get(client, url, secret, query_string={"updated_since": since.isoformat()}).get_json()[
            "data"
        ]
        == []
    )
    validated_claims(event)
    db.session.execute(
        Claim.__table__.update().values(updated_at=since + timedelta(seconds=1))
    )  # the validation happened « later »
    db.session.commit()
    [changed] = get(
        client, url, secret, query_string={"updated_since": since.isoformat()}
    ).get_json()["data"]
    assert changed["status"] == "validated"
    batch = batch_of("T2", date(2024, 4, 1), date(2024, 6, 30))
    [listed_batch] = get(client, "/api/v1/batches", secret).get_json()["data"]
    assert listed_batch["id"] == batch.id and listed_batch["claim_ids"] == [claim.id]
