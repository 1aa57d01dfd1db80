"""How invitations greet their contacts (issue 15): « Monsieur le Maire », « Madame la
Présidente », « Madame, Monsieur », never « Bonjour M. Loïc Guérin ». Plain function calls; the
emails' use of it is in tests/test_invitations.py."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from eventsvc.invitations.greetings import gender_of, salutation, title_of

FIXTURES = Path(__file__).parent / "fixtures"


def contacts() -> list[dict[str, str]]:
    with open(FIXTURES / "contacts_functions.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=";"))


@pytest.mark.parametrize(
    ("civility", "gender"),
    [
        ("M.", "m"),
        ("M", "m"),
        ("m.", "m"),
        (" Monsieur ", "m"),
        ("MONSIEUR", "m"),
        ("Mr", "m"),
        ("Mme", "f"),
        ("Mme.", "f"),
        ("Madame", "f"),
        ("madame", "f"),
        ("Mlle", "f"),
        ("", None),
        ("Dr", None),
        ("M. ou Mme", None),
        ("Me", None),
    ],
)
def test_civility_spellings(civility, gender):
    assert gender_of(civility) == gender


@pytest.mark.parametrize("row", contacts(), ids=lambda row: f"{row['Civilité']} {row['Fonction']}")
def test_real_contacts_are_greeted_as_a_letter_would(row):
    assert salutation(row["Civilité"], row["Fonction"]) == row["Formule attendue"]
    assert salutation(row["Civilité"], row["Fonction"], "en") == row["Formule anglaise attendue"]


def test_the_complement_is_dropped_not_the_title():
    assert salutation("M.", "Maire de Garches") == "Monsieur le Maire"
    assert salutation("M.", "Maire du Vieux-Bourg") == "Monsieur le Maire"
    assert salutation("M.", "Maire d’Évran") == "Monsieur le Maire"
    assert salutation("Mme", "Présidente de l'Association des maires") == "Madame la Présidente"
    assert salutation("Mme", "Maire et conseillère départementale") == "Madame la Maire"
    assert salutation("Mme", "Maire (Garches)") == "Madame la Maire"
    assert salutation("M.", "Maire - Garches") == "Monsieur le Maire"
    assert salutation("M.", "Maire DE GARCHES") == "Monsieur le Maire"
    # « des » belongs to the title, as do « à » and « au ».
    assert (
        salutation("Mme", "Directrice générale des services")
        == "Madame la Directrice générale des services"
    )
    assert salutation("Mme", "Adjointe au maire de Dinan") == "Madame l'Adjointe au maire"


def test_the_title_agrees_with_the_civility():
    assert salutation("Mme", "Président") == "Madame la Présidente"
    assert salutation("M.", "Présidente") == "Monsieur le Président"
    assert salutation("Mme", "Directeur général des services") == (
        "Madame la Directrice générale des services"
    )
    assert salutation("M.", "Directrice générale des services") == (
        "Monsieur le Directeur général des services"
    )
    assert salutation("Mme", "Conseiller départemental") == "Madame la Conseillère départementale"
    assert salutation("Mme", "Sénateur") == "Madame la Sénatrice"
    assert salutation("Mme", "Préfet") == "Madame la Préfète"
    assert salutation("Mme", "Député") == "Madame la Députée"
    assert salutation("M.", "adjoint") == "Monsieur l'Adjoint"  # elided before a vowel
    assert salutation("Mme", "Maire") == "Madame la Maire"
    assert title_of("MAIRE ADJOINT", "m") == "maire adjoint"


def test_without_a_known_civility_or_an_office():
    assert salutation("", "Maire de Garches") == "Madame, Monsieur"  # « le » or « la » ?
    assert salutation("Dr", "") == "Madame, Monsieur"
    assert salutation("", "") == "Madame, Monsieur"
    assert salutation("Mme", "") == "Madame"
    assert salutation("M.", "   ") == "Monsieur"
    # An agent's function is not a title one is addressed by.
    assert salutation("Mme", "Chargée de mission") == "Madame"
    assert salutation("M.", "Chef de projet") == "Monsieur"
    assert salutation("M.", "Secrétaire de mairie") == "Monsieur"
    assert salutation("M.", "Secrétaire général") == "Monsieur le Secrétaire général"


def test_never_the_name():
    for row in contacts():
        greeting = salutation(row["Civilité"], row["Fonction"])
        assert row["Prénom"] not in greeting and row["NOM"] not in greeting
        assert not greeting.startswith("Bonjour")


def test_the_english_form():
    assert salutation("M.", "Maire de Garches", "en") == "Dear Mayor"
    assert salutation("", "Maire de Garches", "en") == "Dear Mayor"  # needs no civility
    assert salutation("Mme", "Présidente de l'Association des maires", "en") == "Dear President"
    assert salutation("Mme", "Directrice générale des services", "en") == "Dear Madam"
    assert salutation("M.", "", "en") == "Dear Sir"
    assert salutation("", "", "en") == "Dear Madam or Sir"
    assert salutation("", "Directrice", "en_GB") == "Dear Madam or Sir"
