"""The compensation rules against worked examples computed by hand (the arithmetic is in each case).

Plain function calls: no Flask, no database.
"""

from dataclasses import replace
from datetime import date, datetime, time
from decimal import Decimal as D

import pytest

from eventsvc.compensation.presets import find_scale, resolve
from eventsvc.compensation.rules import (
    Attendance,
    AttendedDay,
    AttendedPart,
    ChildcareRate,
    Claim,
    Declaration,
    DistanceBand,
    HorsepowerBand,
    InvalidDeclaration,
    LineKind,
    MissingRate,
    NoScaleInForce,
    PaymentForm,
    PublicTransport,
    Scale,
    TimeBasis,
    TimeCompensation,
    TransportMode,
    Unit,
    compute_claim,
    money,
    quote,
    scale_in_force,
    split_by_distance_band,
)

FP = find_scale("fp-2023")  # meal 20 €, mileage of the arrêté du 14 mars 2022
FP_2022 = find_scale("fp-2022")  # same mileage, meal 17.50 €
CD88 = find_scale("cd88-2019")
DAY = date(2024, 3, 14)
DAY_2 = date(2024, 3, 15)

# An association's own scale: 50 € per attended part in titres-services, childcare 12 €/h up to
# 3 h a day, public transport on receipt up to 15 € a day, meals 20 €, cars at the fp rates.
CODEV = Scale(
    id="codev-2024",
    family="codev",
    name="Codev : barème des participants",
    valid_from=date(2024, 1, 1),
    reference="Délibération du conseil d'administration du 12 décembre 2023",
    car_rates=dict(FP.car_rates),
    meal_rate=D("20.00"),
    childcare=ChildcareRate(hourly_rate=D("12.00"), max_hours_per_day=D(3)),
    time=TimeCompensation(TimeBasis.PER_PART, D("50.00"), PaymentForm.SERVICE_TICKETS),
    public_transport=PublicTransport(cap_per_day=D("15.00")),
)


def part(day, start, end, label="Partie"):
    return AttendedPart(label, datetime.combine(day, start), datetime.combine(day, end))


def morning(day=DAY):
    return part(day, time(9, 30), time(12, 30), "Matin")


def afternoon(day=DAY):
    return part(day, time(14), time(17), "Après-midi")


def attended(*parts, lunch_provided=False):
    return Attendance.of(parts, lunch_provided=lunch_provided)


def driver(cv, km, before, **fields):
    return Declaration(
        transport=TransportMode.CAR_DRIVER,
        fiscal_horsepower=cv,
        round_trip_km=D(km),
        km_this_year=D(before),
        **fields,
    )


def summary(claim: Claim):
    return [(line.kind, line.quantity, line.rate, line.amount) for line in claim.lines]


MILEAGE, MEAL, CARPOOLING = LineKind.MILEAGE, LineKind.MEAL, LineKind.CARPOOLING
CHILDCARE, TIME, TRANSPORT = LineKind.CHILDCARE, LineKind.TIME, LineKind.PUBLIC_TRANSPORT

# (case, scale, attendance, declaration, expected lines (kind, quantity, rate, amount), total)
WORKED_EXAMPLES = [
    (
        # 1,950 km already this year: 50 km fill the first band, 70 km fall in the second.
        # 50 × 0.41 + 70 × 0.51 = 20.50 + 35.70 = 56.20
        "6 CV driver, 120 km, 1,950 km already: split at 2,000",
        FP,
        attended(morning()),
        driver(6, 120, 1950),
        [(MILEAGE, 50, "0.41", "20.50"), (MILEAGE, 70, "0.51", "35.70")],
        "56.20",
    ),
    (
        # 9,950 km already: 50 × 0.51 + 70 × 0.30 = 25.50 + 21.00 = 46.50
        "6 CV driver crossing 10,000 km",
        FP,
        attended(morning()),
        driver(7, 120, 9950),
        [(MILEAGE, 50, "0.51", "25.50"), (MILEAGE, 70, "0.30", "21.00")],
        "46.50",
    ),
    (
        # Exactly 2,000 km already: the next kilometre is the 2,001st. 30 × 0.40 = 12.00
        "5 CV driver starting exactly at 2,000 km",
        FP,
        attended(morning()),
        driver(5, 30, 2000),
        [(MILEAGE, 30, "0.40", "12.00")],
        "12.00",
    ),
    (
        # A passenger is recorded (carpooling, 120 km at 0 €) but not paid; lunch is provided.
        "passenger, full day, lunch provided",
        FP,
        attended(morning(), afternoon(), lunch_provided=True),
        Declaration(transport=TransportMode.CAR_PASSENGER, round_trip_km=D(120)),
        [(CARPOOLING, 120, "0", "0.00")],
        "0.00",
    ),
    (
        # Morning only: not there across lunch, no meal. 30 × 0.32 = 9.60
        "half-day attendee: no meal",
        FP,
        attended(morning()),
        driver(5, 30, 0),
        [(MILEAGE, 30, "0.32", "9.60")],
        "9.60",
    ),
    (
        # Afternoon only: no meal either. 30 × 0.32 = 9.60
        "afternoon-only attendee: no meal",
        FP,
        attended(afternoon()),
        driver(5, 30, 0),
        [(MILEAGE, 30, "0.32", "9.60")],
        "9.60",
    ),
    (
        # Morning and afternoon, lunch provided by the event: no meal. 40 × 0.45 = 18.00
        "full day, lunch provided: no meal",
        FP,
        attended(morning(), afternoon(), lunch_provided=True),
        driver(8, 40, 500),
        [(MILEAGE, 40, "0.45", "18.00")],
        "18.00",
    ),
    (
        # Morning and afternoon, lunch not provided: 40 × 0.45 + 1 × 20.00 = 18.00 + 20.00 = 38.00
        "full day, lunch not provided: a meal",
        FP,
        attended(morning(), afternoon()),
        driver(8, 40, 500),
        [(MILEAGE, 40, "0.45", "18.00"), (MEAL, 1, "20.00", "20.00")],
        "38.00",
    ),
    (
        # 5 h declared, capped at 3 h a day: 3 × 12.00 = 36.00, plus 1 part × 50.00 (time)
        "childcare over the daily cap",
        CODEV,
        attended(morning()),
        Declaration(transport=TransportMode.BIKE_OR_FOOT, childcare_hours=D(5)),
        [(CHILDCARE, 3, "12.00", "36.00"), (TIME, 1, "50.00", "50.00")],
        "86.00",
    ),
    (
        # Under the cap: 2.5 × 12.00 = 30.00, plus 1 part × 50.00
        "childcare under the daily cap",
        CODEV,
        attended(afternoon()),
        Declaration(transport=TransportMode.BIKE_OR_FOOT, childcare_hours=D("2.5")),
        [(CHILDCARE, D("2.5"), "12.00", "30.00"), (TIME, 1, "50.00", "50.00")],
        "80.00",
    ),
    (
        # Nothing at all for a no-show, whatever was declared.
        "no-show",
        CODEV,
        Attendance(lunch_provided=False),
        driver(6, 120, 1950, childcare_hours=D(3), public_transport_receipt=D("20.00")),
        [],
        "0.00",
    ),
    (
        # One trip per attended day, the yearly count running on from day 1 to day 2:
        # day 1: 50 × 0.41 + 50 × 0.51 = 20.50 + 25.50 = 46.00, meal 20.00
        # day 2: 100 × 0.51 = 51.00, meal 20.00
        # total 46.00 + 20.00 + 51.00 + 20.00 = 137.00
        "two full days, driver crossing 2,000 km on day 1",
        FP,
        attended(morning(), afternoon(), morning(DAY_2), afternoon(DAY_2)),
        driver(6, 100, 1950),
        [
            (MILEAGE, 50, "0.41", "20.50"),
            (MILEAGE, 50, "0.51", "25.50"),
            (MEAL, 1, "20.00", "20.00"),
            (MILEAGE, 100, "0.51", "51.00"),
            (MEAL, 1, "20.00", "20.00"),
        ],
        "137.00",
    ),
    (
        # Only the second day attended, and only its morning: one trip, no meal.
        # 100 × 0.41 = 41.00
        "two-day event, second morning only",
        FP,
        attended(morning(DAY_2)),
        driver(6, 100, 0),
        [(MILEAGE, 100, "0.41", "41.00")],
        "41.00",
    ),
    (
        # The yearly count restarts on 1 January: 31 Dec 10 × 0.41 + 90 × 0.51 = 4.10 + 45.90,
        # 1 Jan 100 × 0.41 = 41.00; total 50.00 + 41.00 = 91.00
        "event over new year: bands restart",
        FP,
        attended(morning(date(2024, 12, 31)), morning(date(2025, 1, 1))),
        driver(6, 100, 1990),
        [
            (MILEAGE, 10, "0.41", "4.10"),
            (MILEAGE, 90, "0.51", "45.90"),
            (MILEAGE, 100, "0.41", "41.00"),
        ],
        "91.00",
    ),
    (
        # Flat time per attended part, paid in titres-services: 2 × 50.00 = 100.00; meal 20.00
        "time compensation per part, full day",
        CODEV,
        attended(morning(), afternoon()),
        Declaration(transport=TransportMode.BIKE_OR_FOOT),
        [(MEAL, 1, "20.00", "20.00"), (TIME, 2, "50.00", "100.00")],
        "120.00",
    ),
    (
        # Receipt 42.80 €, capped at 15.00 € a day over one day: 15.00; time 1 × 50.00
        "public transport over the cap",
        CODEV,
        attended(morning()),
        Declaration(transport=TransportMode.PUBLIC_TRANSPORT, public_transport_receipt=D("42.80")),
        [(TIME, 1, "50.00", "50.00"), (TRANSPORT, 1, "15.00", "15.00")],
        "65.00",
    ),
    (
        # Two days: cap 2 × 15.00 = 30.00 ≥ 28.40, the whole receipt. Time 50.00 each day.
        "public transport under the cap of two days",
        CODEV,
        attended(morning(), morning(DAY_2)),
        Declaration(transport=TransportMode.PUBLIC_TRANSPORT, public_transport_receipt=D("28.40")),
        [
            (TIME, 1, "50.00", "50.00"),
            (TIME, 1, "50.00", "50.00"),
            (TRANSPORT, 1, "28.40", "28.40"),
        ],
        "128.40",
    ),
    (
        # The public-service scale reimburses the whole receipt: 42.80
        "public transport on the fp scale (no cap)",
        FP,
        attended(morning()),
        Declaration(transport=TransportMode.PUBLIC_TRANSPORT, public_transport_receipt=D("42.80")),
        [(TRANSPORT, 1, "42.80", "42.80")],
        "42.80",
    ),
    (
        # Motorcycle over 125 cm³, no yearly bands: 80 × 0.15 = 12.00
        "motorcycle",
        FP,
        attended(morning()),
        Declaration(transport=TransportMode.MOTORCYCLE, round_trip_km=D(80), km_this_year=D(5000)),
        [(LineKind.TWO_WHEELER, 80, "0.15", "12.00")],
        "12.00",
    ),
    (
        # Other motor two-wheelers: 80 × 0.12 = 9.60
        "moped",
        FP,
        attended(morning()),
        Declaration(transport=TransportMode.MOPED, round_trip_km=D(80)),
        [(LineKind.TWO_WHEELER, 80, "0.12", "9.60")],
        "9.60",
    ),
    (
        # Half up, not to even: 12.5 × 0.41 = 5.125 → 5.13
        "rounding half up per line",
        FP,
        attended(morning()),
        driver(6, "12.5", 0),
        [(MILEAGE, D("12.5"), "0.41", "5.13")],
        "5.13",
    ),
    (
        # A département's own scale: 50 × 0.37 + 70 × 0.46 = 18.50 + 32.20 = 50.70
        "cd88 scale, 6 CV, split at 2,000",
        CD88,
        attended(morning()),
        driver(6, 120, 1950),
        [(MILEAGE, 50, "0.37", "18.50"), (MILEAGE, 70, "0.46", "32.20")],
        "50.70",
    ),
    (
        # cd88 pays no meals: a full day without lunch gives mileage only. 40 × 0.41 = 16.40
        "cd88 scale defines no meal: none paid",
        CD88,
        attended(morning(), afternoon()),
        driver(9, 40, 0),
        [(MILEAGE, 40, "0.41", "16.40")],
        "16.40",
    ),
]


@pytest.mark.parametrize(
    "scale, attendance, declaration, lines, total",
    [case[1:] for case in WORKED_EXAMPLES],
    ids=[case[0] for case in WORKED_EXAMPLES],
)
def test_worked_examples(scale, attendance, declaration, lines, total):
    claim = compute_claim(scale, attendance, declaration)
    assert summary(claim) == [(kind, D(q), D(r), D(a)) for kind, q, r, a in lines]
    assert claim.total == D(total)
    assert str(claim.total) == total  # always two decimals
    assert claim.scale_id == scale.id
    for line in claim.lines:
        assert line.amount == money(line.quantity * line.rate)
    assert compute_claim(scale, attendance, declaration) == claim  # same inputs, same claim


def test_claim_lines_carry_their_day_unit_and_payment_form():
    claim = compute_claim(
        CODEV,
        attended(morning(), afternoon(), morning(DAY_2)),
        driver(6, 20, 0, childcare_hours=D(1)),
    )
    assert [line.day for line in claim.lines if line.kind == MILEAGE] == [DAY, DAY_2]
    assert {line.unit for line in claim.lines if line.kind == MILEAGE} == {Unit.KM}
    time_lines = [line for line in claim.lines if line.kind == TIME]
    assert [line.payment_form for line in time_lines] == [PaymentForm.SERVICE_TICKETS] * 2
    assert [line.unit for line in time_lines] == [Unit.PART, Unit.PART]
    mileage = [line for line in claim.lines if line.kind == MILEAGE]
    assert {line.payment_form for line in mileage} == {PaymentForm.BANK_TRANSFER}
    assert claim.car_km == D(40)  # what the person's yearly count advances by


def test_descriptions_are_readable_in_french():
    claim = compute_claim(FP, attended(morning(), afternoon()), driver(6, 120, 1950))
    assert [str(line.description) for line in claim.lines] == [
        "Indemnité kilométrique, voiture de 6 et 7 CV, jusqu'à 2 000 km dans l'année",
        "Indemnité kilométrique, voiture de 6 et 7 CV, de 2 001 à 10 000 km dans l'année",
        "Indemnité de repas (déjeuner non fourni)",
    ]
    capped = compute_claim(
        CODEV,
        attended(morning()),
        Declaration(public_transport_receipt=D("42.8"), childcare_hours=D("4.5")),
    )
    texts = [str(line.description) for line in capped.lines]
    assert "Garde d'enfants (4,5 h déclarées, plafonnées à 3 h par jour)" in texts
    assert (
        "Transports en commun, sur justificatif de 42,80\u00a0€, plafonné à 15,00\u00a0€ "
        "(15,00\u00a0€ par jour de présence)"
    ) in texts


def test_passenger_trip_is_a_zero_line_not_counted_in_yearly_kilometres():
    claim = compute_claim(
        FP,
        attended(morning(), morning(DAY_2)),
        Declaration(transport=TransportMode.CAR_PASSENGER, round_trip_km=D(35)),
    )
    assert [line.kind for line in claim.lines] == [CARPOOLING, CARPOOLING]
    assert "seul le conducteur" in str(claim.lines[0].description)
    assert claim.car_km == 0
    assert claim.total == D("0.00")


def test_per_hour_time_compensation():
    # 9:30-12:30 (3 h) + 14:00-17:00 (3 h) = 6 h × 18.75 = 112.50; then 10:00-11:20 = 1.33 h
    # (80 minutes, shown to the hundredth) × 18.75 = 24.9375 → 24.94
    scale = replace(
        CODEV,
        time=TimeCompensation(TimeBasis.PER_HOUR, D("18.75"), PaymentForm.VOUCHERS),
        meal_rate=None,
    )
    claim = compute_claim(scale, attended(morning(), afternoon()), Declaration())
    assert summary(claim) == [(TIME, D("6.00"), D("18.75"), D("112.50"))]
    assert claim.lines[0].unit == Unit.HOUR
    assert claim.lines[0].payment_form == PaymentForm.VOUCHERS
    short = compute_claim(scale, attended(part(DAY, time(10), time(11, 20))), Declaration())
    assert summary(short) == [(TIME, D("1.33"), D("18.75"), D("24.94"))]


@pytest.mark.parametrize(
    "parts, across",
    [
        ([(time(9, 30), time(12, 30)), (time(14), time(17))], True),
        ([(time(9, 30), time(12, 30))], False),
        ([(time(14), time(17))], False),
        ([(time(9), time(17))], True),  # a single part over lunch
        ([(time(12), time(14))], True),  # a lunch-time debate
        ([(time(12, 30), time(17))], False),  # arrives after noon
        ([(time(9), time(13, 30))], False),  # leaves before 2 pm
        ([(time(14), time(17)), (time(9), time(11))], True),  # order does not matter
    ],
)
def test_attended_across_lunch(parts, across):
    day = AttendedDay(DAY, tuple(part(DAY, start, end) for start, end in parts))
    assert day.across_lunch is across


def test_attendance_groups_parts_by_local_day():
    attendance = attended(afternoon(DAY_2), morning(), afternoon())
    assert [day.day for day in attendance.days] == [DAY, DAY_2]
    assert [p.label for p in attendance.days[0].parts] == ["Matin", "Après-midi"]


# --- Band splitting equals the yearly formulas of the scale ---
#
# The arrêté gives a rate per km for each band of kilometres driven since 1 January. Written as the
# amount for a yearly distance d (each km at its band's rate), for 6 and 7 CV:
#   d ≤ 2,000           F(d) = d × 0.41
#   2,000 < d ≤ 10,000  F(d) = 2,000 × 0.41 + (d − 2,000) × 0.51 = d × 0.51 − 200
#   d > 10,000          F(d) = 2,000 × 0.41 + 8,000 × 0.51 + (d − 10,000) × 0.30 = d × 0.30 + 1,900
# and likewise for 5 CV and less (d × 0.32; d × 0.40 − 160; d × 0.23 + 1,540) and 8 CV and more
# (d × 0.45; d × 0.55 − 200; d × 0.32 + 2,100). A trip of k km after b km is paid F(b + k) − F(b).

# (rate, constant) of « d × rate + constant » per band: d ≤ 2,000 / ≤ 10,000 / beyond.
YEARLY_FORMULAS = {
    5: [(D("0.32"), 0), (D("0.40"), -160), (D("0.23"), 1540)],
    6: [(D("0.41"), 0), (D("0.51"), -200), (D("0.30"), 1900)],
    8: [(D("0.45"), 0), (D("0.55"), -200), (D("0.32"), 2100)],
}


def yearly_amount(cv, d):
    rate, constant = YEARLY_FORMULAS[cv][0 if d <= 2000 else 1 if d <= 10000 else 2]
    return d * rate + constant


@pytest.mark.parametrize("cv", [5, 6, 8])
@pytest.mark.parametrize(
    "before, km",
    [
        (0, 2000),  # fills the first band exactly
        (1999, 1),  # the 2,000th km: first band
        (2000, 1),  # the 2,001st km: second band
        (1950, 120),
        (1000, 10000),  # through both thresholds in one trip
        (9999, 1),
        (10000, 1),  # the 10,001st km: third band
        (9950, 120),
        (12000, 300),
    ],
)
def test_band_splitting_equals_the_yearly_formulas(cv, before, km):
    lines = quote(FP, cv, D(km), D(before)).lines
    expected = yearly_amount(cv, D(before + km)) - yearly_amount(cv, D(before))
    assert sum(line.amount for line in lines) == expected
    assert sum(line.quantity for line in lines) == km


def test_formulas_meet_at_the_thresholds():
    # Each formula continues the previous one: F(2,000) and F(10,000) agree on both sides.
    for cv, bands in YEARLY_FORMULAS.items():
        for threshold, (left, right) in zip((2000, 10000), zip(bands, bands[1:])):
            assert threshold * left[0] + left[1] == threshold * right[0] + right[1], cv
    assert yearly_amount(6, D(2000)) == D(820)  # 2,000 × 0.41
    assert yearly_amount(6, D(10000)) == D(4900)  # 820 + 8,000 × 0.51


def test_split_by_distance_band():
    up, mid, high = list(DistanceBand)
    assert split_by_distance_band(D(1950), D(120)) == [(up, D(50)), (mid, D(70))]
    assert split_by_distance_band(D(2000), D(1)) == [(mid, D(1))]
    assert split_by_distance_band(D(0), D(0)) == []
    assert split_by_distance_band(D(1000), D(10000)) == [(up, 1000), (mid, 8000), (high, 1000)]
    assert split_by_distance_band(D("1999.5"), D(1)) == [(up, D("0.5")), (mid, D("0.5"))]


@pytest.mark.parametrize(
    "cv, band",
    [
        (1, "5cv_or_less"),
        (5, "5cv_or_less"),
        (6, "6_7cv"),
        (7, "6_7cv"),
        (8, "8cv_or_more"),
        (15, "8cv_or_more"),
    ],
)
def test_horsepower_bands(cv, band):
    assert HorsepowerBand.of(cv) == band


# --- Refusals ---


def test_missing_band_is_refused_not_invented():
    with pytest.raises(MissingRate) as refused:
        compute_claim(CD88, attended(morning()), driver(5, 40, 0))
    assert "cd88-2019" in str(refused.value)
    assert "5 CV et moins" in str(refused.value)
    with pytest.raises(MissingRate):
        quote(CD88, 4, D(40), D(0))
    with pytest.raises(MissingRate, match="motocyclette"):
        compute_claim(
            CD88,
            attended(morning()),
            Declaration(transport=TransportMode.MOTORCYCLE, round_trip_km=D(10)),
        )


def test_quote_refuses_what_the_scale_does_not_define():
    with pytest.raises(MissingRate, match="repas"):
        quote(CD88, 6, D(40), D(0), meals=1)
    with pytest.raises(MissingRate, match="garde d'enfants"):
        quote(FP, 6, D(40), D(0), childcare_hours=D(2))


def test_quote_one_day():
    # 50 × 0.41 + 70 × 0.51 + 2 × 12.00 (childcare, 2 h) + 1 × 20.00 (meal)
    # = 20.50 + 35.70 + 24.00 + 20.00 = 100.20
    claim = quote(CODEV, 6, D(120), D(1950), meals=1, childcare_hours=D(2))
    assert summary(claim) == [
        (MILEAGE, D(50), D("0.41"), D("20.50")),
        (MILEAGE, D(70), D("0.51"), D("35.70")),
        (MEAL, D(1), D("20.00"), D("20.00")),
        (CHILDCARE, D(2), D("12.00"), D("24.00")),
    ]
    assert claim.total == D("100.20")


@pytest.mark.parametrize(
    "declaration",
    [
        driver(None, 40, 0),
        driver(0, 40, 0),
        driver(6, -40, 0),
        driver(6, 40, -1),
        Declaration(childcare_hours=D(-1)),
        Declaration(public_transport_receipt=D("-3")),
    ],
)
def test_impossible_declarations_are_refused(declaration):
    with pytest.raises(InvalidDeclaration):
        compute_claim(CODEV, attended(morning()), declaration)


def test_checks_for_the_organiser():
    unknown = compute_claim(
        FP, attended(morning()), Declaration(TransportMode.CAR_DRIVER, fiscal_horsepower=6)
    )
    assert unknown.lines == ()
    assert ["Distance du trajet inconnue" in str(check) for check in unknown.checks] == [True]

    typed = compute_claim(FP, attended(morning()), driver(6, 30, 0, distance_from_table=False))
    assert [str(check) for check in typed.checks] == [
        "Distance déclarée par la personne, absente du distancier : vérifiez-la avant de valider."
    ]
    assert typed.total == D("12.30")  # 30 × 0.41, computed all the same

    not_covered = compute_claim(
        CD88,
        attended(morning()),
        Declaration(childcare_hours=D(2), public_transport_receipt=D(12)),
    )
    assert not_covered.lines == ()
    assert len(not_covered.checks) == 2
    assert compute_claim(FP, attended(morning()), driver(6, 30, 0)).checks == ()


# --- Versions by date ---


def test_scale_chosen_by_date():
    assert resolve("fp", date(2022, 1, 1)).id == "fp-2022"
    assert resolve("fp", date(2023, 9, 21)).id == "fp-2022"
    assert resolve("fp", date(2023, 9, 22)).id == "fp-2023"
    assert resolve("fp-2022", date(2024, 5, 1)).id == "fp-2023"  # the version in force applies
    assert resolve("cd88", date(2030, 1, 1)).id == "cd88-2019"
    with pytest.raises(NoScaleInForce) as refused:
        resolve("fp", date(2021, 12, 31))
    assert "1er janvier 2022" in str(refused.value)

    # Same full day without lunch, the day before and the day the 20 € meal rate applies:
    # 17.50 then 20.00.
    def meal_on(day):
        scale = resolve("fp", day)
        claim = compute_claim(scale, attended(morning(day), afternoon(day)), Declaration())
        return summary(claim)

    assert meal_on(date(2023, 9, 21)) == [(MEAL, 1, D("17.50"), D("17.50"))]
    assert meal_on(date(2023, 9, 22)) == [(MEAL, 1, D("20.00"), D("20.00"))]


def test_scale_in_force_picks_the_latest_version_on_or_before_the_date():
    v1 = replace(CODEV, id="codev-2024", valid_from=date(2024, 1, 1))
    v2 = replace(CODEV, id="codev-2025", valid_from=date(2025, 7, 1), meal_rate=D("21.00"))
    assert scale_in_force([v2, v1], date(2025, 6, 30)) is v1
    assert scale_in_force([v2, v1], date(2025, 7, 1)) is v2
    with pytest.raises(NoScaleInForce):
        scale_in_force([v1, v2], date(2023, 12, 31))
    with pytest.raises(ValueError):
        scale_in_force([v1, FP], date(2025, 1, 1))  # two different scales
    assert FP_2022.car_rates == FP.car_rates
