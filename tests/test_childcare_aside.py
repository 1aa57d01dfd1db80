"""Childcare the event's scale does not pay: the organiser removes it from the claim with a reason
(« Retirer la garde de cette demande »), audited, instead of changing the scale or the person's
declaration; the claim leaves « à compléter » and can be validated. A new childcare declaration
asks again."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from eventsvc.audit.models import AuditEvent
from eventsvc.compensation import claim_operations, claim_review, claims, declarations
from eventsvc.compensation.declarations import DeclarationInput
from eventsvc.compensation.models import ClaimStatus
from eventsvc.compensation.rules import TransportMode
from eventsvc.extensions import db

from .factories import (
    CSRF_PATTERN,
    ORGANISER,
    ORGANISER_PASSWORD,
    error_for,
    login,
    person,
    study_day,
)

KIDS = DeclarationInput(
    origin="Dinan-Exemple",
    transport=TransportMode.OTHER,
    childcare_needed=True,
    childcare_hours=Decimal(3),
)


@pytest.fixture
def kids(app, make_organiser):
    """A past study day under « fp » (no childcare), a claim with 3 h of childcare declared, and
    its organiser's client on the claim's page."""
    event = study_day(date(2024, 5, 2), "mai")
    registration = person(event, "garde@example.org", last="Garde", declared=KIDS)
    claims.compute_event(event, by=ORGANISER)
    db.session.commit()
    make_organiser("alice@example.org", events=[event])
    client = app.test_client()
    login(client, "alice@example.org", ORGANISER_PASSWORD)
    claim = claims.claim_of(registration)
    page = f"/dashboard/events/{event.id}/compensation/claims/{claim.id}"
    return client, registration, claim, page


def test_the_organiser_removes_the_childcare_with_a_reason(kids):
    client, registration, claim, page = kids
    html = client.get(page).get_data(as_text=True)
    assert "Retirer la garde de cette demande" in html
    assert "ne paie aucune garde d&#39;enfants" in html  # the one reason « à compléter »
    assert "ne la prévoit pas" not in html  # the rules' check does not repeat it

    empty = client.post(f"{page}/childcare", data={"csrf_token": _token(html), "reason": "  "})
    assert empty.status_code == 200
    assert "Indiquez pourquoi" in error_for(empty.get_data(as_text=True), "reason")
    assert claim_review.state_of(claims.claim_of(registration)).to_complete

    done = client.post(
        f"{page}/childcare",
        data={"csrf_token": _token(html), "reason": "Réglée à part par la commune"},
    )
    assert done.status_code == 303
    db.session.expire_all()
    claim = claims.claim_of(registration)
    state = claim_review.state_of(claim)
    assert not state.to_complete and claim_review.review_checks(claim, state) == []
    assert claim_review.blocking_problems(claim) == []
    line = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "claim.childcare_set_aside")
    ).one()
    assert line.details["reason"] == "Réglée à part par la commune"
    assert line.registration_id == registration.id
    html = client.get(page).get_data(as_text=True)
    assert "non payée : Réglée à part par la commune" in html
    assert "Retirer la garde de cette demande" not in html
    journal = client.get(f"{page.split('/compensation')[0]}/audit").get_data(as_text=True)
    assert "non payée : Réglée à part par la commune" in journal

    claim_operations.validate(claim, by=ORGANISER)  # nothing to accept, nothing to complete
    db.session.commit()
    assert claims.claim_of(registration).status == ClaimStatus.VALIDATED


def test_a_new_childcare_declaration_is_decided_again(kids):
    _client, registration, claim, _page = kids
    claim_operations.set_childcare_aside(
        claim, "Pas de justificatif", by=ORGANISER, actor_label="t"
    )
    db.session.commit()
    assert not claim_review.state_of(claims.claim_of(registration)).to_complete
    # The same declaration saved again changes nothing; other hours are a new question.
    declarations.save(registration, KIDS, actor_label="participant")
    assert declarations.declaration_of(registration).childcare_set_aside == "Pas de justificatif"
    more = DeclarationInput(**{**KIDS.__dict__, "childcare_hours": Decimal(5)})
    declarations.save(registration, more, actor_label="participant")
    db.session.commit()
    assert declarations.declaration_of(registration).childcare_set_aside == ""
    claims.compute_for(registration, by=ORGANISER)
    assert claim_review.state_of(claims.claim_of(registration)).to_complete


def test_a_reason_is_required_and_childcare_must_be_declared(kids):
    _client, registration, claim, _page = kids
    with pytest.raises(claims.ClaimError):
        claim_operations.set_childcare_aside(claim, " ", by=ORGANISER, actor_label="t")
    bus = person(
        claim.event,
        "bus@example.org",
        declared=DeclarationInput(origin="Rennes", transport=TransportMode.PUBLIC_TRANSPORT),
    )
    claims.compute_for(bus, by=ORGANISER)
    with pytest.raises(claims.ClaimError):
        claim_operations.set_childcare_aside(
            claims.claim_of(bus), "x", by=ORGANISER, actor_label="t"
        )


def _token(html: str) -> str:
    return CSRF_PATTERN.search(html).group(1)
