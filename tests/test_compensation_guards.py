"""No claims before the event: computing opens once a part has ended and counts only ended
parts; validating (one or all) and creating a finance batch open once the last part has ended.
And « à compléter » claims through the services, the pages and the command line."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from eventsvc.compensation import batches, claim_operations, claim_review, claims, declarations
from eventsvc.compensation.declarations import DeclarationInput
from eventsvc.compensation.models import ClaimStatus
from eventsvc.compensation.rules import TransportMode
from eventsvc.database import utcnow
from eventsvc.extensions import db

from .factories import (
    ORGANISER,
    ORGANISER_PASSWORD,
    checked_person,
    csrf_token,
    driver,
    login,
    person,
    study_day,
)


def in_two_weeks():
    event = study_day(date.today() + timedelta(days=14), "a-venir")
    checked_person(event, "anne@example.org", declared=driver(km="120"), present=())
    return event


def morning_over(slug="en-cours"):
    """Today's study day whose morning ended an hour ago; the afternoon ends in two hours."""
    event = study_day(date.today(), slug)
    now = utcnow()
    morning, afternoon = event.parts
    morning.starts_at, morning.ends_at = now - timedelta(hours=4), now - timedelta(hours=1)
    afternoon.starts_at, afternoon.ends_at = now + timedelta(hours=1), now + timedelta(hours=2)
    db.session.commit()
    return event


def test_computing_is_refused_before_any_part_has_ended(app):
    event = in_two_weeks()
    with pytest.raises(claims.ClaimError) as refused:
        claims.compute_event(event, by=ORGANISER)
    assert "pourront être calculées après la fin de la partie « Matin »" in str(refused.value)
    assert "à 12 h 30" in str(refused.value)
    db.session.rollback()
    assert claims.claims_of(event) == []


def test_only_ended_parts_count_and_validation_waits_for_the_last_one(app):
    event = morning_over()
    anne = checked_person(event, "anne@example.org", declared=driver(km="120"))
    claims.compute_event(event, by=ORGANISER)
    db.session.commit()
    claim = claims.claim_of(anne)
    assert [part["label"] for part in claim.attended] == ["Matin"]  # the afternoon not yet
    assert not claim_review.is_stale(claim)
    for validate in (
        lambda: claim_operations.validate(claim, by=ORGANISER, accept_checks=True),
        lambda: claim_operations.validate_many([claim], by=ORGANISER, accept_checks=True),
    ):
        with pytest.raises(claims.ClaimError) as refused:
            validate()
        assert "pourront être validées après la fin de l'événement" in str(refused.value)
        db.session.rollback()
    assert claims.claim_of(anne).status == ClaimStatus.DRAFT


def test_a_batch_is_refused_while_an_event_of_its_claims_is_not_over(app):
    event = study_day(date(2024, 5, 2), "mai")
    anne = checked_person(event, "anne@example.org", declared=driver(km="120"))
    claims.compute_event(event, by=ORGANISER)
    claim_operations.validate(claims.claim_of(anne), by=ORGANISER, accept_checks=True)
    db.session.commit()
    # A claim validated before the guards existed, of an event moved to the future since.
    for part in event.parts:
        part.starts_at += timedelta(days=3 * 365)
        part.ends_at += timedelta(days=3 * 365)
    db.session.commit()
    with pytest.raises(batches.BatchError) as refused:
        batches.create_batch("T2", date(2024, 4, 1), date(2024, 6, 30), by=ORGANISER)
    assert "n'est pas terminé" in str(refused.value)
    db.session.rollback()
    assert batches.batches() == []


def test_the_claims_page_says_when_claims_open_without_buttons_that_would_be_refused(
    app, make_organiser
):
    event = in_two_weeks()
    make_organiser("alice@example.org", events=[event])
    client = app.test_client()
    login(client, "alice@example.org", ORGANISER_PASSWORD)
    url = f"/dashboard/events/{event.id}/compensation"
    html = client.get(url).get_data(as_text=True)
    assert "Les indemnités pourront être calculées après la fin de la partie « Matin »" in html
    assert "Calculer ou recalculer" not in html
    token = csrf_token(client, "/dashboard/")
    refused = client.post(f"{url}/compute", data={"csrf_token": token})
    assert refused.status_code == 303
    assert "pourront être calculées" in client.get(url).get_data(as_text=True)
    assert claims.claims_of(event) == []


def test_the_command_line_refuses_before_the_end_with_the_same_message(app, runner):
    event = in_two_weeks()
    computed = runner.invoke(args=["compensation", "claims", "compute", event.slug, "--yes"])
    assert computed.exit_code == 1
    assert "pourront être calculées après la fin de la partie « Matin »" in computed.output
    partly = morning_over("partiel")
    checked_person(partly, "yann@example.org", declared=driver(km="60"))
    assert (
        runner.invoke(args=["compensation", "claims", "compute", "partiel", "--yes"]).exit_code == 0
    )
    validated = runner.invoke(
        args=["compensation", "claims", "validate", "partiel", "--all", "--accept-checks", "--yes"]
    )
    assert validated.exit_code == 1
    assert "pourront être validées après la fin de l'événement" in validated.output


def test_public_transport_without_amount_and_childcare_are_to_complete_until_priced(app, runner):
    event = study_day(date(2024, 5, 2), "mai")  # fp: pays tickets on receipt, no childcare
    bus = person(
        event,
        "bus@example.org",
        declared=DeclarationInput(origin="Rennes", transport=TransportMode.PUBLIC_TRANSPORT),
    )
    kids = person(
        event,
        "garde@example.org",
        last="Garde",
        declared=DeclarationInput(
            origin="Dinan-Exemple",
            transport=TransportMode.OTHER,
            childcare_needed=True,
            childcare_hours=Decimal(3),
        ),
    )
    claims.compute_event(event, by=ORGANISER)
    db.session.commit()
    bus_claim, kids_claim = claims.claim_of(bus), claims.claim_of(kids)
    assert claim_review.state_of(bus_claim).to_complete
    [reason] = claim_review.state_of(kids_claim).reasons
    assert "ne paie aucune garde d'enfants" in reason.render()

    listed = runner.invoke(args=["compensation", "claims", "list", "mai"])
    assert "à compléter" in listed.output and "2 indemnité(s) à compléter" in listed.output
    report = claim_operations.validate_many(
        [bus_claim, kids_claim], by=ORGANISER, accept_checks=True
    )
    assert report.validated == [] and len(report.to_complete) == 2
    with pytest.raises(claim_operations.ToComplete):
        claim_operations.validate(bus_claim, by=ORGANISER, accept_checks=True)
    db.session.rollback()

    # A receipt of 0 entered on purpose prices it: the claim can be validated.
    claim_operations.set_public_transport_receipt(
        claims.claim_of(bus), Decimal(0), by=ORGANISER, actor_label="test"
    )
    db.session.commit()
    assert not claim_review.state_of(claims.claim_of(bus)).to_complete
    claim_operations.validate(claims.claim_of(bus), by=ORGANISER, accept_checks=True)
    db.session.commit()
    assert claims.claim_of(bus).status == ClaimStatus.VALIDATED
    # The childcare one stays out of any batch.
    batch = batches.create_batch("T2", date(2024, 4, 1), date(2024, 6, 30), by=ORGANISER)
    assert [claim.payee_name for claim in batch.claims] == [claims.claim_of(bus).payee_name]
    assert declarations.declaration_of(kids).childcare_needed
