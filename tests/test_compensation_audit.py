"""Every compensation write leaves one audit line naming its actor, whether made from the
dashboard or the command line (both call the same service operation, which records it)."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from eventsvc.audit import service as audit
from eventsvc.audit.models import AuditEvent
from eventsvc.compensation import batches, claim_operations, claims, declarations
from eventsvc.compensation.declarations import DeclarationInput
from eventsvc.extensions import db
from eventsvc.registrations.models import Registration

from .factories import (
    ORGANISER_PASSWORD,
    app_config,  # noqa: F401 - the organisation's own scale file
    checked_person,
    csrf_token,
    driver,
    login,
    post_form,
    study_day,
)


def lines(action: str) -> list[AuditEvent]:
    db.session.expire_all()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def by_command_line(action: str) -> list[AuditEvent]:
    return [line for line in lines(action) if line.actor_label == audit.COMMAND_LINE]


@pytest.fixture
def may(app):
    """A compensated study day, two drivers checked in; their typed distances, absent from the
    table, were checked by the organiser (else the claims would be « à compléter »)."""
    event = study_day(date(2024, 5, 2), "mai")
    checked_person(event, "anne@example.org", declared=driver(km="120"))
    checked_person(
        event, "yann@example.org", first="Yann", last="Kergoat", declared=driver(km="40")
    )
    db.session.commit()
    return event


def computed(event):
    claims.compute_event(event, by="test")
    db.session.commit()
    return claims.claims_of(event)


def validated(event):
    for claim in computed(event):
        claim_operations.validate(claim, by="test", accept_checks=True)
    db.session.commit()


# --- The command line ----------------------------------------------------------------------------


def test_claims_compute_on_the_command_line_is_logged(app, runner, may):
    result = runner.invoke(args=["compensation", "claims", "compute", "mai", "--yes"])
    assert result.exit_code == 0, result.output
    [line] = by_command_line("compensation.computed")
    assert line.event_id == may.id and line.details["computed"] == 2


def test_claims_correct_on_the_command_line_is_logged(app, runner, may):
    claim = computed(may)[0]
    line_id = claim.lines[0].id
    result = runner.invoke(
        args=[
            *("compensation", "claims", "correct", str(line_id)),
            *("--quantity", "100", "--reason", "Vérifié sur carte", "--yes"),
        ]
    )
    assert result.exit_code == 0, result.output
    [line] = by_command_line("claim.line_corrected")
    assert line.registration_id == claim.registration_id
    assert line.details["line"] == line_id and line.details["reason"] == "Vérifié sur carte"
    assert line.details["changes"]["quantity"][1] == "100"


def test_claims_receipts_on_the_command_line_is_logged(app, runner, may):
    claim = computed(may)[0]
    result = runner.invoke(args=["compensation", "claims", "receipts", str(claim.id), "--yes"])
    assert result.exit_code == 0, result.output
    [line] = by_command_line("claim.receipts_received")
    assert line.details == {"claim": claim.id}
    undo = ["compensation", "claims", "receipts", str(claim.id), "--not-received", "--yes"]
    assert runner.invoke(args=undo).exit_code == 0
    assert len(by_command_line("claim.receipts_not_received")) == 1


def test_claims_validate_on_the_command_line_is_logged(app, runner, may):
    drafts = computed(may)
    result = runner.invoke(
        args=["compensation", "claims", "validate", "mai", "--all", "--accept-checks", "--yes"]
    )
    assert result.exit_code == 0, result.output
    logged = by_command_line("claim.validated")
    assert sorted(line.details["claim"] for line in logged) == sorted(c.id for c in drafts)
    assert all(line.details["accepted_checks"] is True for line in logged)


def test_batch_create_on_the_command_line_is_logged(app, runner, may):
    validated(may)
    result = runner.invoke(
        args=[
            *("compensation", "batch", "create", "2024 T2"),
            *("--from", "2024-04-01", "--to", "2024-06-30", "--yes"),
        ]
    )
    assert result.exit_code == 0, result.output
    [batch] = batches.batches()
    [line] = by_command_line("batch.created")
    assert line.event_id == may.id and line.details == {"batch": batch.id, "name": "2024 T2"}


def test_batch_paid_on_the_command_line_is_logged(app, runner, may):
    validated(may)
    batch = batches.create_batch("2024 T2", date(2024, 4, 1), date(2024, 6, 30), by="test")
    db.session.commit()
    result = runner.invoke(
        args=["compensation", "batch", "paid", str(batch.id), "--on", "2024-07-15", "--yes"]
    )
    assert result.exit_code == 0, result.output
    [line] = by_command_line("batch.paid")
    assert line.event_id == may.id
    assert line.details == {"batch": batch.id, "paid_on": "2024-07-15"}


def test_event_settings_on_the_command_line_are_logged_like_the_event_form(app, runner, may):
    result = runner.invoke(args=["compensation", "event", "mai", "--no-offer", "--lunch-provided"])
    assert result.exit_code == 0, result.output
    [line] = by_command_line("event.updated")
    assert line.event_id == may.id
    assert line.details == {
        "changes": {"compensation_offered": [True, False], "lunch_provided": [False, True]}
    }
    unchanged = runner.invoke(args=["compensation", "event", "mai", "--lunch-provided"])
    assert unchanged.exit_code == 0, unchanged.output
    assert len(lines("event.updated")) == 1  # nothing changed, nothing logged
    refused = runner.invoke(args=["compensation", "event", "mai", "--offer", "--scale", "nope"])
    assert refused.exit_code == 1 and len(lines("event.updated")) == 1


def test_a_declaration_change_names_the_participant_and_the_changed_fields(app, may):
    anne = db.session.scalar(select(Registration).where(Registration.email == "anne@example.org"))
    declarations.save(anne, driver(km="90"), actor_label=audit.PARTICIPANT)
    declarations.save(anne, driver(km="90"), actor_label=audit.PARTICIPANT)  # the same again
    declarations.save(anne, DeclarationInput.nothing(), actor_label=audit.PARTICIPANT)
    db.session.commit()
    saved = [line for line in lines("declaration.saved") if line.registration_id == anne.id]
    first, changed = saved  # the fixture's, then the new distance; the same again left none
    assert first.details["changes"]["round_trip_km"] == [None, "120"]
    assert list(changed.details["changes"]) == ["round_trip_km"]
    assert [Decimal(km) for km in changed.details["changes"]["round_trip_km"]] == [120, 90]
    [removed] = lines("declaration.removed")
    assert removed.registration_id == anne.id and removed.event_id == may.id
    assert {line.actor_label for line in [*saved, removed]} == {audit.PARTICIPANT}
    assert {line.actor_id for line in [*saved, removed]} == {None}


def test_a_declined_confirmation_leaves_no_line(app, runner, may):
    result = runner.invoke(args=["compensation", "claims", "compute", "mai"], input="n\n")
    assert result.exit_code == 1
    assert lines("compensation.computed") == []


# --- The dashboard -------------------------------------------------------------------------------


def test_the_dashboard_writes_exactly_one_line_per_action(app, may, make_organiser):
    alice = make_organiser("alice@example.org", events=[may])
    client = app.test_client()
    login(client, "alice@example.org", ORGANISER_PASSWORD)
    base = f"/dashboard/events/{may.id}/compensation"

    def post_from(page, url, data):
        response = client.post(url, data={"csrf_token": csrf_token(client, page), **data})
        assert response.status_code in (200, 303)

    post_from(base, f"{base}/compute", {})
    anne = next(c for c in claims.claims_of(may) if "Morvan" in c.payee_name)
    page = f"{base}/claims/{anne.id}"
    mileage = next(line for line in anne.lines if line.kind == "mileage")
    corrected = post_form(
        client, f"{page}/lines/{mileage.id}", {"quantity": "100", "reason": "Vérifié"}
    )
    assert corrected.status_code == 303
    post_from(page, f"{page}/receipts", {"received": "1"})
    post_from(page, f"{page}/validate", {"accept_checks": "y"})
    post_from(base, f"{base}/validate", {"accept_checks": "y"})  # Yann's, the draft left
    url = "/dashboard/compensation/batches"
    created = post_form(client, url, {"name": "T2", "start": "2024-04-01", "end": "2024-06-30"})
    assert created.status_code == 303
    [batch] = batches.batches()
    post_from(f"{url}/{batch.id}", f"{url}/{batch.id}/paid", {"paid_on": "2024-07-15"})

    db.session.expire_all()
    entries = list(db.session.scalars(select(AuditEvent)))
    assert Counter(entry.action for entry in entries) == {
        "declaration.saved": 2,  # Anne's and Yann's, by themselves (the fixture)
        "compensation.computed": 1,
        "claim.line_corrected": 1,
        "claim.receipts_received": 1,
        "claim.validated": 2,
        "batch.created": 1,
        "batch.paid": 1,
    }
    assert {(entry.actor_id, entry.actor_label) for entry in entries} == {
        (alice.id, "alice@example.org"),
        (None, audit.PARTICIPANT),
    }
    assert {entry.action for entry in entries if entry.actor_id is None} == {"declaration.saved"}
