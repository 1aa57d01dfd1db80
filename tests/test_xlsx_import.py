"""Excel workbooks (.xlsx) in the sign-up and contacts imports (issue 15): the first sheet read as
the CSV reader reads a file, the same preview, checks and limits, and what is not a plain workbook
refused next to the file field, in the dashboard and on the command line."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime, time
from html import unescape

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from eventsvc.common import csv_reading, csv_tables, xlsx_reading
from eventsvc.extensions import db
from eventsvc.invitations.models import Contact
from eventsvc.registrations.models import Registration, SignupImport

from .factories import csrf_token

SIGNUP_HEADER = ["Prénom", "NOM", "Organisation", "Courriel", "Je serai présent.e toute la journée"]
SIGNUP_ROWS = [
    ["Anne", "Morvan", "Métropole Exemple", "anne.morvan@metropole.example.org", "Oui"],
    ["Paul", "LE GALL", '=HYPERLINK("http://x.example","clic")', "paul@ccas.example.org", True],
    ["Nadia", "BENALI", "=1+1", "nadia;benali@mairie.example.org", "Oui"],
]
CONTACT_HEADER = ["Civilité", "Prénom", "NOM", "Fonction", "Commune", "Courriel"]
CONTACT_ROWS = [
    ["Mme", "Claire", "Martin", "Maire", "Plouër-Exemple", "claire.martin@plouer.example.fr"],
    ["M.", "Hervé", "Le Gall", "=1+1", "Dinan-Exemple", "herve.legall@dinan.example.fr"],
    ["M.", "Loïc", "Guérin", "Conseiller délégué", 22100, "pas-une-adresse"],
]


def workbook(header, rows, *, title="Feuille 1", before=None) -> bytes:
    """A workbook as a spreadsheet saves it; text starting with « = » stays text (a string cell),
    as when someone types it after an apostrophe or a form tool writes it."""
    book = Workbook()
    sheet = book.active
    if before is not None:  # another sheet first: the first one is read, whatever its name
        sheet.title = before
        sheet.append(["rien", "à", "lire"])
        sheet = book.create_sheet(title)
    else:
        sheet.title = title
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(data: bytes, *, replace=None, add=None) -> bytes:
    """The same workbook with parts replaced (name -> function of the old bytes) or added."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            content = source.read(entry)
            if replace and entry.filename in replace:
                content = replace[entry.filename](content)
            target.writestr(entry.filename, content)
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return buffer.getvalue()


def with_cached_formula(data: bytes) -> bytes:
    """Cell C2 becomes a formula with the value the spreadsheet saved: 2 for =1+1."""

    def patch(xml: bytes) -> bytes:
        return re.sub(
            rb'<c r="C2"[^>]*?(/>|>.*?</c>)', b'<c r="C2"><f>1+1</f><v>2</v></c>', xml, count=1
        )

    return rezip(data, replace={"xl/worksheets/sheet1.xml": patch})


def zip_bomb() -> bytes:
    """A real workbook with a 64 MiB part of zeros, a few dozen KiB once compressed."""
    return rezip(
        workbook(SIGNUP_HEADER, SIGNUP_ROWS), add={"xl/media/image1.bin": b"\0" * (64 << 20)}
    )


def ods_like() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def encrypted() -> bytes:
    """What Excel writes for a workbook with a password: an OLE2 container of encrypted streams."""
    return xlsx_reading.OLE_MAGIC + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 999


def doctype() -> bytes:
    return rezip(
        workbook(SIGNUP_HEADER, SIGNUP_ROWS),
        replace={
            "xl/workbook.xml": lambda xml: (
                b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]>' + xml.split(b"?>", 1)[-1]
            )
        },
    )


def empty_workbook() -> bytes:
    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


# name: (file name, content, what the message next to the field says)
HOSTILE = {
    "zip bomb": ("inscrits.xlsx", zip_bomb, "une fois décompressé"),
    "macros (content)": (
        "inscrits.xlsx",
        lambda: rezip(workbook(SIGNUP_HEADER, SIGNUP_ROWS), add={"xl/vbaProject.bin": b"VBA"}),
        "contient des macros",
    ),
    "random bytes named .xlsx": ("inscrits.xlsx", lambda: bytes(range(256)) * 40, "ni un classeur"),
    "a broken archive": (
        "inscrits.xlsx",
        lambda: b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4,
        "illisible ou endommagé",
    ),
    "a truncated workbook": (
        "inscrits.xlsx",
        lambda: workbook(SIGNUP_HEADER, SIGNUP_ROWS)[:3000],
        "illisible ou endommagé",
    ),
    "encrypted": ("inscrits.xlsx", encrypted, "mot de passe"),
    "an old .xls": ("inscrits.xlsx", lambda: xlsx_reading.OLE_MAGIC + b"\0" * 2000, "97-2003"),
    "an OpenDocument file": ("inscrits.xlsx", ods_like, "pas un classeur Excel"),
    "a document type declaration": ("inscrits.xlsx", doctype, "illisible ou endommagé"),
    "an empty workbook": ("inscrits.xlsx", empty_workbook, "feuille de ce classeur est vide"),
}


def upload(client, kind: str, data: bytes, filename: str):
    """Post the file from its dashboard page; the page that answers, as the organiser sees it."""
    if kind == "signups":
        url = f"/dashboard/events/{client.event.id}/import"
        fields = {}
    else:
        url = "/dashboard/contacts/import"
        fields = {"list_name": "Maires"}
    boundary, body = encode_multipart(
        {
            "csrf_token": csrf_token(client, url),
            **fields,
            "file": FileStorage(
                io.BytesIO(data), filename, content_type="application/octet-stream"
            ),
        }
    )
    response = client.post(
        url, data=body, content_type=f'multipart/form-data; boundary="{boundary}"'
    )
    if response.status_code == 303:
        response = client.get(response.headers["Location"])
    return response


def page_text(response) -> str:
    return unescape(response.get_data(as_text=True)).replace("\u202f", " ")


# The reader, as function calls.


def test_cells_become_the_text_a_csv_export_would_hold():
    assert xlsx_reading.cell_text(None) == ""
    assert xlsx_reading.cell_text(datetime(2031, 1, 15)) == "15/01/2031"
    assert xlsx_reading.cell_text(datetime(2031, 1, 15, 9, 30)) == "15/01/2031 09:30"
    assert xlsx_reading.cell_text(date(2031, 1, 5)) == "05/01/2031"
    assert xlsx_reading.cell_text(time(14, 0)) == "14:00"
    assert xlsx_reading.cell_text(3.0) == "3" and xlsx_reading.cell_text(29200) == "29200"
    assert xlsx_reading.cell_text(2.5) == "2,5" and xlsx_reading.cell_text(0.1 + 0.2) == "0,3"
    assert xlsx_reading.cell_text(True) == "VRAI" and xlsx_reading.cell_text(False) == "FAUX"
    assert xlsx_reading.cell_text("=1+1") == "=1+1"


def test_the_first_sheet_reads_as_csv_records_would():
    rows = [
        ["Anne", "Morvan", 29200, datetime(2031, 1, 15), None],
        [],  # a blank row is skipped, as a blank line in a CSV file
        ["Paul", "=1+1", 2.5, None, "en plus"],  # a value right of the titled columns
    ]
    data = workbook(["Prénom", "NOM", "Code", "Date"], rows, title="Inscrits", before="Notes")
    table = csv_tables.read_table(data, encoding=None, delimiter=None, workbooks=True)
    assert table.problem is None and table.kind == "xlsx" and table.sheet == "Notes"
    # « Notes » is the first sheet: it is the one read, whatever the others hold.
    assert table.header == ["rien", "à", "lire"] and table.records == []
    table = csv_tables.read_table(
        workbook(["Prénom", "NOM", "Code", "Date"], rows),
        encoding=None,
        delimiter=None,
        workbooks=True,
    )
    assert table.header == ["Prénom", "NOM", "Code", "Date", ""]
    assert [(record.line, record.fields) for record in table.records] == [
        (2, ("Anne", "Morvan", "29200", "15/01/2031")),
        (4, ("Paul", "=1+1", "2,5", "", "en plus")),
    ]


def test_a_formula_counts_for_its_saved_value_and_is_never_evaluated():
    data = with_cached_formula(workbook(["a", "b", "c"], [["x", "y", "z"], ["u", "v", "w"]]))
    assert load_workbook(io.BytesIO(data))["Feuille 1"]["C2"].value == "=1+1"
    table = csv_tables.read_table(data, encoding=None, delimiter=None, workbooks=True)
    assert table.records[0].fields == ("x", "y", "2")
    # Without a saved value (a file written by a program), the cell is empty: not computed.
    data = rezip(
        data, replace={"xl/worksheets/sheet1.xml": lambda xml: xml.replace(b"<v>2</v>", b"")}
    )
    table = csv_tables.read_table(data, encoding=None, delimiter=None, workbooks=True)
    assert table.records[0].fields == ("x", "y")


def test_the_limits_apply_while_reading():
    limits = csv_reading.Limits(max_bytes=csv_reading.MEBIBYTE, max_rows=3, max_columns=4)
    rows = [[f"p{n}", "N", f"p{n}@example.org"] for n in range(10)]
    table = csv_tables.read_table(
        workbook(["a", "b", "c"], rows),
        encoding=None,
        delimiter=None,
        limits=limits,
        workbooks=True,
    )
    assert (
        str(table.problem)
        == "Ligne 5 : ce fichier a plus de 3 lignes. Découpez-le en plusieurs fichiers."
    )
    for header, rows, message in (
        (["a", "b", "c", "d", "e"], [], "Ligne 1 : 5 colonnes, 4 au plus."),
        (["a"], [["x" * 10_001]], "Ligne 2 : une cellule dépasse 10000 caractères."),
    ):
        table = csv_tables.read_table(
            workbook(header, rows), encoding=None, delimiter=None, limits=limits, workbooks=True
        )
        assert str(table.problem).startswith(message)


def test_rows_are_never_read_past_the_limit(monkeypatch):
    """One row more than the limit, and the reading stops: the rest of the sheet is not read."""
    read = []

    def counting(value):
        read.append(value)
        return original(value)

    original = xlsx_reading.cell_text
    monkeypatch.setattr(xlsx_reading, "cell_text", counting)
    limits = csv_reading.Limits(max_bytes=csv_reading.MEBIBYTE, max_rows=3, max_columns=4)
    rows = [[f"p{n}"] for n in range(1_000)]
    with pytest.raises(csv_reading.CsvRefused):
        xlsx_reading.read_records(workbook(["a"], rows), limits)
    assert len(read) == 5  # the header, three rows, and the one too many


def test_a_csv_file_whatever_its_name_is_read_as_csv():
    data = "Prénom;NOM\r\nAnne;Morvan\r\n".encode("cp1252")
    table = csv_tables.read_table(data, encoding=None, delimiter=None, workbooks=True)
    assert table.kind == "csv" and table.records[0].fields == ("Anne", "Morvan")
    # The distance table does not read workbooks: its message is the CSV one.
    table = csv_tables.read_table(workbook(["a"], [["b"]]), encoding=None, delimiter=None)
    assert "pas un fichier CSV (un classeur Excel" in str(table.problem)


# Through the pages.


def test_a_workbook_of_sign_ups_is_previewed_and_imported(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    upload_page = client.get(f"/dashboard/events/{event.id}/import").get_data(as_text=True)
    assert 'accept=".csv,.txt,.tsv,.xlsx,' in upload_page
    response = upload(client, "signups", workbook(SIGNUP_HEADER, SIGNUP_ROWS), "inscrits.xlsx")
    html = page_text(response)
    assert response.status_code == 200
    assert "Classeur Excel : la feuille « Feuille 1 » (la première) est lue" in html
    assert 'name="encoding"' not in html  # an encoding means nothing for a workbook
    assert "anne.morvan@metropole.example.org" in html and "paul@ccas.example.org" in html
    # The same checks as a CSV file: the email with a « ; » refused with its line.
    assert re.search(
        r'<td class="num">4</td>\s*<td>[^<]+</td>\s*<td class="typed"><code>'
        r"nadia;benali@mairie.example.org</code>",
        html,
    )
    assert "Importer 2 inscriptions" in html
    assert db.session.scalar(select(func.count(Registration.id))) == 0

    url = response.request.path
    done = client.post(url, data={"csrf_token": csrf_token(client, url), "action": "import"})
    assert done.status_code == 303
    stored = {r.email: r for r in db.session.scalars(select(Registration))}
    assert set(stored) == {"anne.morvan@metropole.example.org", "paul@ccas.example.org"}
    assert stored["paul@ccas.example.org"].full_day  # TRUE, read as « Oui »
    hyperlink = '=HYPERLINK("http://x.example","clic")'
    assert stored["paul@ccas.example.org"].organisation == hyperlink

    # What was a formula's text in the workbook is neutralised in the exports, as always.
    exported = client.get(f"/dashboard/events/{event.id}/registrations.csv")
    rows = list(
        csv.reader(io.StringIO(exported.get_data(as_text=True).lstrip("\ufeff")), delimiter=";")
    )
    assert any("'" + hyperlink in row for row in rows)
    sheet = load_workbook(
        io.BytesIO(client.get(f"/dashboard/events/{event.id}/registrations.xlsx").data)
    ).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value]
    assert any(cell.value == "'" + hyperlink and cell.data_type == "s" for cell in cells)
    assert not any(str(cell.value).startswith("=") for cell in cells)


def test_a_csv_file_named_xlsx_is_read_for_what_it_is(app, organiser_client):
    data = "Prénom;NOM;Courriel\r\nAnne;Morvan;anne@example.org\r\n".encode("cp1252")
    html = page_text(upload(organiser_client, "signups", data, "inscrits.xlsx"))
    assert "Windows-1252 (Excel français)" in html and "anne@example.org" in html
    assert "Importer 1 inscription" in html


def test_the_command_line_imports_a_workbook(app, runner, make_event, tmp_path):
    make_event()
    path = tmp_path / "inscrits.xlsx"
    path.write_bytes(workbook(SIGNUP_HEADER, SIGNUP_ROWS, title="Réponses"))
    result = runner.invoke(args=["import-signups", "atelier", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    assert "classeur Excel, feuille « Réponses »" in result.output
    assert db.session.scalar(select(func.count(Registration.id))) == 2


def test_a_workbook_of_contacts_is_previewed_and_imported(app, organiser_client):
    client = organiser_client
    upload_page = client.get("/dashboard/contacts/import").get_data(as_text=True)
    assert 'accept=".csv,.txt,.xlsx,' in upload_page
    assert "Fichier CSV ou classeur Excel (.xlsx" in upload_page
    response = upload(client, "contacts", workbook(CONTACT_HEADER, CONTACT_ROWS), "maires.xlsx")
    html = page_text(response)
    assert response.status_code == 200
    assert "2 nouveaux contacts" in html and "1 ligne refusée" in html
    assert "Claire" in html and "Plouër-Exemple" in html and "Ligne 4" in html
    assert "Classeur Excel : la feuille « Feuille 1 »" in html and 'name="delimiter"' not in html
    content = html.split('name="content" value="')[1].split('"')[0]
    done = client.post(
        "/dashboard/contacts/import",
        data={
            "csrf_token": csrf_token(client, "/dashboard/contacts/import"),
            "list_name": "Maires",
            "content": content,
            "confirmed": "1",
        },
    )
    assert done.status_code == 303
    herve = db.session.scalar(select(Contact).where(Contact.first_name == "Hervé"))
    assert herve.function == "=1+1" and herve.organisation == "Dinan-Exemple"


def test_the_contacts_command_imports_a_workbook(app, runner, make_organiser, tmp_path):
    make_organiser()
    path = tmp_path / "maires.xlsx"
    path.write_bytes(workbook(CONTACT_HEADER, CONTACT_ROWS[:2]))
    result = runner.invoke(args=["contacts", "import", "Maires", str(path), "--yes"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count(Contact.id))) == 2


@pytest.mark.parametrize("kind", ["signups", "contacts"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_what_is_not_a_plain_workbook_is_refused_next_to_the_field(
    app, organiser_client, kind, name
):
    filename, make, words = HOSTILE[name]
    response = upload(organiser_client, kind, make(), filename)
    html = page_text(response)
    assert response.status_code == 200
    field = html.split('<div class="field has-error">')[1].split("</div>")[0]
    assert 'type="file"' in field and words in field, html
    assert db.session.scalar(select(func.count(SignupImport.id))) == 0
    assert db.session.scalar(select(func.count(Registration.id))) == 0
    assert db.session.scalar(select(func.count(Contact.id))) == 0


@pytest.mark.parametrize("kind", ["signups", "contacts"])
def test_a_macro_enabled_workbook_is_refused_by_its_name_or_content(app, organiser_client, kind):
    data = workbook(SIGNUP_HEADER, SIGNUP_ROWS)
    html = page_text(upload(organiser_client, kind, data, "inscrits.xlsm"))
    expected = "sans macros" if kind == "signups" else None
    if expected:  # the sign-up upload says which files it takes by their name too
        assert "Choisissez un fichier .csv ou .xlsx" in html
    data = rezip(
        data,
        replace={
            "[Content_Types].xml": lambda xml: xml.replace(
                b"sheet.main+xml", b"sheet.macroEnabled.main+xml"
            )
        },
    )
    assert "contient des macros" in page_text(upload(organiser_client, kind, data, "a.xlsx"))


@pytest.mark.parametrize("kind", ["signups", "contacts"])
def test_a_workbook_over_the_row_limit_says_its_line(app, organiser_client, kind):
    limits = csv_reading.SIGNUPS if kind == "signups" else csv_reading.CONTACTS
    rows = [["P", "N", f"p{n}@example.org"] for n in range(limits.max_rows + 1)]
    html = page_text(
        upload(organiser_client, kind, workbook(["Prénom", "NOM", "Courriel"], rows), "x.xlsx")
    )
    assert f"Ligne {limits.max_rows + 2} : ce fichier a plus de" in html
    assert db.session.scalar(select(func.count(SignupImport.id))) == 0


def test_the_english_pages_say_it_in_english(app, organiser_client):
    organiser_client.get("/dashboard/", query_string={"lang": "en"})
    html = page_text(upload(organiser_client, "signups", encrypted(), "a.xlsx"))
    assert "password" in html
