"""The sign-up rules as plain function calls."""

from datetime import datetime, time

import pytest

from eventsvc.common.validation import RuleError, check_email, parse_time
from eventsvc.registrations.rules import PartSpan, check_attendance


@pytest.mark.parametrize(
    ("typed", "normalised", "key"),
    [
        (
            "anne.morvan@metropole.example.org",
            "anne.morvan@metropole.example.org",
            "anne.morvan@metropole.example.org",
        ),
        ("  helene.tanguy@example.net ", "helene.tanguy@example.net", "helene.tanguy@example.net"),
        (
            "CLAIRE.GUILLOU@REGION.EXAMPLE.ORG",
            "CLAIRE.GUILLOU@region.example.org",
            "claire.guillou@region.example.org",
        ),
        (
            "Karim.Haddad@mission-locale.example.org",
            "Karim.Haddad@mission-locale.example.org",
            "karim.haddad@mission-locale.example.org",
        ),
        (
            "françoise.delmas@departement.example.org",
            "françoise.delmas@departement.example.org",
            "françoise.delmas@departement.example.org",
        ),
    ],
)
def test_valid_addresses_are_trimmed_normalised_and_keyed(typed, normalised, key):
    checked = check_email(typed)
    assert checked.typed == typed.strip()
    assert checked.normalised == normalised
    assert checked.key == key


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("nadia;benali@mairie.example.org", "« ; »"),
        ("a@example.org, b@example.org", "« ; »"),
        ("lucas.bernard@@agence.example.org", "un seul « @ »"),
        ("paul.legall", "un seul « @ »"),
        ("paul legall@example.org", "espace"),
        ("paul@", "n'est pas valide"),
        ("", "Indiquez"),
    ],
)
def test_invalid_addresses_get_a_message_saying_what_to_fix(typed, says):
    with pytest.raises(RuleError) as raised:
        check_email(typed)
    assert says in str(raised.value)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("14:30", time(14, 30)),
        ("9:05", time(9, 5)),
        ("14h", time(14)),
        ("11h15", time(11, 15)),
        ("", None),
        ("  ", None),
    ],
)
def test_times_people_type(typed, expected):
    assert parse_time(typed) == expected


@pytest.mark.parametrize("typed", ["25:99", "24:00", "12:60", "midi", "1430", "-1:00"])
def test_impossible_times_are_refused(typed):
    with pytest.raises(RuleError):
        parse_time(typed)


MORNING = PartSpan(1, datetime(2026, 12, 9, 9, 30), datetime(2026, 12, 9, 12, 30))
AFTERNOON = PartSpan(2, datetime(2026, 12, 9, 14, 0), datetime(2026, 12, 9, 17, 0))
DAY_TWO = PartSpan(3, datetime(2026, 12, 10, 9, 0), datetime(2026, 12, 10, 12, 0))


def fields(problems):
    return [problem.field for problem in problems]


def test_full_day_needs_nothing_else():
    assert check_attendance(True, [], None, None) == []


def test_partial_attendance_needs_a_part():
    assert fields(check_attendance(False, [], None, None)) == ["parts"]


def test_times_inside_the_chosen_parts_are_accepted():
    # « uniquement à partir de 11h15 », « jusqu'à 15H »
    assert check_attendance(False, [MORNING, AFTERNOON], time(11, 15), time(15)) == []
    assert check_attendance(False, [AFTERNOON], time(14), time(17)) == []


def test_times_outside_the_chosen_parts_are_refused():
    assert fields(check_attendance(False, [AFTERNOON], time(10), None)) == ["arrival_time"]
    assert fields(check_attendance(False, [MORNING], None, time(16, 30))) == ["departure_time"]


def test_departure_must_follow_arrival_on_a_single_day():
    assert fields(check_attendance(False, [MORNING], time(12), time(10))) == ["departure_time"]


def test_on_several_days_arrival_is_read_on_the_first_and_departure_on_the_last():
    assert check_attendance(False, [AFTERNOON, DAY_TWO], time(15), time(11)) == []
    assert fields(check_attendance(False, [AFTERNOON, DAY_TWO], time(10), None)) == ["arrival_time"]
