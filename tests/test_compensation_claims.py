"""Claims through the services: real registrations, check-ins and declarations, on a real database.

Every amount below is worked out by hand in a comment. Events are in 2024, when the
public-service scale in force is fp-2023 (mileage of the arrêté of 14 March 2022, meal 20 €).
"""

from datetime import date, time
from decimal import Decimal

import pytest

from eventsvc.attendance import service as attendance
from eventsvc.audit import service as audit
from eventsvc.compensation import (
    claim_history,
    claim_operations,
    claim_review,
    claims,
    declarations,
)
from eventsvc.compensation.declarations import DeclarationInput, DeclarationLocked
from eventsvc.compensation.models import Claim, ClaimStatus, FrozenClaim
from eventsvc.compensation.rules import TransportMode
from eventsvc.extensions import db

from .factories import (
    ORGANISER,
    OWN_SCALE,
    OWN_SCALE_APRIL,
    app_config,  # noqa: F401 - the organisation's own scale file
    checked_person,
    driver,
    import_example_table,
    person,
    study_day,
)

MARCH, MAY = date(2024, 3, 12), date(2024, 5, 2)


def lines_of(claim):
    return [(line.kind, line.quantity, line.rate, line.amount) for line in claim.lines]


def compute(event):
    report = claims.compute_event(event, by=ORGANISER)
    db.session.commit()
    return report


def validate(claim, accept_checks=True):
    """Without a distance table, typed distances carry a check: accepted here, as after a look."""
    claim_operations.validate(claim, by=ORGANISER, accept_checks=accept_checks)
    db.session.commit()


def test_a_6_cv_driver_at_1950_km_this_year_is_paid_56_20_of_mileage(app):
    # Earlier this year the same person drove 1,950 km for the organisation (a long round trip,
    # declared and validated at an event in March; the morning only, so no meal).
    march = study_day(MARCH, "mars")
    earlier = checked_person(
        march, "Anne.Morvan@example.org", declared=driver(km="1950"), present=("Matin",)
    )
    compute(march)
    validate(claims.claim_of(earlier))
    assert claims.claim_of(earlier).car_km == Decimal(1950)

    # In May, the same email (other case) drives 120 km round trip to a full day, lunch not given.
    may = study_day(MAY, "mai")
    anne = checked_person(may, "anne.morvan@example.org", declared=driver(km="120"))
    compute(may)
    claim = claims.claim_of(anne)
    assert claim.scale_id == "fp-2023"
    assert claim.km_before == Decimal(1950)
    # 50 km up to 2,000 × 0.41 = 20.50; 70 km from 2,001 × 0.51 = 35.70; one meal 20.00
    assert lines_of(claim) == [
        ("mileage", Decimal(50), Decimal("0.41"), Decimal("20.50")),
        ("mileage", Decimal(70), Decimal("0.51"), Decimal("35.70")),
        ("meal", Decimal(1), Decimal(20), Decimal("20.00")),
    ]
    mileage = sum(line.amount for line in claim.lines if line.kind == "mileage")
    assert mileage == Decimal("56.20")
    assert claim.total == Decimal("76.20")
    assert claim.lines[0].day == MAY
    assert "jusqu'à 2 000 km" in claim.lines[0].description
    assert [p["label"] for p in claim.attended] == ["Matin", "Après-midi"]


def test_yearly_history_across_two_events_counts_validated_claims_only(app):
    march = study_day(MARCH, "mars")
    may = study_day(MAY, "mai")
    in_march = checked_person(
        march, "yann@example.org", declared=driver(km="100"), present=("Matin",)
    )
    in_may = checked_person(may, "yann@example.org", declared=driver(km="60"), present=("Matin",))
    other = checked_person(may, "zoe@example.org", declared=driver(km="500"), present=("Matin",))
    compute(march)
    compute(may)

    before = claim_history.yearly_history("yann@example.org", 2024)
    assert (before.km_reimbursed, before.km_pending) == (0, Decimal(160))
    # May's draft did not count March, not validated yet: it is stale once March is validated.
    assert claims.claim_of(in_may).km_before == 0
    validate(claims.claim_of(in_march))
    assert claim_review.is_stale(claims.claim_of(in_may))
    with pytest.raises(claims.NeedsChecking):
        claim_operations.validate(claims.claim_of(in_may), by=ORGANISER, accept_checks=True)
    db.session.rollback()
    compute(may)
    assert claims.claim_of(in_may).km_before == Decimal(100)
    validate(claims.claim_of(in_may))

    history = claim_history.yearly_history("yann@example.org", 2024)
    assert [entry.event_title for entry in history.entries] == ["Atelier mobilités"] * 2
    assert [entry.day for entry in history.entries] == [MARCH, MAY]
    assert history.km_reimbursed == Decimal(160) and history.km_pending == 0
    # 100 × 0.41 + 60 × 0.41 = 41.00 + 24.60 = 65.60, all validated, nothing paid yet
    assert history.total_validated == Decimal("65.60") and history.total_paid == 0
    assert history.totals_by_kind == {"mileage": Decimal("65.60")}
    # Another person's kilometres never count; neither does another year.
    assert claim_history.km_reimbursed_before("yann@example.org", date(2025, 1, 15), None) == 0
    assert claims.claim_of(other).km_before == 0
    assert claim_history.yearly_history("yann@example.org", 2023).entries == []


def test_a_passenger_is_recorded_as_carpooling_and_paid_nothing_for_the_trip(app):
    event = study_day(MAY)
    passenger = DeclarationInput(
        origin="Broons-Exemple", transport=TransportMode.CAR_PASSENGER, round_trip_km=Decimal(70)
    )
    someone = person(event, "passager@example.org", declared=passenger)
    compute(event)
    claim = claims.claim_of(someone)
    # the trip at 0 €, the meal (full day, lunch not provided) 20.00
    assert lines_of(claim) == [
        ("carpooling", Decimal(70), Decimal(0), Decimal("0.00")),
        ("meal", Decimal(1), Decimal(20), Decimal("20.00")),
    ]
    assert claim.car_km == 0 and claim.total == Decimal("20.00")
    validate(claim)
    assert claim_history.yearly_history("passager@example.org", 2024).km_reimbursed == 0


def test_half_day_attendees_get_no_meal(app):
    event = study_day(MAY)
    # Registered for the day but checked in the morning only.
    morning = person(event, "matin@example.org", declared=driver(km="40"), present=("Matin",))
    # Checked in at both parts, but declared arriving at 12:15, for the end of the morning:
    # not there before noon, so not across lunch.
    late = person(
        event, "tard@example.org", declared=driver(km="40"), full_day=False, arrival=time(12, 15)
    )
    compute(event)
    # 40 × 0.41 = 16.40 and nothing else
    for registration in (morning, late):
        assert lines_of(claims.claim_of(registration)) == [
            ("mileage", Decimal(40), Decimal("0.41"), Decimal("16.40"))
        ]
    assert claims.claim_of(late).attended[0]["label"] == "Matin"


def test_full_day_with_lunch_provided_gets_no_meal(app):
    event = study_day(MAY, lunch_provided=True)
    someone = person(event, "repas@example.org", declared=driver(km="40"))
    compute(event)
    assert [line.kind for line in claims.claim_of(someone).lines] == ["mileage"]


def test_childcare_over_the_cap_time_and_public_transport_on_an_organisation_scale(app):
    event = study_day(MAY, scale="codev")
    bus = DeclarationInput(
        origin="Évran-Exemple",
        transport=TransportMode.PUBLIC_TRANSPORT,
        childcare_needed=True,
        childcare_hours=Decimal(5),
    )
    parent = person(event, "parent@example.org", declared=bus)
    declarations.set_public_transport_receipt(parent, Decimal("18.40"), by=ORGANISER)
    db.session.commit()
    compute(event)
    claim = claims.claim_of(parent)
    assert claim.scale_id == "codev-2024"
    # meal 20.00; childcare 5 h capped at 3 h × 9.50 = 28.50; time 2 parts × 50 = 100.00 in
    # titres-services; bus 18.40 capped at 15.00 for one day: total 163.50
    assert lines_of(claim) == [
        ("meal", Decimal(1), Decimal(20), Decimal("20.00")),
        ("childcare", Decimal(3), Decimal("9.5"), Decimal("28.50")),
        ("time", Decimal(2), Decimal(50), Decimal("100.00")),
        ("public_transport", Decimal(1), Decimal(15), Decimal("15.00")),
    ]
    assert claim.total == Decimal("163.50")
    assert "plafonnées à 3 h" in claim.lines[1].description
    assert claim.lines[2].payment_form == "service_tickets"
    # receipts are needed before validation
    with pytest.raises(claims.NeedsChecking) as refused:
        claim_operations.validate(claim, by=ORGANISER)
    assert "Justificatifs" in refused.value.checks[0].render()
    claim_operations.mark_receipts_received(claim, by=ORGANISER)
    validate(claim, accept_checks=False)
    assert claim.status == ClaimStatus.VALIDATED
    documents = [d.render() for d in claim_review.required_documents(claim)]
    assert documents == [
        "RIB",
        "justificatifs de transport",
        "facture ou attestation de garde d'enfants",
    ]


def test_a_no_show_gets_no_claim_and_an_undone_check_in_removes_the_draft(app):
    event = study_day(MAY)
    absent = person(event, "absent@example.org", declared=driver(), present=())
    there = person(event, "present@example.org", declared=driver())
    silent = person(event, "silent@example.org", declared=None)
    report = compute(event)
    assert claims.claim_of(absent) is None
    assert [r.email for r in report.undeclared] == ["silent@example.org"]
    assert claims.claim_of(silent) is None
    assert claims.claim_of(there) is not None
    for part in event.parts:
        attendance.undo_check_in(there, part)
    db.session.commit()
    report = compute(event)
    assert report.removed == [there.display_name]
    assert claims.claim_of(there) is None


def test_a_validated_claim_stays_fixed_when_the_scale_and_check_ins_change(app):
    event = study_day(MAY, scale="codev")
    frozen = checked_person(event, "fige@example.org", declared=driver(km="40"))
    draft = checked_person(event, "brouillon@example.org", declared=driver(km="40"))
    compute(event)
    validate(claims.claim_of(frozen))
    before = lines_of(claims.claim_of(frozen))
    # 40 × 0.41 = 16.40, meal 20.00, time 2 × 50 = 100.00
    assert claims.claim_of(frozen).total == Decimal("136.40")

    # A new version of the scale applies from 1 April, and the afternoon check-in is undone.
    scales_file = app.config["COMPENSATION_SCALES_FILE"]
    with open(scales_file, "a", encoding="utf-8") as handle:
        handle.write(OWN_SCALE_APRIL)
    for registration in (frozen, draft):
        attendance.undo_check_in(registration, event.parts[1])
    declarations_locked = declarations.can_change(frozen)
    db.session.commit()
    report = compute(event)

    claim = claims.claim_of(frozen)
    assert report.frozen == [claim]
    assert lines_of(claim) == before and claim.scale_id == "codev-2024"
    assert claim.total == Decimal("136.40") and len(claim.attended) == 2
    # The draft follows: morning only, no meal, no time (the April version has none): 40 × 0.60
    recomputed = claims.claim_of(draft)
    assert recomputed.scale_id == "codev-2024-04"
    assert lines_of(recomputed) == [("mileage", Decimal(40), Decimal("0.6"), Decimal("24.00"))]
    assert declarations_locked is False
    with pytest.raises(DeclarationLocked):
        declarations.save(frozen, driver(km="400"), actor_label=audit.PARTICIPANT)
    # Even bypassing the services, the database session refuses to change it.
    claim.lines[0].amount = Decimal("999.00")
    with pytest.raises(FrozenClaim):
        db.session.flush()
    db.session.rollback()
    claim = claims.claim_of(frozen)
    claim.total = Decimal(0)
    with pytest.raises(FrozenClaim):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(claims.ClaimError):
        claim_operations.correct_line(
            claims.claim_of(frozen).lines[0], quantity=Decimal(1), reason="x", by=""
        )
    with open(scales_file, "w", encoding="utf-8") as handle:
        handle.write(OWN_SCALE)


def test_distances_from_the_table_typed_or_different_are_flagged_until_checked(app):
    import_example_table()
    event = study_day(MAY)
    # Broons-Exemple → Dinan-Exemple is 35.7 km one way in the table: 71.4 round trip.
    from_table = person(event, "table@example.org", declared=driver(km=None))
    typed_same = person(event, "meme@example.org", declared=driver(km="71,4".replace(",", ".")))
    differs = person(event, "autre@example.org", declared=driver(km="90"))
    unknown = person(
        event, "inconnu@example.org", declared=driver(km="55", origin="Quelque-Part-sur-Rance")
    )
    address = person(
        event,
        "adresse@example.org",
        declared=driver(km=None, origin="3 rue des Lilas, 22630 Évran-Exemple"),
    )
    compute(event)
    stored = declarations.declaration_of(from_table)
    assert stored.round_trip_km == Decimal("71.4") and stored.distance_from_table
    assert declarations.declaration_of(address).round_trip_km == Decimal("39.2")  # 2 × 19.6
    assert claims.claim_of(from_table).checks == []
    assert claims.claim_of(typed_same).checks == []
    [different] = claim_review.stored_checks(claims.claim_of(differs))
    assert different.render() == (
        "Distance déclarée (90 km aller-retour) différente de celle du distancier (71,4 km) : "
        "vérifiez-la avant de valider."
    )
    [missing] = claim_review.stored_checks(claims.claim_of(unknown))
    assert "absente du distancier" in missing.render()
    # The typed distance is what is paid until checked: 90 × 0.41 = 36.90 (+ meal 20.00)
    assert claims.claim_of(differs).total == Decimal("56.90")
    with pytest.raises(claims.NeedsChecking):
        claim_operations.validate(claims.claim_of(differs), by=ORGANISER)
    declarations.check_distance(differs, Decimal("71.4"), by=ORGANISER)
    db.session.commit()
    compute(event)
    # 71.4 × 0.41 = 29.274 → 29.27, + 20.00
    assert claims.claim_of(differs).checks == []
    assert claims.claim_of(differs).total == Decimal("49.27")
    validate(claims.claim_of(differs), accept_checks=False)


def test_corrections_keep_what_was_computed_and_survive_recomputing(app):
    event = study_day(MAY)
    someone = person(event, "corrige@example.org", declared=driver(km="120"))
    compute(event)
    claim = claims.claim_of(someone)
    line = claim.lines[0]
    with pytest.raises(claims.ClaimError):
        claim_operations.correct_line(line, quantity=Decimal(100), reason="  ", by=ORGANISER)
    with pytest.raises(claims.ClaimError):
        claim_operations.correct_line(line, quantity=Decimal(-1), reason="erreur", by=ORGANISER)
    claim_operations.correct_line(
        line, quantity=Decimal(100), reason="Trajet vérifié sur le distancier", by=ORGANISER
    )
    db.session.commit()
    # 100 × 0.41 = 41.00, + meal 20.00
    assert (line.amount, line.computed_amount, line.computed_quantity) == (
        Decimal("41.00"),
        Decimal("49.20"),
        Decimal(120),
    )
    assert line.corrected_by == ORGANISER and line.corrected_at is not None
    assert claim.total == Decimal("61.00") and claim.car_km == Decimal(100)
    report = compute(event)
    assert report.kept_corrected == [claim] and claim.total == Decimal("61.00")
    claims.compute_event(event, by=ORGANISER, reset_corrections=True)
    db.session.commit()
    assert claims.claim_of(someone).total == Decimal("69.20") and not claim.corrected


def test_a_rate_the_scale_lacks_is_a_refusal_no_one_can_accept(app):
    event = study_day(MAY, scale="cd88")  # defines no rate for 5 CV and less
    small_car = person(event, "petite@example.org", declared=driver(cv=4, km="40"))
    compute(event)
    claim = claims.claim_of(small_car)
    assert claim.lines == [] and "5 CV et moins" in claim_review.error_of(claim).render()
    with pytest.raises(claims.NeedsChecking):
        claim_operations.validate(claim, by=ORGANISER, accept_checks=True)


def test_computing_twice_gives_the_same_claim(app):
    event = study_day(MAY)
    someone = person(event, "deux@example.org", declared=driver(km="33.3"))
    compute(event)
    first = (claims.claim_of(someone).id, lines_of(claims.claim_of(someone)))
    compute(event)
    assert (claims.claim_of(someone).id, lines_of(claims.claim_of(someone))) == first
    # 33.3 × 0.41 = 13.653 → 13.65
    assert first[1][0][3] == Decimal("13.65")
    assert db.session.query(Claim).count() == 1


def test_an_event_without_compensation_or_scale_is_refused(app):
    event = study_day(MAY)
    event.compensation_scale = ""
    db.session.commit()
    with pytest.raises(claims.ClaimError):
        claims.compute_event(event)
    event.compensation_offered = False
    with pytest.raises(declarations.CompensationNotOffered):
        claims.compute_event(event)


def test_stored_lines_and_checks_are_shown_again_in_english(app):
    from flask_babel import force_locale, gettext

    event = study_day(MAY)
    someone = person(event, "english@example.org", declared=driver(km="120"))
    compute(event)
    claim = claims.claim_of(someone)
    with app.test_request_context(), force_locale("en"):
        text = claim_review.description(claim.lines[0]).render(gettext, "en")
        [check] = claim_review.stored_checks(claim)
        check_text = check.render(gettext, "en")
    assert text == "Mileage allowance, car of 6 and 7 CV, up to 2,000 km in the year"
    assert claim.lines[0].description.startswith("Indemnité kilométrique")
    assert check_text != check.render() and "distance" in check_text.lower()


def test_each_sign_in_sheet_prints_the_reference_claims_cite(app):
    from eventsvc.attendance import documents

    event = study_day(MAY)
    someone = person(event, "preuve@example.org", declared=driver(km="10"), present=("Matin",))
    compute(event)
    [proof] = claims.claim_of(someone).attended
    assert proof["sheet"] == f"EMG-{event.id:04d}-{event.parts[0].id:04d}"
    assert proof["sheet"] in documents.sheet_html(event, event.parts[:1])


def test_an_organisation_scale_file_cannot_reuse_a_shipped_id(app):
    from eventsvc.compensation import catalogue
    from eventsvc.compensation.presets import InvalidScaleData

    path = app.config["COMPENSATION_SCALES_FILE"]
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(OWN_SCALE.replace('id = "codev-2024"', 'id = "fp-2023"'))
    with pytest.raises(InvalidScaleData):
        catalogue.available_scales()
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(OWN_SCALE)
    assert "codev" in catalogue.families() and "fp" in catalogue.families()


def test_distances_are_kept_to_the_hundredth_half_up_on_every_backend(app):
    event = study_day(MAY)
    someone = person(event, "arrondi@example.org", declared=driver(km="15.665"))
    db.session.expire_all()
    assert declarations.declaration_of(someone).round_trip_km == Decimal("15.67")
