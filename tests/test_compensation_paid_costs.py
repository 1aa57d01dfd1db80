"""Which costs a scale pays, and how the form says it: plain function calls, no Flask."""

from datetime import date
from decimal import Decimal as D

from eventsvc.compensation.presets import find_scale, parse_scales, resolve
from eventsvc.compensation.rules import (
    ChildcareRate,
    PaidCosts,
    Scale,
    TimeBasis,
    TimeCompensation,
    paid_costs,
    paid_costs_sentence,
)

BARE = Scale(id="bare-2024", family="bare", name="Rien", valid_from=date(2024, 1, 1), reference="-")

ORGANISATION_SCALE = """
[[scale]]
id = "maison-2024"
family = "maison"
name = "Maison"
valid_from = 2024-01-01
reference = "Délibération."

[scale.car]
6_7cv = [0.41, 0.51, 0.30]

[scale.meal]
rate = 20.00

[scale.childcare]
hourly_rate = 9.50

[scale.time]
basis = "per_part"
rate = 50

[scale.public_transport]
cap_per_day = 15
"""


def test_the_public_service_scale_pays_travel_and_meals_not_childcare_nor_time():
    costs = paid_costs(resolve("fp", date(2024, 5, 2)))
    assert costs == PaidCosts(public_transport=True, car=True, two_wheelers=True, meals=True)
    assert costs.distance and costs.anything and not costs.childcare


def test_an_organisation_scale_with_childcare_and_time():
    [scale] = parse_scales(ORGANISATION_SCALE)
    costs = paid_costs(scale)
    assert costs == PaidCosts(
        public_transport=True, car=True, meals=True, childcare=True, time=True
    )
    assert not costs.two_wheelers


def test_the_departement_scale_pays_cars_only():
    assert paid_costs(find_scale("cd88-2019")) == PaidCosts(car=True)


def test_a_scale_defining_nothing_pays_nothing():
    costs = paid_costs(BARE)
    assert costs == PaidCosts() and not costs.anything and not costs.distance


def test_each_table_alone():
    assert paid_costs(Scale(**{**vars(BARE), "childcare": ChildcareRate(D("9.5"))})) == PaidCosts(
        childcare=True
    )
    assert paid_costs(
        Scale(**{**vars(BARE), "time": TimeCompensation(TimeBasis.PER_HOUR, D(10))})
    ) == PaidCosts(time=True)
    assert paid_costs(Scale(**{**vars(BARE), "moped_rate": D("0.12")})) == PaidCosts(
        two_wheelers=True
    )


def test_the_sentence_lists_what_is_paid_in_french():
    assert (
        str(paid_costs_sentence(PaidCosts(public_transport=True, car=True, meals=True)))
        == "Les organisateurs indemnisent : le transport en commun, les kilomètres en voiture "
        "et le repas."
    )
    assert (
        str(paid_costs_sentence(paid_costs(resolve("fp", date(2024, 5, 2)))))
        == "Les organisateurs indemnisent : le transport en commun, les kilomètres en voiture "
        "ou en deux-roues motorisé et le repas."
    )
    [own] = parse_scales(ORGANISATION_SCALE)
    assert (
        str(paid_costs_sentence(paid_costs(own)))
        == "Les organisateurs indemnisent : le transport en commun, les kilomètres en voiture, "
        "le repas, la garde d'enfants et le temps passé."
    )
    assert (
        str(paid_costs_sentence(PaidCosts(car=True)))
        == "Les organisateurs indemnisent : les kilomètres en voiture."
    )
    assert (
        str(paid_costs_sentence(PaidCosts(two_wheelers=True, childcare=True)))
        == "Les organisateurs indemnisent : les kilomètres en deux-roues motorisé et la garde "
        "d'enfants."
    )
    assert str(paid_costs_sentence(PaidCosts())) == (
        "Le barème de cet événement n'indemnise aucun frais."
    )


def test_the_sentence_is_translated_piece_by_piece():
    english = {
        "Les organisateurs indemnisent : %(costs)s.": "The organisers pay for: %(costs)s.",
        "%(first)s et %(last)s": "%(first)s and %(last)s",
        "le repas": "the meal",
        "la garde d'enfants": "childcare",
    }
    sentence = paid_costs_sentence(PaidCosts(meals=True, childcare=True))
    assert sentence.render(lambda msgid: english.get(msgid, msgid), "en") == (
        "The organisers pay for: the meal and childcare."
    )
