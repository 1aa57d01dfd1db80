"""Hostile CSV files against every import: the sign-up import, the contacts import and the distance
table, in the dashboard and on the command line (issue 13, item 7). Each file gets a clear message
(naming the line where there is one), never a 500 nor a traceback, and nothing is written."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from eventsvc.common import csv_reading
from eventsvc.compensation import distances
from eventsvc.extensions import db
from eventsvc.invitations.models import Contact
from eventsvc.registrations.models import Registration, SignupImport

from .factories import csrf_token

SIGNUP_HEADER = b"Pr\xc3\xa9nom;NOM;Courriel\n"
ROW = b"Anne;Martin;anne@example.org\n"

# name: (file, what the message must say)
HOSTILE = {
    "unclosed quote": (
        SIGNUP_HEADER + b'Jean;"Dupont;jean@example.org\n' + ROW,
        ["Ligne 2", "guillemet"],
    ),
    "unclosed quote over 128 KiB": (
        SIGNUP_HEADER + b'Jean;"Dupont;jean@example.org\n' + ROW * 6_000,
        ["Ligne 2", "guillemet"],
    ),
    "field over 128 KiB": (
        SIGNUP_HEADER + ROW + b"Jean;" + b"x" * (130 * 1024) + b";jean@example.org\n",
        ["Ligne 3", "caractères"],
    ),
    "a million columns": (b";" * 999_999 + b"c\n" + ROW, ["Ligne 1", "1000000 colonnes"]),
    "a PDF": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< >>\nendobj\n", ["pas un fichier CSV"]),
    "an Excel workbook": (b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4, ["CSV"]),
    "binary": (bytes(range(256)) * 40, ["pas un fichier CSV"]),
    "empty": (b"", []),
    "UTF-8 BOM then invalid bytes": (b"\xef\xbb\xbf" + SIGNUP_HEADER + b"\xff\xfe\x81;x;y\n", []),
    "UTF-16 BOM, odd length": (b"\xff\xfe" + "a;b;1\n".encode("utf-16-le") + b"\x00", []),
}
LIMITS = {
    "signups": csv_reading.SIGNUPS,
    "contacts": csv_reading.CONTACTS,
    "distances": csv_reading.DISTANCES,
}


def too_many_rows(kind: str) -> tuple[bytes, list[str]]:
    limit = LIMITS[kind].max_rows
    if kind == "distances":
        rows = b"Dinan;Evran;19,6\n" * (limit + 1)
        return b"D\xc3\xa9part;Arriv\xc3\xa9e;Km\n" + rows, [
            f"Ligne {limit + 2}",
            f"{limit} lignes",
        ]
    rows = b"".join(b"P;N;p%d@example.org\n" % n for n in range(limit + 1))
    return SIGNUP_HEADER + rows, [f"Ligne {limit + 2}", f"{limit} lignes"]


def too_big(kind: str) -> bytes:
    return SIGNUP_HEADER + ROW * (LIMITS[kind].max_bytes // len(ROW) + 1)


def cases():
    for kind in LIMITS:
        for name, (data, words) in HOSTILE.items():
            yield pytest.param(kind, data, words, id=f"{kind}-{name}")
        yield pytest.param(kind, *too_many_rows(kind), id=f"{kind}-too many rows")
        yield pytest.param(
            kind, too_big(kind), [f"{LIMITS[kind].max_megabytes} Mo"], id=f"{kind}-too big"
        )


def nothing_written() -> bool:
    db.session.rollback()
    return (
        db.session.scalar(select(func.count(Registration.id))) == 0
        and db.session.scalar(select(func.count(Contact.id))) == 0
        and distances.count() == 0
    )


@pytest.fixture
def organiser_client(organiser_client):
    """The distance table is an administrator's: the organiser here is one."""
    organiser_client.user.is_admin = True
    db.session.commit()
    return organiser_client


def upload(client, kind: str, data: bytes, **query):
    """Post the file from its dashboard page; the page that answers, as the organiser sees it."""
    if kind == "signups":
        url = f"/dashboard/events/{client.event.id}/import"
        fields = {}
    elif kind == "contacts":
        url = "/dashboard/contacts/import"
        fields = {"list_name": "Maires"}
    else:
        url = "/dashboard/compensation/distances"
        fields = {}
    # Encoded here in memory: the test client would spool a large body to a file it never closes.
    boundary, body = encode_multipart(
        {
            "csrf_token": csrf_token(client, url),
            **fields,
            "file": FileStorage(io.BytesIO(data), "x.csv", content_type="text/csv"),
        }
    )
    response = client.post(
        url,
        query_string=query,
        data=body,
        content_type=f'multipart/form-data; boundary="{boundary}"',
    )
    if response.status_code == 303:
        response = client.get(response.headers["Location"])
    return response


@pytest.mark.parametrize(("kind", "data", "words"), list(cases()))
def test_a_hostile_file_in_the_dashboard_gets_a_message(app, organiser_client, kind, data, words):
    response = upload(organiser_client, kind, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'role="alert"' in html or 'class="error"' in html or "form-errors" in html
    for word in words:
        assert word in html.replace("\u202f", "").replace("&#34;", '"'), word
    assert nothing_written()


@pytest.mark.parametrize(("kind", "data", "words"), list(cases()))
def test_a_hostile_file_on_the_command_line_exits_with_the_message(
    app, runner, make_event, make_organiser, tmp_path, kind, data, words
):
    make_event()
    make_organiser()
    path = tmp_path / "hostile.csv"
    path.write_bytes(data)
    args = {
        "signups": ["import-signups", "atelier", str(path), "--yes"],
        "contacts": ["contacts", "import", "Maires", str(path), "--yes"],
        "distances": ["compensation", "distances", "import", str(path), "--yes"],
    }[kind]
    result = runner.invoke(args=args)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)  # no traceback
    assert "Traceback" not in result.output
    for word in words:
        assert word in result.output, word
    assert nothing_written()


def test_a_file_over_the_limit_is_refused_before_it_is_kept(app, organiser_client):
    """The sign-up upload is kept in the database for its preview: not one over the limit."""
    response = upload(organiser_client, "signups", too_big("signups"))
    assert "Ce fichier dépasse 2 Mo" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SignupImport.id))) == 0


@pytest.mark.parametrize("kind", LIMITS)
def test_a_request_over_max_content_length_gets_the_friendly_page(app, organiser_client, kind):
    data = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    response = upload(organiser_client, kind, data)
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.get_data(as_text=True)
    organiser_client.get("/dashboard/", query_string={"lang": "en"})  # the language cookie
    response = upload(organiser_client, kind, data, lang="en")
    assert "Submission too large" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("kind", "url"),
    [
        ("signups", "/dashboard/events/{event}/import"),
        ("contacts", "/dashboard/contacts/import"),
        ("distances", "/dashboard/compensation/distances"),
    ],
)
def test_the_upload_pages_say_the_limits(app, organiser_client, kind, url):
    limits = LIMITS[kind]
    url = url.format(event=organiser_client.event.id)
    french = organiser_client.get(url).get_data(as_text=True).replace("\u202f", " ")
    rows, columns = f"{limits.max_rows:,}".replace(",", " "), limits.max_columns
    # The sign-up and contacts imports read Excel workbooks too (tests/test_xlsx_import.py).
    workbooks = kind != "distances"
    french_kind = (
        "Fichier CSV ou classeur Excel (.xlsx, sans macros ni mot de passe ; sa première feuille "
        "est lue)"
        if workbooks
        else "Fichier CSV"
    )
    assert (
        f"{french_kind} de {limits.max_megabytes} Mo au plus, {rows} lignes et {columns} "
        "colonnes au plus." in french.replace("&#39;", "'")
    )
    english = organiser_client.get(url, query_string={"lang": "en"}).get_data(as_text=True)
    english_kind = (
        "CSV file or Excel workbook (.xlsx, without macros or password; its first sheet is read)"
        if workbooks
        else "CSV file"
    )
    assert (
        f"{english_kind} of at most {limits.max_megabytes} MB, {limits.max_rows:,} lines and "
        f"{columns} columns." in english
    )


def test_the_limits_fit_the_requests_the_server_accepts(app):
    for limits in LIMITS.values():
        assert limits.max_bytes + 64 * 1024 < app.config["MAX_CONTENT_LENGTH"]
    # The contacts preview posts its file back in base64.
    assert csv_reading.CONTACTS.max_bytes * 4 // 3 + 64 * 1024 < app.config["MAX_CONTENT_LENGTH"]


def test_a_contacts_file_near_the_limit_is_previewed_then_imported(app, organiser_client):
    """The preview carries the file back in a form field: a large one still comes through."""
    client = organiser_client
    function = "Adjointe au maire chargée de la culture, du patrimoine et de la vie associative"
    rows = b"".join(
        b'Mme;Anne;Martin%d;"%s";Commune nouvelle de Saint-Exemple-sur-Rance %d;a%d@example.org\n'
        % (n, function.encode(), n, n)
        for n in range(csv_reading.CONTACTS.max_rows)
    )
    data = b"Civilit\xc3\xa9;Pr\xc3\xa9nom;NOM;Fonction;Commune;Courriel\n" + rows
    assert 500_000 < len(data) <= csv_reading.CONTACTS.max_bytes  # over Flask's form field limit
    preview = upload(client, "contacts", data)
    html = preview.get_data(as_text=True)
    assert f"{csv_reading.CONTACTS.max_rows} nouveaux contacts" in html.replace("\u202f", "")
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
    assert db.session.scalar(select(func.count(Contact.id))) == csv_reading.CONTACTS.max_rows
