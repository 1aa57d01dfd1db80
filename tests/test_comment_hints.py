"""Reading partial attendance from free-text comments: plain function calls, no app."""

import csv
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from eventsvc.registrations.comment_hints import (
    AFTERNOON,
    MORNING,
    CommentHints,
    Suggestion,
    read_comment,
    suggest,
)
from eventsvc.registrations.periods import is_afternoon, is_morning, lunch_counts, lunch_days
from eventsvc.registrations.rules import PartSpan

from .factories import FIXTURES

PARIS = ZoneInfo("Europe/Paris")
DAY = date(2031, 6, 12)


def at(clock: time, day: date = DAY) -> datetime:
    return datetime.combine(day, clock, PARIS)


MORNING_PART = PartSpan(1, at(time(9, 30)), at(time(12, 30)))
AFTERNOON_PART = PartSpan(2, at(time(14)), at(time(17)))
STUDY_DAY = [MORNING_PART, AFTERNOON_PART]


def fixture_comments() -> dict[str, str]:
    """Comments of the « Non » rows of the sample export, by first name."""
    with open(FIXTURES / "signups_sample.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    return {row[0]: row[-1] for row in rows if row[4] == "Non"}


def test_the_fixture_has_the_six_partial_rows_we_read():
    assert sorted(fixture_comments()) == ["Bruno", "Emma", "Louise", "Sophie", "Théo", "yann"]


@pytest.mark.parametrize(
    ("name", "hints", "suggestion"),
    [
        (
            "yann",  # « Permanence d'accueil le matin, je viendrai l'après-midi. »
            CommentHints(period=AFTERNOON, evidence=("viendrai l'après-midi",)),
            Suggestion((2,)),
        ),
        (
            "Sophie",  # « Présente seulement le matin. »
            CommentHints(period=MORNING, evidence=("seulement le matin",)),
            Suggestion((1,)),
        ),
        (
            "Louise",  # « Je serai présente jusqu'à 15H »
            CommentHints(departure=time(15), evidence=("jusqu'à 15H",)),
            Suggestion((1, 2), departure=time(15)),
        ),
        (
            "Théo",  # « ... uniquement à partir de 10h45. »
            CommentHints(arrival=time(10, 45), evidence=("à partir de 10h45",)),
            Suggestion((1, 2), arrival=time(10, 45)),
        ),
        (
            "Emma",  # « Astreinte téléphonique de 12h à 14h : absente sur ce créneau. »
            CommentHints(absent=(time(12), time(14)), evidence=("de 12h à 14h",)),
            Suggestion((1, 2)),
        ),
        (
            "Bruno",  # « Arrivée vers 11h, départ 16h30 (train). »
            CommentHints(
                arrival=time(11),
                departure=time(16, 30),
                evidence=("Arrivée vers 11h", "départ 16h30"),
            ),
            Suggestion((1, 2), arrival=time(11), departure=time(16, 30)),
        ),
    ],
)
def test_fixture_comments(name, hints, suggestion):
    comment = fixture_comments()[name]
    assert read_comment(comment) == hints
    assert suggest(hints, STUDY_DAY) == suggestion


@pytest.mark.parametrize(
    ("comment", "expected"),
    [
        ("l'après-midi", CommentHints(period=AFTERNOON, evidence=("après-midi",))),
        ("seulement le matin", CommentHints(period=MORNING, evidence=("seulement le matin",))),
        ("Je ne viendrai que le matin", CommentHints(period=MORNING, evidence=("que le matin",))),
        ("uniquement l’aprem", CommentHints(period=AFTERNOON, evidence=("uniquement l’aprem",))),
        ("absente le matin", CommentHints(period=AFTERNOON, evidence=("absente le matin",))),
        ("à partir de 11h15", CommentHints(arrival=time(11, 15), evidence=("à partir de 11h15",))),
        ("a partir de 9:45", CommentHints(arrival=time(9, 45), evidence=("a partir de 9:45",))),
        ("jusqu'à 14H", CommentHints(departure=time(14), evidence=("jusqu'à 14H",))),
        ("jusqu'à midi", CommentHints(departure=time(12), evidence=("jusqu'à midi",))),
        (
            "de 12h à 14h",
            CommentHints(arrival=time(12), departure=time(14), evidence=("de 12h à 14h",)),
        ),
        (
            "arrivée vers 11h, départ 16h30",
            CommentHints(
                arrival=time(11),
                departure=time(16, 30),
                evidence=("arrivée vers 11h", "départ 16h30"),
            ),
        ),
        ("Sous réserve d'un autre engagement", CommentHints()),
        ("Je viendrai avec ma fille (3 ans) : y a-t-il une garde ?", CommentHints()),
        ("parce que le matin je travaille", CommentHints(period=MORNING, evidence=("matin",))),
        ("Le matin ou l'après-midi, je ne sais pas encore", CommentHints()),
        ("", CommentHints()),
    ],
)
def test_read_comment(comment, expected):
    assert read_comment(comment) == expected


def test_times_outside_the_chosen_parts_are_dropped():
    # Leaving at 14:00 sharp: the afternoon (14:00-17:00) is not attended, and 14:00 falls after
    # the morning, so no departure time is suggested.
    assert suggest(read_comment("jusqu'à 14H"), STUDY_DAY) == Suggestion((1,))
    # « de 12h à 14h » as presence: the end of the morning only.
    assert suggest(read_comment("de 12h à 14h"), STUDY_DAY) == Suggestion((1,), arrival=time(12))
    # Arriving before the start says nothing.
    assert suggest(read_comment("à partir de 9h"), STUDY_DAY) == Suggestion((1, 2))


def test_nothing_usable_gives_no_suggestion():
    assert suggest(read_comment("Sous réserve"), STUDY_DAY) is None
    assert suggest(read_comment("à partir de 18h"), STUDY_DAY) is None
    assert suggest(read_comment("seulement le matin"), []) is None


def test_two_day_event_reads_arrival_on_the_first_day_and_departure_on_the_last():
    day2 = date(2031, 6, 13)
    parts = [
        *STUDY_DAY,
        PartSpan(3, at(time(9, 30), day2), at(time(12, 30), day2)),
        PartSpan(4, at(time(14), day2), at(time(17), day2)),
    ]
    hints = read_comment("arrivée vers 14h, départ à 12h")
    assert hints.arrival == time(14) and hints.departure is None  # 12h is before 14h: not read
    # Arrives for the afternoon of day 1 (14:00 is its start: no time to note), leaves at noon
    # on day 2.
    assert suggest(CommentHints(arrival=time(14), departure=time(12)), parts) == Suggestion(
        (2, 3), departure=time(12)
    )


def test_morning_afternoon_and_lunch():
    full_day = PartSpan(9, at(time(9)), at(time(17)))
    assert is_morning(MORNING_PART) and not is_afternoon(MORNING_PART)
    assert is_afternoon(AFTERNOON_PART) and not is_morning(AFTERNOON_PART)
    assert is_morning(full_day) and is_afternoon(full_day)
    assert lunch_days(STUDY_DAY) == [DAY]
    assert lunch_days([full_day]) == [DAY]
    assert lunch_days([MORNING_PART]) == []
    assert lunch_days([AFTERNOON_PART]) == []
    assert lunch_days(STUDY_DAY, arrival=time(11)) == [DAY]
    assert lunch_days(STUDY_DAY, departure=time(16, 30)) == [DAY]
    assert lunch_days(STUDY_DAY, departure=time(12, 15)) == []
    assert lunch_days(STUDY_DAY, arrival=time(13, 30)) == []
    day2 = date(2031, 6, 13)
    two_days = [*STUDY_DAY, PartSpan(3, at(time(9), day2), at(time(17), day2))]
    assert lunch_days(two_days, arrival=time(14), departure=time(16)) == [day2]
    assert lunch_counts(
        [(STUDY_DAY, None, None), ([MORNING_PART], None, None), (two_days, None, None)]
    ) == {
        DAY: 2,
        day2: 1,
    }
