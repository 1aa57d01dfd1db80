"""Every CSV export, opened with the separator it was written with and with the other one: no
cell may start as a formula (issue 13, item 8). A French Excel splits a comma export on ``;`` and
an English one splits a semicolon export on ``,``; LibreOffice may split on both and on tabs."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from eventsvc.attendance import service as attendance
from eventsvc.compensation import batches, claim_operations, claims
from eventsvc.compensation.declarations import DeclarationInput
from eventsvc.compensation.rules import TransportMode
from eventsvc.exports import tabular
from eventsvc.extensions import db
from eventsvc.registrations import operations as registrations

from .factories import (
    ORGANISER,
    app_config,  # noqa: F401 - the organisation's own scale file
    command,
    import_example_table,
    person,
    study_day,
)

# What people typed: a formula after each separator, after a line break, after blanks and
# after a quote that a reader splitting on the other separator would take as an opening one.
LAST_NAME = "ok;=1+1;"
FIRST_NAME = "Ana,@SUM(A1:A9)"
ORGANISATION = 'Mairie, -2+3+cmd|\' /C calc\'!A0; "=HYPERLINK(""http://evil.example"")'
COMMENT = "Bonjour;\r\n=1+1\n - je viens\t+33 6 12\r@x,;\t=2"
ORIGIN = "Dinan;=1+1,+2"

SEPARATORS = [";", ",", "\t"]
NUMBER = re.compile(r"-?\d+([.,]\d+)?")


def formula_like(cell: str) -> bool:
    """What a spreadsheet could run: OWASP's triggers at the start, or after blanks and quotes.
    Our own numbers (« -5,50 ») are not text anyone typed."""
    if NUMBER.fullmatch(cell):
        return False
    return cell.startswith(("\t", "\r")) or re.match(r'[\s"]*[=+\-@]', cell) is not None


def read_back(data: bytes, delimiter: str) -> list[list[str]]:
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def assert_inert(data: bytes, written_with: str) -> list[list[str]]:
    """Every field quoted; no cell formula-like whatever the separator; the rows as written."""
    rows = read_back(data, written_with)
    quoted = io.StringIO()
    csv.writer(
        quoted, delimiter=written_with, lineterminator="\r\n", quoting=csv.QUOTE_ALL
    ).writerows(rows)
    assert data.decode("utf-8-sig") == quoted.getvalue()
    for delimiter in SEPARATORS:
        for row in read_back(data, delimiter):
            for cell in row:
                assert not formula_like(cell), (delimiter, cell)
    return rows


def cells(rows: list[list[str]]) -> str:
    return "\n".join("|".join(row) for row in rows)


# The helper, by plain function calls


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("ok;=1+1;", "ok;'=1+1;"),
        ("ok,=1+1,", "ok,'=1+1,"),
        ("a, -2", "a,' -2"),
        ('a;"=1', "a;'\"=1"),
        ("a\n-b", "a\n'-b"),
        ("a\r\n@b", "a\r\n'@b"),
        ("a\r+b", "a\r'+b"),
        ("a\t=b", "a\t'=b"),
        (" =1", "' =1"),
        ("=1;=2", "'=1;'=2"),
        ("Saint-Jacut, Évran; Dinan", "Saint-Jacut, Évran; Dinan"),
        ("1 = 1 ; 2 + 2", "1 = 1 ; 2 + 2"),
        ("Bonjour\nà demain", "Bonjour\nà demain"),
    ],
)
def test_a_trigger_is_neutralised_wherever_a_cell_could_start(typed, written):
    assert tabular.neutralise_csv(typed) == written


def test_xlsx_cells_are_neutralised_at_their_start_only_and_never_formulas():
    assert tabular.neutralise(" =1") == "' =1"
    assert tabular.neutralise("ok;=1+1;") == "ok;=1+1;"  # a cell is a cell in XLSX
    data = tabular.xlsx_bytes(["Nom"], [[LAST_NAME], [" =1"], ["=1"], [COMMENT]])
    sheet = load_workbook(io.BytesIO(data)).active
    values = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert values == [LAST_NAME, "' =1", "'=1", COMMENT]
    assert {row[0].data_type for row in sheet.iter_rows()} == {"s"}


@pytest.mark.parametrize("delimiter", [";", ","])
def test_the_helper_output_reads_back_inert_with_both_separators(delimiter):
    values = [LAST_NAME, FIRST_NAME, ORGANISATION, COMMENT, ORIGIN]
    data = tabular.csv_bytes(
        values, [values, [Decimal("5.5"), 3, None, True, ""]], delimiter=delimiter
    )
    rows = assert_inert(data, delimiter)
    assert [cell.replace("'", "") for cell in rows[1]] == [v.replace("'", "") for v in values]


# Every export of the application


@pytest.fixture
def hostile(organiser_client):
    """The organiser's event with a person who typed formulas everywhere, checked in."""
    event = organiser_client.event
    result = registrations.register(
        event,
        command(
            1,
            first_name=FIRST_NAME,
            last_name=LAST_NAME,
            organisation=ORGANISATION,
            comment=COMMENT,
        ),
        locale="fr",
        send_email=False,
    )
    attendance.check_in(result.registration, event.parts[0])
    attendance.add_walk_in(event, event.parts[1], first_name=FIRST_NAME, last_name=LAST_NAME)
    db.session.commit()
    return organiser_client, event


@pytest.mark.parametrize("delimiter", [";", ","])
def test_the_registrations_export(app, hostile, delimiter):
    client, event = hostile
    query = {"delimiter": "comma"} if delimiter == "," else {}
    response = client.get(f"/dashboard/events/{event.id}/registrations.csv", query_string=query)
    assert response.status_code == 200
    rows = assert_inert(response.data, delimiter)
    text = cells(rows)
    assert "ok;'=1+1;" in text and "Ana,'@SUM(A1:A9)" in text
    assert "Bonjour;'\r\n'=1+1\n' - je viens\t'+33 6 12\r'@x,;'\t'=2" in text


def test_the_attendance_export(app, hostile):
    client, event = hostile
    response = client.get(f"/dashboard/events/{event.id}/attendance.csv")
    assert response.status_code == 200
    text = cells(assert_inert(response.data, ";"))
    assert text.count("Ana,'@SUM(A1:A9)") == 3  # registered for two parts, and the walk-in


def test_the_presence_list_export(app, hostile):
    client, event = hostile
    response = client.get(f"/dashboard/events/{event.id}/presence.csv")
    assert response.status_code == 200
    text = cells(assert_inert(response.data, ";"))
    assert "Ana,'@SUM(A1:A9) ok;'=1+1;" in text and "Mairie,' -2+3" in text


def test_the_finance_export_on_the_web_and_the_command_line(app, runner, make_organiser, tmp_path):
    import_example_table()
    day = study_day(date(2024, 5, 2), "mai")
    registration = person(
        day,
        "hostile@example.org",
        first=FIRST_NAME,
        last=LAST_NAME,
        declared=DeclarationInput(
            origin=ORIGIN,
            transport=TransportMode.CAR_PASSENGER,
            round_trip_km=Decimal(30),
        ),
    )
    claims.compute_event(day, by=ORGANISER)
    claim_operations.validate(claims.claim_of(registration), by=ORGANISER)
    batch = batches.create_batch("2024 T2", date(2024, 4, 1), date(2024, 6, 30), by=ORGANISER)
    db.session.commit()

    from .factories import ORGANISER_PASSWORD, login

    user = make_organiser("orga@example.org", events=[day])
    client = app.test_client()
    login(client, user.email, ORGANISER_PASSWORD)
    response = client.get(f"/dashboard/compensation/batches/{batch.id}/export.csv")
    assert response.status_code == 200
    text = cells(assert_inert(response.data, ";"))
    assert "Dinan;'=1+1,'+2" in text and "ok;'=1+1;" in text

    output = tmp_path / "lot.csv"
    result = runner.invoke(
        args=["compensation", "batch", "export", str(batch.id), "-o", str(output)]
    )
    assert result.exit_code == 0, result.output
    assert cells(assert_inert(output.read_bytes(), ";")) == text
