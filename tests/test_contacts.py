"""The organiser's address book: CSV import (BOM, semicolons, cp1252), editing, and nobody else's
contacts or lists (404)."""

from __future__ import annotations

import base64

import pytest
from sqlalchemy import func, select

from eventsvc.events.models import Event
from eventsvc.extensions import db
from eventsvc.invitations import contacts, contacts_csv, presence
from eventsvc.invitations.models import Contact, ContactList, Invitation

from .factories import FIXTURES, ORGANISER_PASSWORD, csrf_token, login


@pytest.mark.parametrize("name", ["contacts_cp1252.csv", "contacts_bom.csv"])
def test_french_contact_files_are_read_out_of_the_box(name):
    parsed = contacts_csv.parse((FIXTURES / name).read_bytes())
    assert parsed.delimiter == ";" and not parsed.problems
    assert parsed.encoding == ("cp1252" if "cp1252" in name else "utf-8")
    assert parsed.mapping == {
        "Civilité": "civility",
        "Prénom": "first_name",
        "NOM": "last_name",
        "Fonction": "function",
        "Commune": "organisation",
        "Courriel": "email",
    }
    first = parsed.accepted[0]
    assert (first.civility, first.first_name, first.last_name) == ("Mme", "Claire", "Martin")
    assert (first.function, first.organisation) == ("Maire", "Plouër-Exemple")
    assert [row.first_name for row in parsed.accepted] == ["Claire", "Hervé", "Élodie", "Loïc"]
    [duplicate] = parsed.refused
    assert duplicate.line == 6 and "ligne 5" in str(duplicate.reason)


def test_organisation_header_and_refusals():
    data = (
        "Prénom,NOM,Organisation,Courriel\n"
        "Ana,Lopes,Mairie,ana@example.org\n"
        ",,Mairie,nobody@example.org\n"
        "Bo,Chen,Mairie,pas-une-adresse\n"
    ).encode()
    parsed = contacts_csv.parse(data)
    assert parsed.mapping["Organisation"] == "organisation"
    assert [row.email.normalised for row in parsed.accepted] == ["ana@example.org"]
    assert [row.line for row in parsed.refused] == [3, 4]
    missing = contacts_csv.parse("Prénom;Fonction\nAna;Maire\n".encode())
    assert len(missing.problems) == 2  # no « Nom », no « Courriel »


def test_the_presence_line_counts_organisations_case_folded():
    people = [
        presence.Person("A", "Maire", "Léhon"),
        presence.Person("B", "", "LÉHON"),
        presence.Person("C", "", "Taden"),
    ]
    result = presence.PresenceList(people, [], [], from_check_ins=False)
    assert result.summary() == "2 organisations représentées par 3 personnes"
    single = presence.PresenceList(people[:1], [], [], from_check_ins=True)
    assert single.summary() == "1 organisation représentée par 1 personne"


@pytest.fixture
def alice_and_bob(app, make_event, make_organiser):
    event_a = make_event(slug="atelier-a")
    alice = make_organiser("alice@example.org", events=[event_a])
    bob = make_organiser("bob@example.org", events=[make_event(slug="atelier-b")])
    preview = contacts.preview_import(alice, (FIXTURES / "contacts_bom.csv").read_bytes())
    bureau = contacts.commit_import(alice, preview, "Bureau", actor=alice)
    db.session.commit()
    return {"alice": alice, "bob": bob, "list": bureau, "contact": bureau.contacts[0]}


def _client(app, email):
    client = app.test_client()
    login(client, email, ORGANISER_PASSWORD)
    return client


def test_an_organiser_never_sees_another_organisers_contacts_or_lists(app, alice_and_bob):
    bob = _client(app, "bob@example.org")
    contact, bureau = alice_and_bob["contact"], alice_and_bob["list"]
    page = bob.get("/dashboard/contacts").get_data(as_text=True)
    assert contact.email not in page and "Bureau" not in page
    assert bob.get(f"/dashboard/contacts/{contact.id}").status_code == 404
    assert bob.get(f"/dashboard/contacts/{contact.id}/delete").status_code == 404
    assert bob.get(f"/dashboard/contacts?liste={bureau.id}").status_code == 404
    token = csrf_token(bob, "/dashboard/contacts")
    for path in (
        f"/dashboard/contacts/{contact.id}",
        f"/dashboard/contacts/{contact.id}/delete",
        f"/dashboard/contacts/lists/{bureau.id}/delete",
    ):
        response = bob.post(path, data={"csrf_token": token, "last_name": "X", "email": "x@y.fr"})
        assert response.status_code == 404, path
    # Inviting Alice's list or contact to Bob's event is refused, nothing sent.
    event_b = db.session.scalar(select(Event).where(Event.slug == "atelier-b"))
    invite = f"/dashboard/events/{event_b.id}/invitations/invite"
    bob.post(invite, data={"csrf_token": token, "lists": [bureau.id], "confirmed": "1"})
    bob.post(invite, data={"csrf_token": token, "contacts": [contact.id], "confirmed": "1"})
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    assert db.session.scalar(select(func.count(Contact.id))) == 4
    assert db.session.scalar(select(func.count(ContactList.id))) == 1
    # Alice sees hers.
    alice = _client(app, "alice@example.org")
    assert contact.email in alice.get("/dashboard/contacts").get_data(as_text=True)
    assert alice.get(f"/dashboard/contacts/{contact.id}").status_code == 200


def test_import_edit_and_remove_contacts_in_the_dashboard(app, make_organiser):
    make_organiser("alice@example.org")
    alice = _client(app, "alice@example.org")
    token = csrf_token(alice, "/dashboard/contacts/import")
    with open(FIXTURES / "contacts_cp1252.csv", "rb") as handle:
        preview = alice.post(
            "/dashboard/contacts/import",
            data={"csrf_token": token, "list_name": "Réseau Culture", "file": (handle, "c.csv")},
            content_type="multipart/form-data",
        )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "4 nouveaux contacts" in html and "Élodie" in html
    assert db.session.scalar(select(func.count(Contact.id))) == 0  # a preview writes nothing
    content = html.split('name="content" value="')[1].split('"')[0]
    done = alice.post(
        "/dashboard/contacts/import",
        data={
            "csrf_token": token,
            "list_name": "Réseau Culture",
            "content": content,
            "confirmed": "1",
        },
    )
    assert done.status_code == 303
    [culture] = db.session.scalars(select(ContactList)).all()
    assert culture.name == "Réseau Culture" and len(culture.contacts) == 4
    contact = db.session.scalar(select(Contact).where(Contact.first_name == "Hervé"))
    edited = alice.post(
        f"/dashboard/contacts/{contact.id}",
        data={
            "csrf_token": token,
            "civility": "M.",
            "first_name": "Hervé",
            "last_name": "Le Gall",
            "function": "Maire",
            "organisation": "Dinan-Exemple",
            "email": "Herve.LeGall@dinan.example.fr",
            "lists": [culture.id],
        },
    )
    assert edited.status_code == 303
    db.session.refresh(contact)
    assert contact.function == "Maire" and contact.email_key == "herve.legall@dinan.example.fr"
    clash = alice.post(
        f"/dashboard/contacts/{contact.id}",
        data={
            "csrf_token": token,
            "last_name": "Le Gall",
            "email": "CLAIRE.martin@plouer.example.fr",
        },
    )
    assert clash.status_code == 200 and "déjà celle de Claire Martin" in clash.get_data(
        as_text=True
    )
    asked = alice.get(f"/dashboard/contacts/{contact.id}/delete").get_data(as_text=True)
    assert "M. Hervé Le Gall sera retiré·e de vos contacts" in asked
    removed = alice.post(f"/dashboard/contacts/{contact.id}/delete", data={"csrf_token": token})
    assert removed.status_code == 303
    assert db.session.scalar(select(func.count(Contact.id))) == 3


UNUSUAL = "Prénom;Nom de famille;Mairie;Adresse pro\nAna;Lopes;Taden-Exemple;ana@taden.example.fr\n"


def test_columns_can_be_mapped_by_hand(app, runner, make_organiser, tmp_path):
    parsed = contacts_csv.parse(UNUSUAL.encode())
    assert parsed.problems and not parsed.accepted
    mapped = contacts_csv.parse(
        UNUSUAL.encode(), mapping={"Mairie": "organisation", "Adresse pro": "email"}
    )
    assert not mapped.problems
    assert [(r.organisation, r.email.normalised) for r in mapped.accepted] == [
        ("Taden-Exemple", "ana@taden.example.fr")
    ]
    make_organiser("alice@example.org")
    path = tmp_path / "maires.csv"
    path.write_text(UNUSUAL, encoding="utf-8")
    result = runner.invoke(
        args=[
            "contacts",
            "import",
            "Maires",
            str(path),
            "--map",
            "Adresse pro=email",
            "--map",
            "Mairie=organisation",
            "--yes",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Adresse pro -> Courriel" in result.output
    assert db.session.scalar(select(Contact.organisation)) == "Taden-Exemple"


def test_the_dashboard_preview_takes_corrections(app, make_organiser):
    make_organiser("alice@example.org")
    alice = _client(app, "alice@example.org")
    token = csrf_token(alice, "/dashboard/contacts/import")
    content = base64.b64encode(UNUSUAL.encode()).decode()
    first = alice.post(
        "/dashboard/contacts/import",
        data={"csrf_token": token, "list_name": "Maires", "content": content},
    ).get_data(as_text=True)
    assert "Aucune colonne « Courriel »" in first and 'name="map-3"' in first
    data = {
        "csrf_token": token,
        "list_name": "Maires",
        "content": content,
        "encoding": "utf-8",
        "delimiter": ";",
        "map-0": "first_name",
        "map-1": "last_name",
        "map-2": "organisation",
        "map-3": "email",
    }
    again = alice.post("/dashboard/contacts/import", data={**data, "confirmed": "0"})
    assert "1 nouveau contact" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Contact.id))) == 0
    done = alice.post("/dashboard/contacts/import", data={**data, "confirmed": "1"})
    assert done.status_code == 303
    assert db.session.scalar(select(Contact.email)) == "ana@taden.example.fr"
