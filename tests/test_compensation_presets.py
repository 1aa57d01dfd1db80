"""The scales shipped as data, and the strict reading of the scales file."""

from datetime import date
from decimal import Decimal as D

import pytest

from eventsvc.compensation.presets import (
    InvalidScaleData,
    UnknownScale,
    find_scale,
    load_presets,
    parse_scales,
    resolve,
    versions_of,
)
from eventsvc.compensation.rules import HorsepowerBand, PublicTransport

UP_TO_5, FROM_6_TO_7, FROM_8 = HorsepowerBand


def test_shipped_versions():
    assert [(s.id, s.family, s.valid_from) for s in load_presets()] == [
        ("fp-2022", "fp", date(2022, 1, 1)),
        ("fp-2023", "fp", date(2023, 9, 22)),
        ("cd88-2019", "cd88", date(2019, 1, 1)),
    ]
    for scale in load_presets():
        assert scale.name and scale.reference


def test_public_service_rates_are_those_of_the_arrete_of_14_march_2022():
    for scale in versions_of("fp"):
        assert scale.car_rates == {
            UP_TO_5: (D("0.32"), D("0.40"), D("0.23")),
            FROM_6_TO_7: (D("0.41"), D("0.51"), D("0.30")),
            FROM_8: (D("0.45"), D("0.55"), D("0.32")),
        }
        assert (scale.motorcycle_rate, scale.moped_rate) == (D("0.15"), D("0.12"))
        assert scale.public_transport == PublicTransport(cap_per_day=None)
        assert "14 mars 2022" in scale.reference
    # Meals: 17.50 € (arrêté du 11 octobre 2019), then 20 € from 22 September 2023.
    assert find_scale("fp-2022").meal_rate == D("17.50")
    assert "11 octobre 2019" in find_scale("fp-2022").reference
    assert find_scale("fp-2023").meal_rate == D("20.00")
    assert "20 septembre 2023" in find_scale("fp-2023").reference


def test_departement_scale_says_what_it_does_not_define():
    cd88 = find_scale("cd88-2019")
    assert cd88.car_rates == {
        FROM_6_TO_7: (D("0.37"), D("0.46"), D("0.27")),
        FROM_8: (D("0.41"), D("0.50"), D("0.29")),
    }
    assert UP_TO_5 not in cd88.car_rates
    assert "voitures de 5 CV et moins" in cd88.not_defined
    assert cd88.meal_rate is None and cd88.public_transport is None


def test_rates_are_exact_decimals():
    rate = find_scale("fp-2022").car_rates[FROM_6_TO_7][0]
    assert isinstance(rate, D) and rate == D("0.41")


def test_unknown_scale():
    with pytest.raises(UnknownScale) as refused:
        resolve("fp-2019", date(2024, 1, 1))
    assert "fp-2019" in str(refused.value) and "cd88-2019" in str(refused.value)
    with pytest.raises(UnknownScale):
        find_scale("fp")  # a family is not a version


MINIMAL = """
[[scale]]
id = "asso-2024"
family = "asso"
name = "Association"
valid_from = 2024-01-01
reference = "Décision du bureau du 4 janvier 2024"
"""


def test_an_organisation_scale_with_every_part():
    (scale,) = parse_scales(
        MINIMAL
        + """
[scale.car]
6_7cv = [0.41, 0.51, 0.30]
[scale.meal]
rate = 15
[scale.childcare]
hourly_rate = 11.65
max_hours_per_day = 3
[scale.time]
basis = "per_part"
rate = 50
payment_form = "service_tickets"
[scale.public_transport]
cap_per_day = 25
"""
    )
    assert scale.meal_rate == D(15)
    assert scale.childcare.hourly_rate == D("11.65")
    assert scale.childcare.max_hours_per_day == D(3)
    assert (scale.time.basis, scale.time.rate, scale.time.payment_form) == (
        "per_part",
        D(50),
        "service_tickets",
    )
    assert scale.public_transport.cap_per_day == D(25)
    assert list(scale.car_rates) == [FROM_6_TO_7]


@pytest.mark.parametrize(
    "extra, complaint",
    [
        ("[scale.car]\n6_7cv = [0.41, 0.51]\n", "three rates"),
        ("[scale.car]\n9cv = [0.41, 0.51, 0.30]\n", "unknown keys"),
        ("[scale.meal]\n", "needs ['rate']"),
        ("[scale.meal]\nrate = -1\n", "positive"),
        ('[scale.meal]\nrate = "20"\n', "not a number"),
        ('[scale.time]\nbasis = "per_day"\nrate = 5\n', "time"),
        ("colour = 'blue'\n", "unknown keys"),
    ],
)
def test_scale_file_mistakes_fail_loudly(extra, complaint):
    with pytest.raises(InvalidScaleData, match=complaint.replace("[", r"\[").replace("]", r"\]")):
        parse_scales(MINIMAL + extra)


def test_duplicate_ids_and_bad_dates_are_refused():
    with pytest.raises(InvalidScaleData, match="defined twice"):
        parse_scales(MINIMAL + MINIMAL)
    with pytest.raises(InvalidScaleData, match="valid_from"):
        parse_scales(MINIMAL.replace("2024-01-01", "2024-01-01T00:00:00"))
    with pytest.raises(InvalidScaleData, match="reference"):
        parse_scales(MINIMAL.replace('"Décision du bureau du 4 janvier 2024"', '""'))
