"""Importing sign-ups from CSV: reading files as people's tools save them, the preview, the
organiser's corrections, the all-or-nothing import, through the dashboard and the command line."""

import csv
import io
import re
from datetime import time
from html import unescape

import pytest
from sqlalchemy import func, select

from eventsvc.audit.models import AuditEvent
from eventsvc.extensions import db
from eventsvc.registrations import importing, signup_csv
from eventsvc.registrations import operations as service
from eventsvc.registrations.models import Registration, SignupImport

from .factories import FIXTURES, SAMPLE, command, csrf_token, sample_rows

SAMPLE_TEXT = SAMPLE.decode("utf-8")
HEADER = list(sample_rows()[0])
INVALID_EMAILS = ["nadia;benali@mairie.example.org", "lucas.bernard@@agence.example.org"]
DUPLICATE = "Karim.Haddad@mission-locale.example.org"


def written(delimiter=",", line_ending="\n") -> str:
    """The sample rows written back properly quoted by a spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=line_ending)
    writer.writerow(HEADER)
    for row in sample_rows():
        writer.writerow([row[title] for title in HEADER])
    return buffer.getvalue()


def refused_values(parsed):
    return [(row.line, row.field, row.value) for row in parsed.refused]


def accepted_people(parsed):
    return [(row.first_name, row.last_name, row.email.normalised) for row in parsed.accepted]


# Reading the file (pure)


def test_the_sample_refuses_exactly_the_invalid_emails_and_the_duplicate():
    parsed = signup_csv.parse(SAMPLE)
    assert parsed.problems == [] and parsed.warnings == []
    assert (parsed.encoding, parsed.delimiter, parsed.detected.line_endings) == ("utf-8", ",", "LF")
    assert parsed.mapping == {
        "Prénom": "first_name",
        "NOM": "last_name",
        "Organisation": "organisation",
        "Courriel": "email",
        "Je serai présent.e toute la journée": "full_day",
        "Commentaire libre": "comment",
    }
    assert refused_values(parsed) == [
        (4, "email", "nadia;benali@mairie.example.org"),
        (16, "email", DUPLICATE),
        (18, "email", "lucas.bernard@@agence.example.org"),
    ]
    reasons = [str(row.reason) for row in parsed.refused]
    assert "« ; »" in reasons[0]
    assert reasons[1] == "Doublon : la même adresse figure déjà à la ligne 15."
    assert "un seul « @ »" in reasons[2]
    assert parsed.rows_read == len(sample_rows()) == 20
    assert len(parsed.accepted) == 17


def test_rows_keep_what_was_typed_and_their_line():
    parsed = signup_csv.parse(SAMPLE)
    rows = {row.first_name: row for row in parsed.accepted}
    assert rows["Théo"].line == 8  # its comment spans lines 8 to 10
    assert rows["Théo"].comment == (
        "Je pourrai vous rejoindre uniquement à partir de 10h45.\n"
        "Merci de votre compréhension.\nMerci de votre compréhension."
    )
    assert rows["Françoise"].line == 11
    assert rows["Hélène"].email.normalised == "helene.tanguy@example.net"
    assert rows["Hélène"].email.typed == "helene.tanguy@example.net"  # stored trimmed
    assert rows["yann"].last_name == "KERGOAT" and rows["yann"].full_day is False
    assert rows["Emma"].organisation == ""
    assert rows["Samuel"].comment == "<script>alert('x')</script> je viens avec un collègue"
    by_email = {row["Courriel"].strip(): row for row in sample_rows()}
    for row in parsed.accepted:
        original = by_email[row.email.typed]
        assert row.organisation == original["Organisation"].strip()
        assert row.comment == original["Commentaire libre"].strip().replace("\r\n", "\n")


def test_a_row_with_an_unquoted_comma_is_repaired_and_flagged():
    parsed = signup_csv.parse(SAMPLE)
    (repaired,) = parsed.repaired
    assert repaired.line == 21 and repaired.first_name == "Inès"
    assert repaired.organisation == sample_rows()[17]["Organisation"]
    assert repaired.organisation.startswith("=HYPERLINK(")
    assert repaired.email.normalised == "ines.martin@example.org" and repaired.full_day
    note = str(repaired.repair)
    assert "7 champs pour 6 colonnes" in note and "« Organisation »" in note


def test_an_ambiguous_row_is_refused_with_its_text():
    data = (
        "Prénom,NOM,Organisation,Courriel,Commentaire,Note interne\n"
        "Anne,Morvan,Métropole,anne@example.org,un,deux,trois\n"
        "Paul,Le Gall,CCAS,paul@example.org,,\n"
    ).encode()
    parsed = signup_csv.parse(data)
    assert parsed.mapping["Note interne"] == ""
    assert refused_values(parsed) == [
        (2, "", "Anne,Morvan,Métropole,anne@example.org,un,deux,trois")
    ]
    assert "7 champs pour 6 colonnes" in str(parsed.refused[0].reason)
    assert accepted_people(parsed) == [("Paul", "Le Gall", "paul@example.org")]


@pytest.mark.parametrize(
    ("name", "data", "encoding", "delimiter", "endings"),
    [
        ("UTF-8 with BOM", b"\xef\xbb\xbf" + SAMPLE, "utf-8", ",", "LF"),
        ("Windows-1252", SAMPLE_TEXT.encode("cp1252"), "cp1252", ",", "LF"),
        ("CRLF", SAMPLE_TEXT.replace("\n", "\r\n").encode(), "utf-8", ",", "CRLF"),
        ("old Mac CR", SAMPLE_TEXT.replace("\n", "\r").encode(), "utf-8", ",", "CR"),
        (
            "semicolons, CRLF, cp1252 (French Excel)",
            written(";", "\r\n").encode("cp1252"),
            "cp1252",
            ";",
            "CRLF",
        ),
        ("semicolons with BOM", b"\xef\xbb\xbf" + written(";").encode(), "utf-8", ";", "LF"),
        ("Excel « texte Unicode »", written("\t", "\r\n").encode("utf-16"), "utf-16", "\t", "CRLF"),
    ],
)
def test_files_as_tools_save_them_read_the_same(name, data, encoding, delimiter, endings):
    parsed = signup_csv.parse(data)
    reference = signup_csv.parse(SAMPLE)
    assert (parsed.encoding, parsed.delimiter, parsed.detected.line_endings) == (
        encoding,
        delimiter,
        endings,
    ), name
    assert parsed.problems == [] and parsed.warnings == []
    assert accepted_people(parsed) == accepted_people(reference)
    assert [(r.field, r.value) for r in parsed.refused] == [
        (r.field, r.value) for r in reference.refused
    ]
    people = {row.first_name: row for row in parsed.accepted}
    assert people["Françoise"].email.normalised == "françoise.delmas@departement.example.org"
    assert people["Gaëlle"].organisation == "Ti Atelier"
    assert people["Théo"].last_name == "Quéré"
    assert people["Théo"].comment.endswith("Merci de votre compréhension.")
    assert "\r" not in people["Théo"].comment


def test_the_organiser_corrects_a_wrong_guess():
    cp1252 = SAMPLE_TEXT.encode("cp1252")
    as_utf8 = signup_csv.parse(cp1252, encoding="utf-8")
    assert as_utf8.problems and "UTF-8" in str(as_utf8.problems[0])
    assert as_utf8.accepted == []
    misread = signup_csv.parse(SAMPLE, encoding="cp1252")
    assert "Ã©" in str(misread.warnings[0])
    semicolons = written(";").encode()
    as_commas = signup_csv.parse(semicolons, delimiter=",")
    assert [str(p) for p in as_commas.problems][0].startswith("Aucune colonne n'est associée")


def test_other_headers_are_mapped_by_the_organiser():
    data = (
        "Horodateur;Given name;Family;Mail pro;Structure;Présent(e) toute la journée ?;Remarques\n"
        "2026-01-05 10:00;Anne;Morvan;anne@example.org;Métropole;oui;\n"
        "2026-01-05 10:02;Paul;Le Gall;PAUL@example.org;CCAS;NON;seulement le matin\n"
    ).encode()
    parsed = signup_csv.parse(data)
    assert parsed.mapping["Given name"] == "first_name"
    assert parsed.mapping["Présent(e) toute la journée ?"] == "full_day"
    assert (
        parsed.mapping["Remarques"] == "comment" and parsed.mapping["Structure"] == "organisation"
    )
    assert parsed.mapping["Family"] == "" and parsed.mapping["Horodateur"] == ""
    missing = [str(problem) for problem in parsed.problems]
    assert missing == [
        "Aucune colonne n'est associée à « Nom » : choisissez-la ci-dessous.",
        "Aucune colonne n'est associée à « Adresse électronique » : choisissez-la ci-dessous.",
    ]
    mapped = signup_csv.parse(data, mapping={"Family": "last_name", "Mail pro": "email"})
    assert mapped.problems == []
    assert accepted_people(mapped) == [
        ("Anne", "Morvan", "anne@example.org"),
        ("Paul", "Le Gall", "PAUL@example.org"),
    ]
    assert [row.full_day for row in mapped.accepted] == [True, False]
    twice = signup_csv.parse(data, mapping={"Family": "first_name", "Mail pro": "email"})
    assert "Plusieurs colonnes sont associées à « Prénom »" in str(twice.problems[0])


def test_missing_names_and_unknown_answers_are_refused():
    data = (
        "Prénom,NOM,Courriel,Je serai présent·e toute la journée\n"
        ",Morvan,anne@example.org,Oui\n"
        "Paul,  ,paul@example.org,Oui\n"
        "Nadia,Benali,nadia@example.org,Peut-être\n"
        "Yann,Kergoat,yann@example.org,\n"
    ).encode()
    parsed = signup_csv.parse(data, existing_keys={"yann@example.org"})
    assert [(r.line, r.field, r.value, str(r.reason)) for r in parsed.refused] == [
        (2, "first_name", "", "Prénom manquant : complétez la ligne."),
        (3, "last_name", "", "Nom manquant : complétez la ligne."),
        (4, "full_day", "Peut-être", "Réponse non reconnue : attendu « Oui » ou « Non »."),
        (
            5,
            "email",
            "yann@example.org",
            "Doublon : cette adresse est déjà inscrite à l'événement.",
        ),
    ]


# Preview and import (service)


def test_preview_plans_suggestions_for_the_non_rows(app, make_event):
    event = make_event()
    morning, afternoon = (part.id for part in event.parts)
    preview = importing.preview(event, SAMPLE)
    planned = {row.row.first_name: row.attendance for row in preview.planned}
    assert planned["Anne"] == importing.Attendance(full_day=True)
    assert planned["yann"] == importing.Attendance(False, [afternoon], source="comment")
    assert planned["Sophie"] == importing.Attendance(False, [morning], source="comment")
    assert planned["Louise"] == importing.Attendance(
        False, [morning, afternoon], departure=time(15), source="comment"
    )
    assert planned["Théo"] == importing.Attendance(
        False, [morning, afternoon], arrival=time(10, 45), source="comment"
    )
    assert planned["Bruno"] == importing.Attendance(
        False, [morning, afternoon], time(11), time(16, 30), "comment"
    )
    assert len(preview.suggestions) == 6
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_import_is_all_or_nothing(app, make_event):
    event = make_event()
    preview = importing.preview(event, SAMPLE)
    # Someone from the file signs up on the form between the preview and the import.
    service.register(event, command(1, email="jeanne.leroux@codev.example"), locale="fr")
    db.session.commit()
    with pytest.raises(importing.ImportRefused) as refused:
        importing.commit(event, preview)
    db.session.rollback()
    assert "Ligne 17 : jeanne.leroux@codev.example s'est inscrit·e depuis l'aperçu" in str(
        refused.value
    )
    assert db.session.scalar(select(func.count(Registration.id))) == 1
    assert db.session.scalar(select(func.count(AuditEvent.id))) == 0


def test_capacity_applies_in_file_order(app, make_event):
    event = make_event(capacity=10)
    result = importing.commit(event, importing.preview(event, SAMPLE))
    db.session.commit()
    assert result.waitlisted == 7
    statuses = [r.status for r in result.registrations]
    assert statuses == ["confirmed"] * 10 + ["waitlisted"] * 7


# Through the dashboard


def upload(client, data: bytes, filename="inscriptions.csv"):
    event = client.event
    url = f"/dashboard/events/{event.id}/import"
    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def test_upload_preview_correct_and_import(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    morning, afternoon = (part.id for part in event.parts)
    preview_url = upload(client, written(";", "\r\n").encode("cp1252"))
    page = client.get(preview_url)
    html = unescape(page.get_data(as_text=True))
    assert page.status_code == 200
    assert "Windows-1252 (Excel français)" in html and "CRLF (Windows)" in html
    for line, value in ((4, INVALID_EMAILS[0]), (16, DUPLICATE), (18, INVALID_EMAILS[1])):
        assert re.search(
            rf'<td class="num">{line}</td>\s*<td>[^<]+</td>\s*<td class="typed"><code>'
            rf"{re.escape(value)}</code>",
            html,
        ), line
    assert "Doublon : la même adresse figure déjà à la ligne 15." in html
    assert "Importer 17 inscriptions" in html
    # Suggestions are pre-ticked, marked as such, and quote what was read.
    assert f'id="parts-5-{afternoon}" name="parts-5" value="{afternoon}" checked' in html
    assert f'id="parts-5-{morning}" name="parts-5" value="{morning}">' in html
    assert "lu dans le commentaire : viendrai l'après-midi" in html
    assert 'name="arrival-8" value="10:45"' in html
    assert db.session.scalar(select(func.count(Registration.id))) == 0

    token = csrf_token(client, preview_url)
    corrections = {
        "csrf_token": token,
        "action": "import",
        "parts-5": [str(afternoon)],
        "parts-6": [str(morning)],
        "parts-7": [str(morning), str(afternoon)],
        "departure-7": "15:00",
        "parts-8": [str(morning), str(afternoon)],
        "arrival-8": "10:45",
        # Emma: the organiser knows she will only come in the morning.
        "parts-19": [str(morning)],
        "parts-23": [str(morning), str(afternoon)],
        "arrival-23": "11:00",
        "departure-23": "16:30",
    }
    response = client.post(preview_url, data=corrections)
    assert response.status_code == 303, unescape(response.get_data(as_text=True))
    stored = {r.email: r for r in db.session.scalars(select(Registration))}
    assert len(stored) == 17
    emma = stored["emma.petit@example.com"]
    assert not emma.full_day and [p.id for p in emma.chosen_parts] == [morning]
    bruno = stored["mairie@plouexemple.example.org"]
    assert (bruno.arrival_time, bruno.departure_time) == (time(11), time(16, 30))
    assert stored["françoise.delmas@departement.example.org"].last_name == "Delmas"
    assert stored["ines.martin@example.org"].organisation.startswith("=HYPERLINK(")
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.committed"))
    assert entry.details["imported"] == 17 and entry.details["send_invitations"] is False
    assert entry.details["refused_lines"] == [4, 16, 18]
    assert entry.actor_label == client.user.email
    kept = db.session.scalar(select(SignupImport))
    assert kept.content == b"" and kept.imported_count == 17 and kept.send_invitations is False
    landing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "17 inscriptions importées" in landing and "Aucun message n&#39;a été envoyé" in landing
    again = client.get(preview_url)
    assert again.status_code == 303


def test_an_incomplete_correction_imports_nothing(app, organiser_client):
    client = organiser_client
    preview_url = upload(client, SAMPLE)
    token = csrf_token(client, preview_url)
    response = client.post(
        preview_url,
        data={"csrf_token": token, "action": "import", "arrival-8": "25h", "send_invitations": "1"},
    )
    html = unescape(response.get_data(as_text=True))
    assert response.status_code == 200
    assert 'id="row-5-error"' in html and "cochez au moins une partie" in html
    assert "Cette heure n'existe pas" in html or "Indiquez une heure" in html
    assert 'id="send_invitations" name="send_invitations" value="1" checked' in html
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_reread_with_other_settings_and_a_column_mapping(app, organiser_client):
    client = organiser_client
    data = (
        b"Given name;Family;Mail pro\nAnne;Morvan;anne@example.org\nPaul;Le Gall;paul@example.org\n"
    )
    preview_url = upload(client, data)
    html = unescape(client.get(preview_url).get_data(as_text=True))
    assert "Aucune colonne n'est associée à « Nom »" in html
    token = csrf_token(client, preview_url)
    response = client.post(
        preview_url,
        data={
            "csrf_token": token,
            "action": "reread",
            "encoding": "utf-8",
            "delimiter": "semicolon",
            "header-0": "Given name",
            "map-0": "first_name",
            "header-1": "Family",
            "map-1": "last_name",
            "header-2": "Mail pro",
            "map-2": "email",
        },
    )
    assert response.status_code == 303
    html = unescape(client.get(preview_url).get_data(as_text=True))
    assert "Importer 2 inscriptions" in html
    saved = db.session.scalar(select(SignupImport))
    db.session.refresh(saved)
    assert saved.mapping == {"Given name": "first_name", "Family": "last_name", "Mail pro": "email"}


def test_upload_needs_a_csv_file(app, organiser_client):
    client = organiser_client
    url = f"/dashboard/events/{client.event.id}/import"
    response = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "file": (io.BytesIO(b"x"), "photo.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200 and 'id="file-error"' in response.get_data(as_text=True)


# Command line


def test_cli_dry_run_prints_the_preview_and_writes_nothing(app, runner, make_event):
    make_event()
    path = str(FIXTURES / "signups_sample.csv")
    result = runner.invoke(args=["import-signups", "atelier", path, "--dry-run"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "encodage UTF-8 (avec ou sans BOM), séparateur virgule, fins de ligne LF" in out
    assert "Je serai présent.e toute la journée -> Toute la journée (Oui/Non)" in out
    assert "Lignes lues : 20 ; à importer : 17 ; refusées : 3 ; réparées : 1" in out
    assert "  ligne 4 : « nadia;benali@mairie.example.org » : Cette adresse contient" in out
    assert (
        "  ligne 16 : « Karim.Haddad@mission-locale.example.org » : Doublon : la même adresse "
        "figure déjà à la ligne 15." in out
    )
    assert "  ligne 18 : « lucas.bernard@@agence.example.org » : Une adresse électronique" in out
    assert "  ligne 21 : 7 champs pour 6 colonnes" in out
    assert "ligne 5 (yann KERGOAT) : Après-midi (lu : « viendrai l'après-midi »)" in out
    assert "ligne 23 (Bruno Caradec) : Matin, Après-midi, arrivée 11:00, départ 16:30" in out
    assert "Simulation (--dry-run) : rien n'a été écrit." in out
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_cli_asks_before_writing(app, runner, make_event):
    make_event()
    path = str(FIXTURES / "signups_sample.csv")
    declined = runner.invoke(args=["import-signups", "atelier", path], input="n\n")
    assert declined.exit_code == 0
    assert "Importer 17 inscriptions ? [y/N]" in declined.output
    assert "Rien n'a été importé." in declined.output
    assert db.session.scalar(select(func.count(Registration.id))) == 0
    db.session.rollback()

    accepted = runner.invoke(args=["import-signups", "atelier", path], input="y\n")
    assert accepted.exit_code == 0, accepted.output
    assert "17 inscriptions importées (dont 0 sur liste d'attente)." in accepted.output
    assert "Messages : aucun envoyé" in accepted.output
    assert db.session.scalar(select(func.count(Registration.id))) == 17
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import.committed"))
    assert entry.actor_label == "command-line" and entry.actor_id is None
    db.session.rollback()

    twice = runner.invoke(args=["import-signups", "atelier", path, "--yes"])
    assert twice.exit_code == 0
    assert "à importer : 0 ; refusées : 20" in twice.output


def test_cli_yes_with_options_and_mapping(app, runner, make_event, tmp_path):
    make_event()
    path = tmp_path / "export.csv"
    path.write_bytes("Given name;Family;Mail pro\nAnne;Morvan;anne@example.org\n".encode("cp1252"))
    missing = runner.invoke(args=["import-signups", "atelier", str(path), "--yes"])
    assert missing.exit_code == 1
    assert "Aucune colonne n'est associée à « Nom »" in missing.output
    db.session.rollback()
    result = runner.invoke(
        args=[
            "import-signups",
            "atelier",
            str(path),
            "--yes",
            "--encoding",
            "cp1252",
            "--delimiter",
            "semicolon",
            "--map",
            "Family=last_name",
            "--map",
            "Mail pro=email",
            "--map",
            "Given name=first_name",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "1 inscription importée" in result.output
    assert db.session.scalar(select(Registration.last_name)) == "Morvan"
    db.session.rollback()
    unknown = runner.invoke(args=["import-signups", "nope", str(path), "--yes"])
    assert unknown.exit_code == 1 and "No event with the address nope" in unknown.output


def test_import_sends_nothing_unless_asked(app, make_event):
    from eventsvc.mail.models import OutboxMessage

    count = lambda: db.session.scalar(select(func.count(OutboxMessage.id)))  # noqa: E731
    quiet = make_event(slug="sans-message")
    importing.commit(quiet, importing.preview(quiet, SAMPLE))
    db.session.commit()
    assert count() == 0
    loud = make_event(slug="avec-messages")
    importing.commit(loud, importing.preview(loud, SAMPLE), send_invitations=True)
    db.session.commit()
    assert count() == 17


def test_a_control_character_refuses_the_row_with_its_reason():
    """PostgreSQL cannot store a NUL: the row is refused in the preview, never a 500 on import."""
    from eventsvc.registrations import signup_csv

    data = (
        "Prénom,NOM,Organisation,Courriel,Je serai présent.e toute la journée,Commentaire libre\n"
        "Anne,Mor\x00van,Métropole,anne@example.org,Oui,\n"
        "Paul,Le Gall,CCAS,paul@example.org,Oui,ok\n"
    ).encode()
    parsed = signup_csv.parse(data)
    [refused] = parsed.refused
    assert refused.line == 2 and "caractère de contrôle" in str(refused.reason)
    assert [row.last_name for row in parsed.accepted] == ["Le Gall"]


def test_column_mappings_from_the_command_line():
    import click
    import pytest

    from eventsvc.common.csv_options import delimiter_of, mapping_of

    assert mapping_of(("Mail pro=email", "Remarque="), ("email", "comment")) == {
        "Mail pro": "email",
        "Remarque": "",
    }
    assert mapping_of((), ("email",)) is None
    assert delimiter_of("semicolon") == ";" and delimiter_of(None) is None
    for wrong in ("Mail pro", "Mail pro=courriel"):
        with pytest.raises(click.BadParameter, match="HEADER=FIELD"):
            mapping_of((wrong,), ("email",))
