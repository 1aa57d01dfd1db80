"""The one export helper: formula neutralisation, CSV for French spreadsheets, XLSX."""

import csv
import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from eventsvc.exports.tabular import csv_bytes, neutralise, workbook_bytes

HOSTILE = [
    '=HYPERLINK("http://evil.example","clic")',
    "+33 6 12 34 56 78",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_a_spreadsheet_would_run_is_neutralised(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("text", ["Anne Morvan", "Saint-Jacut", "", "'déjà", "1 = 1", "a =1"])
def test_other_text_is_unchanged(text):
    assert neutralise(text) == text


def test_csv_is_for_french_spreadsheets_and_keeps_numbers_as_numbers():
    data = csv_bytes(
        ["Nom", "Montant", "Jour", "Nombre"],
        [
            [HOSTILE[0], Decimal("-5.50"), date(2024, 5, 2), 3],
            ["Zoé « Z »; d'Évran", Decimal("56.20"), None, True],
        ],
    )
    assert data.startswith("\ufeff".encode())
    assert b"\r\n" in data
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["'" + HOSTILE[0], "-5,50", "2024-05-02", "3"]
    assert rows[2] == ["Zoé « Z »; d'Évran", "56,20", "", "1"]


def test_xlsx_cells_are_typed_and_never_formulas():
    data = workbook_bytes(
        {
            "Personnes": (
                ["Nom", "Montant", "Jour", "Heure"],
                [
                    *[[text, Decimal("0.41"), date(2024, 5, 2), None] for text in HOSTILE],
                    ["Bell\x07e", Decimal("-12.5"), None, datetime(2024, 5, 2, 7, 30, tzinfo=UTC)],
                ],
            ),
            "Personnes ": (["a"], []),  # a clashing name is made unique
            "Un nom de feuille bien trop long pour Excel": (["b"], []),
        }
    )
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames[0] == "Personnes"
    assert len(workbook.sheetnames) == 3 and all(len(n) <= 31 for n in workbook.sheetnames)
    sheet = workbook["Personnes"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Nom", "Montant", "Jour", "Heure")
    for row, text in zip(rows[1:], HOSTILE, strict=False):
        assert row[0] == "'" + text
        assert row[1] == pytest.approx(0.41) and row[2].date() == date(2024, 5, 2)
    for row in sheet.iter_rows(min_row=2):
        assert row[0].data_type == "s"
    assert rows[-1][0] == "Belle" and rows[-1][1] == pytest.approx(-12.5)
    assert rows[-1][3] == datetime(2024, 5, 2, 7, 30)
    assert sheet.freeze_panes == "A2"
    # The autofilter sits on the header row and spans every column and row written.
    assert sheet.auto_filter.ref == f"A1:D{1 + len(HOSTILE) + 1}"
    assert workbook.worksheets[1].auto_filter.ref == "A1:A1"  # a header alone still filters
