"""The simulator: `flask --app eventsvc compensation scales|quote`, through Flask's CliRunner."""

import json

import pytest

QUOTE = ["compensation", "quote", "--cv", "6", "--km", "120", "--km-this-year", "1950"]


def test_scales_lists_id_name_valid_from_and_reference(runner):
    result = runner.invoke(args=["compensation", "scales"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "fp-2022 (barème fp) : Fonction publique de l'État, en vigueur à partir du 1er " in out
    assert "fp-2023 (barème fp)" in out and "22 septembre 2023" in out
    assert "cd88-2019 (barème cd88)" in out and "1er janvier 2019" in out
    assert "Référence : Indemnités kilométriques : arrêté du 3 juillet 2006" in out
    assert "Ne définit pas : voitures de 5 CV et moins" in out


def test_quote_in_text_for_an_organiser(runner):
    result = runner.invoke(args=[*QUOTE, "--scale", "fp", "--date", "2024-05-02"])
    assert result.exit_code == 0, result.output
    out = result.output.replace("\u00a0", " ")
    assert "Barème fp-2023 : Fonction publique de l'État" in out
    assert "Version en vigueur le 2 mai 2024 : fp-2023." in out
    assert (
        "Indemnité kilométrique, voiture de 6 et 7 CV, jusqu'à 2 000 km dans l'année : "
        "50 km × 0,41 € = 20,50 €"
    ) in out
    assert "de 2 001 à 10 000 km dans l'année : 70 km × 0,51 € = 35,70 €" in out
    assert out.rstrip().endswith("Total : 56,20 €")


def test_quote_in_json(runner):
    result = runner.invoke(
        args=[
            *QUOTE,
            "--scale",
            "fp-2022",
            "--date",
            "2022-06-01",
            "--meals",
            "1",
            "--format",
            "json",
        ]
    )
    assert result.exit_code == 0, result.output
    quote = json.loads(result.output)  # exactly one JSON object, nothing else printed
    assert quote["scale"]["id"] == "fp-2022"
    assert quote["scale"]["valid_from"] == "2022-01-01"
    assert "14 mars 2022" in quote["scale"]["reference"]
    # 50 × 0.41 + 70 × 0.51 + 1 × 17.50 = 20.50 + 35.70 + 17.50 = 73.70
    assert quote["lines"] == [
        {
            "kind": "mileage",
            "description": "Indemnité kilométrique, voiture de 6 et 7 CV, "
            "jusqu'à 2 000 km dans l'année",
            "quantity": "50",
            "unit": "km",
            "rate": "0.41",
            "amount": "20.50",
        },
        {
            "kind": "mileage",
            "description": "Indemnité kilométrique, voiture de 6 et 7 CV, "
            "de 2 001 à 10 000 km dans l'année",
            "quantity": "70",
            "unit": "km",
            "rate": "0.51",
            "amount": "35.70",
        },
        {
            "kind": "meal",
            "description": "Indemnité de repas (déjeuner non fourni)",
            "quantity": "1",
            "unit": "meal",
            "rate": "17.50",
            "amount": "17.50",
        },
    ]
    assert quote["total"] == "73.70"


def test_quote_json_amounts_always_have_two_decimals(runner):
    base = ["compensation", "quote", "--scale", "fp", "--date", "2024-01-10", "--cv", "8"]
    json_out = ["--km-this-year", "0", "--format", "json"]
    # 31.2 km (typed with a decimal comma) × 0.45 = 14.04
    trip = json.loads(runner.invoke(args=[*base, "--km", "31,2", *json_out]).output)
    assert (trip["lines"][0]["quantity"], trip["total"]) == ("31.2", "14.04")
    # No trip at all: nothing owed, still two decimals.
    nothing = json.loads(runner.invoke(args=[*base, "--km", "0", *json_out]).output)
    assert (nothing["lines"], nothing["total"]) == ([], "0.00")


def test_a_superseded_version_names_the_one_that_applies(runner):
    result = runner.invoke(args=[*QUOTE, "--scale", "fp-2022", "--date", "2024-05-02"])
    assert result.exit_code == 0, result.output
    assert (
        "Le 2 mai 2024, c'est la version fp-2023 qui s'applique, et non fp-2022." in result.output
    )
    assert "Total : 56,20" in result.output


def test_childcare_on_a_scale_without_childcare_is_refused(runner):
    result = runner.invoke(
        args=[*QUOTE, "--scale", "fp", "--date", "2024-05-02", "--childcare-hours", "2"]
    )
    assert result.exit_code == 1
    assert "ne prévoit pas la garde d'enfants" in result.stderr


@pytest.mark.parametrize(
    "args, message",
    [
        (["--scale", "nope", "--date", "2024-05-02"], "Erreur : Barème inconnu : « nope »."),
        (
            ["--scale", "fp", "--date", "2021-12-31"],
            "Erreur : Le barème fp ne s'applique pas le 31 décembre 2021 : sa première version "
            "est en vigueur à partir du 1er janvier 2022.",
        ),
        (
            ["--scale", "cd88", "--date", "2024-05-02", "--cv", "5"],
            "Erreur : Le barème cd88-2019 ne définit pas de taux pour les voitures de 5 CV et "
            "moins : choisissez un autre barème ou complétez celui-ci.",
        ),
        (
            ["--scale", "cd88", "--date", "2024-05-02", "--meals", "1"],
            "Erreur : Le barème cd88-2019 ne prévoit pas d'indemnité de repas",
        ),
    ],
)
def test_refusals_are_clear_messages_with_a_non_zero_exit(runner, args, message):
    result = runner.invoke(args=[*QUOTE, *args])  # a later --cv overrides the first one
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert result.stdout == ""
    assert isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    "args",
    [
        ["--scale", "fp", "--date", "02/05/2024"],
        ["--scale", "fp", "--date", "2024-05-02", "--km", "beaucoup"],
        ["--scale", "fp", "--date", "2024-05-02", "--km-this-year", "-5"],
        ["--scale", "fp", "--date", "2024-05-02", "--cv", "0"],
    ],
)
def test_bad_values_are_usage_errors(runner, args):
    result = runner.invoke(args=[*QUOTE, *args])
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_quote_in_english_when_english_is_the_default_language(app_config):
    from eventsvc import create_app

    app = create_app({**app_config, "BABEL_DEFAULT_LOCALE": "en"})
    result = app.test_cli_runner().invoke(args=[*QUOTE, "--scale", "fp", "--date", "2024-05-02"])
    assert result.exit_code == 0, result.output
    out = result.output.replace("\u00a0", " ")
    assert (
        "Mileage allowance, car of 6 and 7 CV, 2,001 to 10,000 km in the year: "
        "70 km × 0.51 € = 35.70 €"
    ) in out
    assert "Total: 56.20 €" in out
