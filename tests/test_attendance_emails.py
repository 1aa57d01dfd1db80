"""« Envoyer les attestations par courriel »: through the outbox to a real SMTP server, once."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from eventsvc.attendance import service
from eventsvc.audit.models import AuditEvent
from eventsvc.extensions import db
from eventsvc.jobs.runner import run_due
from eventsvc.mail.models import OutboxMessage
from eventsvc.mail.worker import deliver_once

from .factories import csrf_token, move_to_the_past, participant
from .smtp_server import smtp_settings


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, **smtp_settings(smtp_server)}


def inbox(smtp_server, address):
    deliver_once()
    return [m.message for m in smtp_server.mailbox.to(address)]


def test_certificates_are_emailed_once_to_each_attendee_after_the_event(
    organiser_client, smtp_server
):
    client = organiser_client
    event = client.event
    morning, afternoon = event.parts
    anne = participant(event, 1, last="Durand", first="Anne")
    zoe = participant(event, 2, last="Éloi", first="Zoé")
    zoe.locale = "en"
    absent = participant(event, 3, last="Absent")
    for part in event.parts:
        service.check_in(anne, part)
    service.check_in(zoe, afternoon)
    service.add_walk_in(event, morning, first_name="Sans", last_name="Adresse")
    db.session.commit()
    url = f"/dashboard/events/{event.id}/certificates/send"

    # Before the event is over: refused, nothing queued.
    token = csrf_token(client, f"/dashboard/events/{event.id}/attendance")
    assert client.post(url, data={"csrf_token": token}).status_code == 303
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0

    move_to_the_past(event)
    page = client.get(url)
    assert page.status_code == 200 and "2 attestations seront envoyées" in page.get_data(
        as_text=True
    )
    # The walk-in without an address is named, with their certificate to hand over.
    walk_in = next(r for r in service.attendees(event) if not r.email)
    html = page.get_data(as_text=True)
    assert "Une personne présente n'a pas d'adresse électronique" in html
    assert "Elle ne recevra rien : téléchargez son attestation" in html
    certificate = f"/dashboard/events/{event.id}/registrations/{walk_in.id}/certificate.pdf"
    assert f'href="{certificate}">Sans Adresse</a>' in html
    assert client.get(certificate).headers["Content-Type"] == "application/pdf"
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 303
    # A job does the work: its page first says it waits, then, once a worker ran it, the result.
    job_page = response.headers["Location"]
    assert job_page.startswith("/dashboard/jobs/")
    waiting = client.get(job_page).get_data(as_text=True)
    assert "En attente" in waiting and "0 sur" not in waiting
    assert '<meta http-equiv="refresh"' in waiting
    # The attendance page says it is under way, with a link to its progress.
    attendance = client.get(f"/dashboard/events/{event.id}/attendance").get_data(as_text=True)
    assert "est en cours" in attendance and f'href="{job_page}"' in attendance
    assert run_due() == 1
    html = client.get(job_page).get_data(as_text=True)
    assert "2 attestations envoyées par courriel." in html
    assert "1 personne présente sans adresse électronique" in html
    assert "2 sur 2" in html and '<meta http-equiv="refresh"' not in html

    [message] = inbox(smtp_server, anne.email)
    assert message["Subject"] == "Votre attestation de présence : Atelier participatif"
    assert message["Reply-To"] == "Codev Exemple <codev@example.org>"
    assert "Bonjour Anne Durand" in message.get_body(("plain",)).get_content()
    assert "Durée totale : 6 h" in message.get_body(("plain",)).get_content()
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "attestation-de-presence.pdf"
    reader = PdfReader(io.BytesIO(attachment.get_payload(decode=True)))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    assert "Anne DURAND" in text and "6 h" in text

    [english] = inbox(smtp_server, zoe.email)
    assert english["Subject"] == "Your certificate of attendance: Atelier participatif"
    assert inbox(smtp_server, absent.email) == []

    # A second click sends nothing twice.
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    run_due()
    assert "Aucune nouvelle attestation" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert len(inbox(smtp_server, anne.email)) == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 2
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action == "attendance.certificates_sent")
    ).all()
    assert len(actions) == 2
