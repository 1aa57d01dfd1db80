"""The RGAA accessibility statement: linked with its status from every page, configurable, in
French and English; and the PDFs it promises to be tagged."""

import io

import pytest
from pypdf import PdfReader

from eventsvc import create_app
from eventsvc.attendance import service

from .factories import move_to_the_past, participant


def test_every_page_links_the_statement_with_its_status(client, make_event):
    event = make_event()
    for url in (f"/e/{event.slug}", "/login", "/confidentialite", "/accessibilite"):
        html = client.get(url).text
        assert '<a href="/accessibilite">Accessibilité : non conforme</a>' in html, url


def test_the_default_statement_is_honest_about_having_no_audit(client):
    page = client.get("/accessibilite").text
    assert "Ce service est non conforme avec le référentiel général" in page
    assert "Aucun audit complet selon le RGAA" in page
    assert "axe-core" in page and "360 pixels" in page
    assert "Défenseur des droits, Libre réponse 71120" in page
    # Without an accessibility or privacy contact, the way out is the event's organiser.
    assert "l'organisateur de l'événement : son adresse figure" in page
    assert "Cette déclaration a été établie le samedi 5 décembre 2026." in page


def test_the_statement_says_what_the_deployment_configured(app, client):
    app.config.update(
        ACCESSIBILITY_STATUS="partial",
        ACCESSIBILITY_AUDIT="Audit du 3 mars 2027 par Access Exemple : 87 % des critères.",
        ACCESSIBILITY_CONTACT="accessibilite@departement.example",
        PRIVACY_CONTROLLER="Département Exemple",
        ACCESSIBILITY_STATEMENT_DATE=None,
    )
    page = client.get("/accessibilite?lang=en").text
    assert "Accessibility: partially compliant" in page
    assert "This service is partially compliant with the French accessibility framework" in page
    assert "Audit du 3 mars 2027 par Access Exemple" in page and "No complete RGAA" not in page
    assert "accessibilite@departement.example" in page
    assert "Département Exemple is committed to making its digital services accessible" in page


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("ACCESSIBILITY_STATUS", "compliant", "EVENTSVC_ACCESSIBILITY_STATUS must be one of"),
        ("ACCESSIBILITY_STATEMENT_DATE", "5 mars", "EVENTSVC_ACCESSIBILITY_STATEMENT_DATE must"),
    ],
)
def test_a_wrong_setting_stops_the_app_with_its_name(tmp_path, key, value, message):
    config = {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://", key: value}
    with pytest.raises(ValueError, match=message):
        create_app(config)


def test_a_configured_date_is_the_statement_date(tmp_path):
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path),
            "SQLALCHEMY_DATABASE_URI": "sqlite://",
            "SECRET_KEY": "x",
            "ACCESSIBILITY_STATEMENT_DATE": "2027-03-15",
        }
    )
    page = app.test_client().get("/accessibilite").text
    assert "établie le lundi 15 mars 2027" in page


def test_certificates_and_sheets_are_tagged_pdfs_in_french(organiser_client):
    client = organiser_client
    event = client.event
    person = participant(event, 1)
    for part in event.parts:
        service.check_in(person, part)
    move_to_the_past(event)
    for url in (
        f"/dashboard/events/{event.id}/certificates.pdf",
        f"/dashboard/events/{event.id}/sheets.pdf",
    ):
        response = client.get(url)
        assert response.headers["Content-Type"] == "application/pdf", url
        root = PdfReader(io.BytesIO(response.data)).trailer["/Root"]
        assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"]), url
        assert root["/Lang"] == "fr", url
