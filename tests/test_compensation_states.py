"""The state of a claim (« à compléter ») and when claims open: pure rules, function calls."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from eventsvc.common.wording import N_
from eventsvc.compensation.rules import (
    CHECK_CHILDCARE_NOT_IN_SCALE,
    CHECK_DISTANCE_NOT_IN_TABLE,
    CHECK_DISTANCE_UNKNOWN,
)
from eventsvc.compensation.rules_states import (
    ClaimState,
    DeclaredCosts,
    PartEnd,
    batch_opens,
    checks_beside,
    claim_state,
    compute_opens,
    ended_parts,
    event_ended,
    hour_text,
    part_ended,
    validation_opens,
)

PARIS = ZoneInfo("Europe/Paris")
MORNING = PartEnd("Matin", datetime(2026, 5, 12, 12, 30, tzinfo=PARIS))
AFTERNOON = PartEnd("Après-midi", datetime(2026, 5, 12, 17, 0, tzinfo=PARIS))
PARTS = [AFTERNOON, MORNING]


def reasons(costs: DeclaredCosts) -> list[str]:
    return [reason.render() for reason in claim_state(costs).reasons]


def test_nothing_declared_or_everything_priced_is_complete():
    assert claim_state(DeclaredCosts()).state == ClaimState.COMPLETE
    assert not claim_state(DeclaredCosts(transport="other")).to_complete
    assert not claim_state(DeclaredCosts(transport="car_passenger")).to_complete
    driver_from_table = DeclaredCosts(
        transport="car_driver", round_trip_km=Decimal(120), distance_in_table=True
    )
    assert claim_state(driver_from_table) == claim_state(DeclaredCosts())


def test_public_transport_without_an_amount_is_to_complete_and_zero_counts_as_priced():
    declared = DeclaredCosts(transport="public_transport")
    state = claim_state(declared)
    assert state.state == ClaimState.TO_COMPLETE and state.to_complete
    assert reasons(declared) == [
        "Transports en commun déclarés, sans montant des billets : saisissez le montant des "
        "justificatifs (0 si rien n'est à rembourser)."
    ]
    for amount in (Decimal(0), Decimal("12.40")):
        priced = DeclaredCosts(transport="public_transport", public_transport_receipt=amount)
        assert not claim_state(priced).to_complete


def test_a_road_distance_neither_in_the_table_nor_typed_by_the_organiser_is_to_complete():
    for mode in ("car_driver", "motorcycle", "moped"):
        typed = DeclaredCosts(transport=mode, round_trip_km=Decimal(300))
        assert reasons(typed) == [
            "Distance absente du distancier : vérifiez la distance déclarée et saisissez-la."
        ]
        unknown = DeclaredCosts(transport=mode)
        assert reasons(unknown) == [
            "Distance du trajet inconnue : saisissez la distance aller-retour vérifiée."
        ]
        checked = DeclaredCosts(transport=mode, round_trip_km=Decimal(300), distance_checked=True)
        assert not claim_state(checked).to_complete


def test_a_typed_distance_differing_from_the_table_is_a_check_not_a_missing_price():
    differs = DeclaredCosts(
        transport="car_driver", round_trip_km=Decimal(150), distance_in_table=True
    )
    assert not claim_state(differs).to_complete


def test_childcare_without_hours_or_unpaid_by_the_scale_is_to_complete():
    no_hours = DeclaredCosts(childcare_needed=True, childcare_hours=None)
    assert reasons(no_hours) == [
        "Garde d'enfants déclarée, sans nombre d'heures : faites compléter la déclaration."
    ]
    assert claim_state(DeclaredCosts(childcare_needed=True, childcare_hours=Decimal(0))).to_complete
    priced = DeclaredCosts(childcare_needed=True, childcare_hours=Decimal(3))
    assert not claim_state(priced).to_complete
    unpaid = DeclaredCosts(
        childcare_needed=True,
        childcare_hours=Decimal(3),
        scale_id="fp-2023",
        scale_pays_childcare=False,
    )
    [reason] = reasons(unpaid)
    assert "le barème fp-2023 ne paie aucune garde d'enfants" in reason and "décidez" in reason
    # Hours not asked: a childcare not needed never counts, whatever the scale.
    assert not claim_state(DeclaredCosts(scale_pays_childcare=False)).to_complete


def test_every_missing_price_is_listed_in_order():
    everything = DeclaredCosts(
        transport="car_driver", childcare_needed=True, scale_pays_childcare=False
    )
    assert [r.split(" ")[0] for r in reasons(everything)] == ["Distance", "Garde"]


def test_a_check_that_a_reason_already_says_is_not_shown_beside_it():
    other = N_("Justificatifs (transports, garde d'enfants) pas encore reçus.")
    unpriced = claim_state(DeclaredCosts(transport="car_driver", round_trip_km=Decimal(84)))
    assert checks_beside(unpriced, [CHECK_DISTANCE_NOT_IN_TABLE, other]) == [other]
    unknown = claim_state(DeclaredCosts(transport="car_driver"))
    assert checks_beside(unknown, [CHECK_DISTANCE_UNKNOWN]) == []
    unpaid = claim_state(
        DeclaredCosts(
            childcare_needed=True,
            childcare_hours=Decimal(2),
            scale_id="fp",
            scale_pays_childcare=False,
        )
    )
    scale_check = N_(CHECK_CHILDCARE_NOT_IN_SCALE.msgid, scale="fp")
    assert checks_beside(unpaid, [scale_check, other]) == [other]
    # Once the distance is checked, the state says nothing of it and a check stays a check.
    checked = claim_state(
        DeclaredCosts(transport="car_driver", round_trip_km=Decimal(84), distance_checked=True)
    )
    assert checks_beside(checked, [CHECK_DISTANCE_NOT_IN_TABLE]) == [CHECK_DISTANCE_NOT_IN_TABLE]


def test_a_part_ends_at_its_end_and_the_event_with_its_last_part():
    at = MORNING.end
    assert not part_ended(at, at - timedelta(seconds=1)) and part_ended(at, at)
    assert ended_parts(PARTS, at) == [MORNING]
    assert not event_ended(PARTS, at) and event_ended(PARTS, AFTERNOON.end)
    assert not event_ended([], at)  # no parts: never over
    # Instants compare across zones: 10:30 UTC is 12:30 in Paris in May.
    assert part_ended(at, datetime(2026, 5, 12, 10, 30, tzinfo=UTC))


def test_the_pages_say_when_claims_open():
    before = datetime(2026, 5, 1, tzinfo=PARIS)
    assert compute_opens(PARTS, before).render() == (
        "Les indemnités pourront être calculées après la fin de la partie « Matin », le "
        "12 mai 2026 à 12 h 30."
    )
    assert compute_opens(PARTS, MORNING.end) is None
    assert validation_opens(PARTS, MORNING.end).render() == (
        "Les indemnités pourront être validées après la fin de l'événement (partie "
        "« Après-midi »), le 12 mai 2026 à 17 h 00."
    )
    assert validation_opens(PARTS, AFTERNOON.end) is None
    assert "« Atelier » n'est pas terminé" in batch_opens("Atelier", PARTS, before).render()
    assert batch_opens("Atelier", PARTS, AFTERNOON.end) is None
    assert compute_opens([], before) is not None and validation_opens([], before) is not None
    assert hour_text(datetime(2026, 5, 12, 9, 5)) == "9 h 05"
