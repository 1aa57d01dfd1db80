"""Distance tables as intercommunalities hand them out."""

import codecs
from decimal import Decimal as D

import pytest

from eventsvc.compensation.distance_table import (
    DistancierError,
    commune_key,
    parse_distancier,
    parse_km,
)

from .factories import FIXTURES

EXAMPLE = (FIXTURES / "distancier_example.csv").read_bytes()


def test_the_example_table():
    table = parse_distancier(EXAMPLE)
    assert len(table) == 56  # 8 communes, each to the 7 others; the header is not a pair
    assert table.one_way("Dinan-Exemple", "Plouër-Exemple") == D("15.6")
    assert table.round_trip("Dinan-Exemple", "Plouër-Exemple") == D("31.2")  # 2 × 15.6
    assert table.round_trip("Caulnes-Exemple", "Saint-Jacut-Exemple") == D("125.0")  # 2 × 62.5


def test_communes_compared_without_accents_case_or_hyphens():
    table = parse_distancier(EXAMPLE)
    assert table.round_trip("evran-exemple", "DINAN EXEMPLE") == D("39.2")  # 2 × 19.6
    assert table.round_trip("  Évran  Exemple ", "dinan-exemple") == D("39.2")
    assert commune_key("Saint-Jacut-de-l’Isle") == commune_key("SAINT JACUT DE L'ISLE")


def test_missing_pair_is_none():
    table = parse_distancier(EXAMPLE)
    assert table.round_trip("Dinan-Exemple", "Rennes") is None
    assert table.one_way("Dinan-Exemple", "") is None


def test_pair_listed_in_one_direction_only_serves_both():
    table = parse_distancier("Dinan;Évran;19,6\n")
    assert table.round_trip("Évran", "Dinan") == D("39.2")


def test_utf8_with_byte_order_mark():
    table = parse_distancier(codecs.BOM_UTF8 + EXAMPLE)
    assert len(table) == 56
    assert table.round_trip("Évran-Exemple", "Dinan-Exemple") == D("39.2")


def test_windows_1252():
    data = EXAMPLE.decode("utf-8").encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really not UTF-8
    table = parse_distancier(data)
    assert table.round_trip("Évran-Exemple", "Plouër-Exemple") == D("68.0")  # 2 × 34,0


def test_utf16_as_some_spreadsheets_save_it():
    table = parse_distancier(EXAMPLE.decode("utf-8").encode("utf-16"))
    assert len(table) == 56


@pytest.mark.parametrize(
    "content",
    [
        "Départ;Arrivée;Km\r\nDinan;Évran;19,6\r\n",  # the usual: semicolon, decimal comma
        "Départ,Arrivée,Km\nDinan,Évran,19.6\n",  # comma, decimal point
        'Départ,Arrivée,Km\nDinan,Évran,"19,6"\n',  # comma, quoted decimal comma
        "Départ,Arrivée,Km\nDinan,Évran,19,6\n",  # comma, unquoted decimal comma
        "Dinan;Évran;19,6 km\n",  # no header, unit written
        "Départ\tArrivée\tKm\nDinan\tÉvran\t19,6\n",  # tab-separated
        "\n\nDépart;Arrivée;Km;Durée\nDinan;Évran;19,6;00:21\n\n",  # blank lines, extra column
    ],
)
def test_separators_and_decimal_comma(content):
    table = parse_distancier(content)
    assert len(table) == 1
    assert table.round_trip("Dinan", "Évran") == D("39.2")


@pytest.mark.parametrize(
    "text, km",
    [
        ("15,6", "15.6"),
        ("15.6", "15.6"),
        ("1 234,5", "1234.5"),
        ("1.234,5", "1234.5"),
        ("1,234.5", "1234.5"),
        ("12 km", "12"),
        ("0", "0"),
        ("-3", None),
        ("abc", None),
        ("", None),
    ],
)
def test_parse_km(text, km):
    assert parse_km(text) == (D(km) if km is not None else None)


@pytest.mark.parametrize(
    "content, complaint",
    [
        ("Départ;Arrivée;Km\nDinan;Évran;vingt\n", "Ligne 2 : « vingt » n'est pas une distance"),
        ("Départ;Arrivée;Km\nDinan;Évran\n", "Ligne 2 : indiquez la commune de départ"),
        ("Départ;Arrivée;Km\nDinan;;19,6\n", "Ligne 2 : indiquez la commune de départ"),
        (
            "Dinan;Évran;19,6\nDinan;Lanvallay;5\ndinan;EVRAN;21\n",
            "Ligne 3 : la distance de dinan à EVRAN figure déjà ligne 1",
        ),
        ("Départ;Arrivée;Km\n", "aucune distance"),
        ("", "aucune distance"),
    ],
)
def test_mistakes_name_the_line(content, complaint):
    with pytest.raises(DistancierError) as refused:
        parse_distancier(content)
    assert complaint in str(refused.value)


def test_same_pair_twice_with_the_same_distance_is_fine():
    assert len(parse_distancier("Dinan;Évran;19,6\nDINAN;evran;19.6\n")) == 1


def test_undecodable_bytes():
    with pytest.raises(DistancierError, match="encodage"):
        parse_distancier(b"Dinan;\x81\x8d;12\n")


def test_a_control_character_in_a_commune_is_refused_with_its_line():
    with pytest.raises(DistancierError) as refused:
        parse_distancier(b"Commune A;Commune B;5,0\nDinan\x00;Evran;19,6\n")
    assert "Ligne 2" in refused.value.message.render()
    assert "caractère de contrôle" in refused.value.message.render()
