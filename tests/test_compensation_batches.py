"""Batches and the finance export, and the organiser's commands, through Flask's CliRunner."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from eventsvc.compensation import (
    batches,
    claim_history,
    claim_operations,
    claim_review,
    claims,
    distances,
)
from eventsvc.compensation.declarations import DeclarationInput
from eventsvc.compensation.models import ClaimStatus
from eventsvc.compensation.rules import TransportMode
from eventsvc.extensions import db

from .factories import (
    FIXTURES,
    ORGANISER,
    app_config,  # noqa: F401 - the organisation's own scale file
    driver,
    import_example_table,
    person,
    study_day,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CENT = Decimal("0.01")


def cents(value) -> Decimal:
    """A cell read back (float from XLSX, « 56,20 » from CSV) as an exact amount."""
    return Decimal(str(value).replace(",", ".")).quantize(CENT)


def quarter_with_claims():
    """Two events of the second quarter of 2024, four people, validated claims."""
    import_example_table()
    may = study_day(date(2024, 5, 2), "mai")
    june = study_day(date(2024, 6, 6), "juin", scale="codev", lunch_provided=True)
    anne = person(may, "anne@example.org", declared=driver(km=None), last="Morvan")
    hostile = person(
        may,
        "hostile@example.org",
        first="@admin",
        last='=HYPERLINK("http://evil.example","x")',
        declared=DeclarationInput(
            origin="-2+3+cmd|' /C calc'!A0",
            transport=TransportMode.CAR_PASSENGER,
            round_trip_km=Decimal(30),
        ),
    )
    yann = person(
        june,
        "yann@example.org",
        first="Yann",
        last="Kergoat",
        declared=DeclarationInput(
            origin="Évran-Exemple",
            transport=TransportMode.CAR_DRIVER,
            fiscal_horsepower=8,
            childcare_needed=True,
            childcare_hours=Decimal(2),
        ),
        present=("Matin",),
    )
    anne_june = person(june, "anne@example.org", declared=driver(km=None), last="Morvan")
    for event in (may, june):
        claims.compute_event(event, by=ORGANISER)
    claim_operations.mark_receipts_received(claims.claim_of(yann), by=ORGANISER)
    db.session.commit()
    for event in (may, june):
        for claim in claims.claims_of(event):
            claim_operations.validate(claim, by=ORGANISER)
            db.session.commit()
            # June's draft of Anne follows May once May is validated
            for later in claims.claims_of(june):
                if not later.frozen and claim_review.is_stale(later):
                    claims.compute_for(later.registration, by=ORGANISER)
            db.session.commit()
    return may, june, (anne, hostile, yann, anne_june)


def test_a_quarter_exported_for_finance_reconciles_to_the_cent(app, tmp_path):
    may, june, (anne, hostile, yann, anne_june) = quarter_with_claims()
    # Anne, May: Broons-Exemple 71.4 km × 0.41 = 29.274 → 29.27, meal 20.00 = 49.27
    assert claims.claim_of(anne).total == Decimal("49.27")
    # Passenger: carpooling 30 km at 0, meal 20.00
    assert claims.claim_of(hostile).total == Decimal("20.00")
    # Yann, June, morning only, 8 CV: 39.2 × 0.45 = 17.64; childcare 2 h × 9.50 = 19.00;
    # time 1 part × 50 = 50.00 in titres-services: 86.64
    assert claims.claim_of(yann).total == Decimal("86.64")
    # Anne, June (lunch provided): 71.4 km at 71.4 km already → 29.27; time 2 × 50 = 100.00
    assert claims.claim_of(anne_june).km_before == Decimal("71.4")
    assert claims.claim_of(anne_june).total == Decimal("129.27")

    outside = study_day(date(2024, 7, 4), "juillet")
    later = person(outside, "later@example.org", declared=driver(km=None))
    claims.compute_event(outside, by=ORGANISER)
    claim_operations.validate(claims.claim_of(later), by=ORGANISER)
    db.session.commit()

    batch = batches.create_batch("2024 T2", date(2024, 4, 1), date(2024, 6, 30), by=ORGANISER)
    db.session.commit()
    assert len(batch.claims) == 4
    assert batches.unbatched() == [claims.claim_of(later)]
    export = batches.export(batch)
    grand_total = Decimal("49.27") + Decimal("20.00") + Decimal("86.64") + Decimal("129.27")
    assert export.grand_total == grand_total == Decimal("285.18")

    # XLSX, opened back
    workbook = load_workbook(io.BytesIO(export.xlsx()))
    assert workbook.sheetnames == ["Personnes", "Lignes", "Totaux", "Références"]
    people = list(workbook["Personnes"].iter_rows(values_only=True))
    header, people = people[0], people[1:]
    assert len(people) == 4
    total_column, name_column = header.index("Total (€)"), header.index("Nom")
    assert sum(cents(row[total_column]) for row in people) == grand_total
    lines = list(workbook["Lignes"].iter_rows(values_only=True))
    amount_column = lines[0].index("Montant (€)")
    assert sum(cents(row[amount_column]) for row in lines[1:]) == grand_total
    totals = dict(workbook["Totaux"].iter_rows(min_row=2, values_only=True))
    assert cents(totals["Total général"]) == grand_total
    by_kind = {k: cents(v) for k, v in totals.items() if k != "Total général"}
    assert sum(by_kind.values()) == grand_total
    # mileage 29.27 + 17.64 + 29.27; meals 20 + 20; childcare 19; time 50 + 100
    assert by_kind == {
        "Indemnités kilométriques (voiture)": Decimal("76.18"),
        "Covoiturage (passagers, non indemnisé)": Decimal("0.00"),
        "Repas": Decimal("40.00"),
        "Garde d'enfants": Decimal("19.00"),
        "Temps passé": Decimal("150.00"),
    }
    anne_row = next(row for row in people if row[name_column] == "Anne Morvan")
    assert "EMG-" in anne_row[header.index("Preuve de présence (feuilles d'émargement)")]
    assert anne_row[header.index("Pièces à réunir")] == "RIB, carte grise du véhicule"
    yann_row = next(row for row in people if row[name_column] == "Yann Kergoat")
    assert "titres-services" in yann_row[header.index("Formes de paiement")]
    assert "facture ou attestation de garde" in yann_row[header.index("Pièces à réunir")]
    references = dict(workbook["Références"].iter_rows(min_row=2, values_only=True))
    assert "arrêté du 14 mars 2022" in references["Barème fp-2023"]
    assert "Délibération du conseil" in references["Barème codev-2024"]
    sheet = f"Feuille d'émargement EMG-{may.id:04d}-{may.parts[0].id:04d}"
    assert references[sheet].startswith("Atelier mobilités, Matin, le 2024-05-02 de 09:30 à 12:30")
    assert "aucune coordonnée bancaire" in references["Pièces à réunir"]
    for worksheet in workbook:
        for row in worksheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(FORMULA_STARTS), cell.value
                    assert cell.data_type == "s"
    hostile_row = next(row for row in people if "HYPERLINK" in row[name_column])
    assert hostile_row[name_column] == '\'@admin =HYPERLINK("http://evil.example","x")'
    assert hostile_row[header.index("Commune ou adresse")] == "'-2+3+cmd|' /C calc'!A0"

    # CSV, opened back
    rows = list(csv.DictReader(io.StringIO(export.csv().decode("utf-8-sig")), delimiter=";"))
    line_rows = [row for row in rows if row["Type"] == "ligne"]
    person_rows = [row for row in rows if row["Type"] == "personne"]
    [grand] = [row for row in rows if row["Type"] == "total général"]
    kind_rows = [row for row in rows if row["Type"] == "total par nature"]
    assert len(line_rows) == len(lines) - 1 and len(person_rows) == 4
    assert sum(cents(row["Montant (€)"]) for row in line_rows) == grand_total
    assert sum(cents(row["Montant (€)"]) for row in person_rows) == grand_total
    assert sum(cents(row["Montant (€)"]) for row in kind_rows) == grand_total
    assert cents(grand["Montant (€)"]) == grand_total
    assert any("Pièces à réunir : RIB, carte grise" in row["Remarque"] for row in person_rows)
    references = [row for row in rows if row["Type"] == "référence"]
    assert any(row["Nature"] == "Barème fp-2023" for row in references)
    for row in rows:
        for value in row.values():
            assert not (value or "").startswith(FORMULA_STARTS), value

    batches.mark_paid(batch, date(2024, 7, 15), by=ORGANISER)
    db.session.commit()
    assert {claim.status for claim in batch.claims} == {ClaimStatus.PAID}
    assert claim_history.yearly_history("anne@example.org", 2024).total_paid == Decimal("178.54")
    with pytest.raises(batches.BatchError):
        batches.mark_paid(batch, date(2024, 7, 16))
    with pytest.raises(batches.BatchError):
        batches.create_batch("vide", date(2024, 1, 1), date(2024, 3, 31))


def test_the_organiser_does_it_all_from_the_command_line(app, runner, tmp_path):
    # The distance table: a preview, a refusal, then the import.
    table = FIXTURES / "distancier_example.csv"
    declined = runner.invoke(args=["compensation", "distances", "import", str(table)], input="n\n")
    assert declined.exit_code == 1 and distances.count() == 0
    assert "56 trajets (la table actuelle en a 0)" in declined.output
    assert "ligne 2 : Dinan-Exemple → Lanvallay-Exemple : 5 km (aller-retour 10 km)" in (
        declined.output.replace("\u00a0", " ")
    )
    done = runner.invoke(args=["compensation", "distances", "import", str(table), "--yes"])
    assert done.exit_code == 0, done.output
    assert distances.count() == 56
    bad = tmp_path / "bad.csv"
    bad.write_text("Dinan;Évran;19,6\nDinan;Caulnes;trente\n", encoding="utf-8")
    refused = runner.invoke(args=["compensation", "distances", "import", str(bad), "--yes"])
    assert refused.exit_code == 1 and "Ligne 2" in refused.output and distances.count() == 56
    lookup = runner.invoke(
        args=["compensation", "distances", "lookup", "Évran-Exemple", "Dinan-Exemple"]
    )
    assert "39,2 km" in lookup.output
    listed = runner.invoke(args=["compensation", "distances", "list", "--commune", "Broons"])
    assert listed.exit_code == 0

    scales = runner.invoke(args=["compensation", "scales"])
    assert "codev-2024 (barème codev) : Codev Exemple" in scales.output  # the organisation's own

    event = study_day(date(2024, 5, 2), "mai")
    event.compensation_offered = False
    db.session.commit()
    settings = runner.invoke(args=["compensation", "event", "mai", "--offer", "--scale", "fp"])
    assert settings.exit_code == 0 and "indemnisation proposée, barème fp" in settings.output
    unknown = runner.invoke(args=["compensation", "event", "mai", "--scale", "nope"])
    assert unknown.exit_code == 1 and "Barème inconnu" in unknown.output

    person(event, "anne@example.org", declared=driver(km=None))
    person(event, "loin@example.org", last="Loin", declared=driver(km="300", origin="Brest"))
    computed = runner.invoke(args=["compensation", "claims", "compute", "mai", "--yes"])
    assert computed.exit_code == 0, computed.output
    assert "2 indemnité(s) calculée(s)" in computed.output
    listed = runner.invoke(args=["compensation", "claims", "list", "mai"])
    assert "absente du distancier" in listed.output
    first = runner.invoke(args=["compensation", "claims", "validate", "mai", "--all", "--yes"])
    assert first.exit_code == 0, first.output
    assert "1 indemnité(s) validée(s)" in first.output
    assert "Pas validée, à compléter : Anne Loin" in first.output
    [loin] = [c for c in claims.claims_of(event) if c.status == ClaimStatus.DRAFT]
    listed = runner.invoke(args=["compensation", "claims", "list", "mai"])
    assert "1 indemnité(s) à compléter" in listed.output
    # Brest is not in the table: the organiser types the distance they checked.
    checked = runner.invoke(
        args=["compensation", "claims", "distance", str(loin.id), "280", "--yes"]
    )
    assert checked.exit_code == 0, checked.output
    db.session.expire_all()
    [loin] = [c for c in claims.claims_of(event) if c.status == ClaimStatus.DRAFT]
    assert "à compléter" not in runner.invoke(args=["compensation", "claims", "list", "mai"]).output
    shown = runner.invoke(args=["compensation", "claims", "show", str(loin.id)])
    line_id = loin.lines[0].id
    assert f"ligne {line_id}" in shown.output
    corrected = runner.invoke(
        args=[
            "compensation",
            "claims",
            "correct",
            str(line_id),
            "--quantity",
            "260",
            "--reason",
            "Distance vérifiée : 130 km aller",
            "--yes",
        ]
    )
    assert corrected.exit_code == 0, corrected.output
    second = runner.invoke(
        args=["compensation", "claims", "validate", "mai", str(loin.id), "--accept-checks"],
        input="y\n",
    )
    assert second.exit_code == 0 and "1 indemnité(s) validée(s)" in second.output

    out = tmp_path / "lot.xlsx"
    created = runner.invoke(
        args=[
            "compensation",
            "batch",
            "create",
            "2024 T2",
            "--from",
            "2024-04-01",
            "--to",
            "2024-06-30",
            "--yes",
        ]
    )
    assert created.exit_code == 0 and "2 indemnité(s)" in created.output, created.output
    [batch] = batches.batches()
    exported = runner.invoke(
        args=["compensation", "batch", "export", str(batch.id), "-o", str(out)]
    )
    assert exported.exit_code == 0, exported.output
    assert load_workbook(out).sheetnames[0] == "Personnes"
    as_csv = tmp_path / "lot.csv"
    runner.invoke(args=["compensation", "batch", "export", str(batch.id), "-o", str(as_csv)])
    assert as_csv.read_bytes().startswith("\ufeff".encode())
    wrong = runner.invoke(args=["compensation", "batch", "export", str(batch.id), "-o", "x.pdf"])
    assert wrong.exit_code == 2
    paid = runner.invoke(
        args=["compensation", "batch", "paid", str(batch.id), "--on", "2024-07-15", "--yes"]
    )
    assert paid.exit_code == 0 and "payé le 15 juillet 2024" in paid.output
    again = runner.invoke(
        args=["compensation", "batch", "paid", str(batch.id), "--on", "2024-07-16", "--yes"]
    )
    assert again.exit_code == 1 and "déjà marqué payé" in again.output
    history = runner.invoke(
        args=["compensation", "claims", "history", "ANNE@example.org", "--year", "2024"]
    )
    assert "71,4 km remboursés" in history.output.replace("\u00a0", " ")
