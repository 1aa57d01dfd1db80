"""Exports: the shared tabular helper (pure) and the registrations export, opened back with the
csv module and openpyxl and checked cell by cell."""

import csv
import io
import re
from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from eventsvc.events.models import QuestionKind
from eventsvc.exports import tabular
from eventsvc.extensions import db
from eventsvc.registrations import importing
from eventsvc.registrations import operations as service
from eventsvc.registrations.models import Answer, Registration

from .factories import SAMPLE, command

# The helper, by plain function calls


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ('=HYPERLINK("http://evil.example","clic")', '\'=HYPERLINK("http://evil.example","clic")'),
        ("+33 6 12 34 56 78", "'+33 6 12 34 56 78"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("Anne", "Anne"),
        ("1+1", "1+1"),
        ("", ""),
        ("Métropole = partenaire", "Métropole = partenaire"),
    ],
)
def test_neutralise(typed, shown):
    assert tabular.neutralise(typed) == shown


HEADER = ["Nom", "=Formule", "Quand", "Heure", "Montant", "Places", "Vide", "Présent"]
ROWS = [
    ["Quéré", "=1+1", datetime(2031, 6, 12, 9, 30), time(14, 5), Decimal("12.50"), 3, None, True],
    [
        "Le Gall",
        'texte; avec "guillemets"\net retour',
        date(2031, 6, 12),
        None,
        Decimal("0.10"),
        0,
        "",
        False,
    ],
]


def test_csv_bytes_for_french_excel():
    data = tabular.csv_bytes(HEADER, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert text.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows == [
        ["Nom", "'=Formule", "Quand", "Heure", "Montant", "Places", "Vide", "Présent"],
        ["Quéré", "'=1+1", "2031-06-12 09:30", "14:05", "12,50", "3", "", "1"],
        ["Le Gall", 'texte; avec "guillemets"\net retour', "2031-06-12", "", "0,10", "0", "", "0"],
    ]


def test_csv_streams_in_chunks_with_one_bom():
    rows = [[f"personne {n}", n] for n in range(7)]
    chunks = list(tabular.iter_csv(["Nom", "N"], rows, delimiter=",", rows_per_chunk=3))
    assert len(chunks) == 3
    assert chunks[0].startswith(b"\xef\xbb\xbf") and not any(
        chunk.startswith(b"\xef\xbb\xbf") for chunk in chunks[1:]
    )
    assert b"".join(chunks) == tabular.csv_bytes(["Nom", "N"], rows, delimiter=",")
    assert b"".join(tabular.iter_csv(["Nom"], [], bom=False)) == b'"Nom"\r\n'


def test_xlsx_cells_read_back():
    rows = [*ROWS, ["#N/A", "ligne\x0bavec\x01contrôle", None, None, None, None, None, None]]
    data = tabular.xlsx_bytes(HEADER, rows, sheet_title="Inscriptions : atelier [juin]/2031")
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    sheet = workbook.active
    assert sheet.title == "Inscriptions   atelier  juin  2"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == [
        "Nom",
        "'=Formule",
        "Quand",
        "Heure",
        "Montant",
        "Places",
        "Vide",
        "Présent",
    ]
    assert values[1] == [
        "Quéré",
        "'=1+1",
        datetime(2031, 6, 12, 9, 30),
        time(14, 5),
        12.5,
        3,
        None,
        True,
    ]
    assert values[2][:3] == [
        "Le Gall",
        'texte; avec "guillemets"\net retour',
        datetime(2031, 6, 12),
    ]
    assert values[3][:2] == ["#N/A", "ligneaveccontrôle"]
    # No cell is a formula or an error: every text is a string cell.
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f" and cell.data_type != "e", cell.coordinate
    assert sheet["A1"].font.bold
    assert sheet.freeze_panes == "A2"
    assert sheet["C2"].number_format == "yyyy-mm-dd hh:mm"


def test_unknown_types_are_refused():
    with pytest.raises(TypeError):
        tabular.csv_bytes(["x"], [[object()]])
    with pytest.raises(TypeError):
        tabular.xlsx_bytes(["x"], [[object()]])


# The registrations export, through the dashboard


@pytest.fixture
def imported(organiser_client, make_event):
    """The sample file imported into an event with a question, and answers for two people."""
    event = organiser_client.event
    from eventsvc.events.models import Question

    event.questions = [
        Question(
            label="Je viens en tant que",
            kind=QuestionKind.SINGLE_CHOICE,
            choices=["Curieux", "Expert"],
            position=0,
        ),
        Question(
            label="=Sujets",
            kind=QuestionKind.MULTIPLE_CHOICE,
            choices=["Droits", "Matériel"],
            position=1,
        ),
    ]
    db.session.commit()
    importing.commit(event, importing.preview(event, SAMPLE))
    db.session.commit()
    by_email = {r.email: r for r in db.session.scalars(select(Registration))}
    anne = by_email["anne.morvan@metropole.example.org"]
    anne.answers = [
        Answer(question_id=event.questions[0].id, value="Expert"),
        Answer(question_id=event.questions[1].id, value=["Droits", "Matériel"]),
    ]
    anne.created_at = datetime(2031, 1, 15, 8, 5, tzinfo=UTC)  # 09:05 in Paris
    db.session.commit()
    service.cancel(by_email["paul.legall@ccas.example.org"])
    db.session.commit()
    return organiser_client, event, by_email


def expected_header(event):
    parts = [f"{p.label} ({p.local_start:%H:%M}–{p.local_end:%H:%M})" for p in event.parts]
    return [
        "Statut",
        "Inscription le",
        "Prénom",
        "Nom",
        "Organisation",
        "Adresse électronique",
        "Toute la journée",
        *parts,
        "Arrivée",
        "Départ",
        "Commentaire",
        "Je viens en tant que",
        "'=Sujets",
        "Annulée le",
    ]


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="inscriptions-atelier.csv"' in response.headers["Content-Disposition"]
    assert response.data.startswith(b"\xef\xbb\xbf")
    text = response.data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def test_csv_export_cell_by_cell(app, imported):
    client, event, people = imported
    rows = csv_rows(client.get(f"/dashboard/events/{event.id}/registrations.csv?sort=name"))
    assert rows[0] == expected_header(event)
    assert len(rows) == 1 + 17
    by_email = {row[5]: row for row in rows[1:]}
    assert by_email["anne.morvan@metropole.example.org"] == [
        "Confirmée",
        "2031-01-15 09:05",
        "Anne",
        "Morvan",
        "Métropole Exemple",
        "anne.morvan@metropole.example.org",
        "Oui",
        "Oui",
        "Oui",
        "",
        "",
        "",
        "Expert",
        "Droits, Matériel",
        "",
    ]
    theo = by_email["theo.quere@univ.example.org"]
    assert theo[2:4] == ["Théo", "Quéré"] and theo[6:11] == ["Non", "Oui", "Oui", "10:45", ""]
    assert theo[11].startswith("Je pourrai vous rejoindre uniquement à partir de 10h45.\n")
    sophie = by_email["entraide.numerique@example.com"]
    assert sophie[6:9] == ["Non", "Oui", "Non"]
    ines = by_email["ines.martin@example.org"]
    assert ines[4] == '\'=HYPERLINK(""http://evil.example"",clic"")'
    samuel = by_email["samuel.ndiaye@pasapas.example.org"]
    assert samuel[11] == "<script>alert('x')</script> je viens avec un collègue"
    paul = by_email["paul.legall@ccas.example.org"]
    assert paul[0] == "Annulée" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", paul[-1])
    # Sorted by name, as asked.
    names = [row[3].casefold() for row in rows[1:]]
    assert names == sorted(names)
    # No cell at all starts with a formula character.
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_export_follows_the_filters_and_the_separator(app, imported):
    client, event, people = imported
    cancelled = csv_rows(
        client.get(f"/dashboard/events/{event.id}/registrations.csv?status=cancelled")
    )
    assert [row[5] for row in cancelled[1:]] == ["paul.legall@ccas.example.org"]
    response = client.get(
        f"/dashboard/events/{event.id}/registrations.csv",
        query_string={"delimiter": "comma", "q": "morvan"},
    )
    text = response.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[1][2:4] == ["Anne", "Morvan"]


def test_xlsx_export_cell_by_cell(app, imported):
    client, event, people = imported
    response = client.get(f"/dashboard/events/{event.id}/registrations.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == tabular_type()
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    assert sheet.title == "Inscriptions"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == expected_header(event)
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(rows[0]))}{len(rows)}"
    by_email = {row[5]: row for row in rows[1:]}
    anne = by_email["anne.morvan@metropole.example.org"]
    assert anne == [
        "Confirmée",
        datetime(2031, 1, 15, 9, 5),
        "Anne",
        "Morvan",
        "Métropole Exemple",
        "anne.morvan@metropole.example.org",
        "Oui",
        "Oui",
        "Oui",
        None,
        None,
        None,
        "Expert",
        "Droits, Matériel",
        None,
    ]
    bruno = by_email["mairie@plouexemple.example.org"]
    assert bruno[9:11] == [time(11), time(16, 30)]
    assert by_email["ines.martin@example.org"][4].startswith("'=HYPERLINK(")
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type not in ("f", "e"), cell.coordinate


def test_export_times_are_in_the_events_time_zone(app, organiser_client, make_organiser):
    client, event = organiser_client, organiser_client.event
    event.timezone = "America/Cayenne"  # UTC-3, no daylight saving
    db.session.commit()
    registration = service.register(event, command(1), locale="fr").registration
    registration.created_at = datetime(2031, 1, 15, 2, 0, tzinfo=UTC)
    db.session.commit()
    rows = csv_rows(client.get(f"/dashboard/events/{event.id}/registrations.csv"))
    assert rows[1][1] == "2031-01-14 23:00"
    cayenne = ZoneInfo("America/Cayenne")
    part = event.parts[0]
    assert (
        rows[0][7] == f"Matin ({part.starts_at.astimezone(cayenne):%H:%M}–"
        f"{part.ends_at.astimezone(cayenne):%H:%M})"
    )


def tabular_type():
    return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
