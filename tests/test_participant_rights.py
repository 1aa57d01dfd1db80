"""What the personal link still allows, as the page, its routes and every email word it: after
sign-ups close a participant can still cancel until the event starts; after it starts, nothing
promises « modifier ou annuler »."""

import email
from datetime import timedelta
from email import policy

import pytest
from sqlalchemy import select

from eventsvc.database import utcnow
from eventsvc.extensions import db
from eventsvc.mail import outbox
from eventsvc.mail.compose import as_received
from eventsvc.mail.models import OutboxMessage
from eventsvc.registrations import notifications
from eventsvc.registrations.models import RegistrationStatus
from eventsvc.reminders import emails as reminder_emails

from .factories import (
    csrf_token,
    move_to_the_past,
    new_event,
    post_form,
    sign_up_with_link,
    starting_in,
)

CHANGE = "pour voir, modifier ou annuler votre inscription"
CANCEL = "pour voir ou annuler votre inscription"
VIEW = "pour voir votre inscription :"


@pytest.fixture
def signed_up(app):
    event = new_event()
    registration, path = sign_up_with_link(event, 1)
    return event, registration, path


def resent_text(registration) -> tuple[str, str]:
    received = as_received(notifications.composed("resent", registration, method=None).message)
    return received.text, received.html


def test_while_sign_ups_are_open_the_link_changes_and_cancels(signed_up):
    _event, registration, _path = signed_up
    text, html = resent_text(registration)
    assert CHANGE in text and "Voir, modifier ou annuler mon inscription" in html


def test_after_sign_ups_close_the_link_still_cancels_until_the_start(signed_up, client):
    event, registration, path = signed_up
    event.registration_closes_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    text, html = resent_text(registration)
    assert CANCEL in text and CHANGE not in text
    assert "Voir ou annuler mon inscription" in html
    page = client.get(path).get_data(as_text=True)
    assert "Annuler mon inscription…" in page
    assert post_form(client, f"{path}/cancel", {}).status_code == 303
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.CANCELLED


def test_after_the_event_the_link_only_shows(signed_up, client):
    event, registration, path = signed_up
    move_to_the_past(event)
    text, html = resent_text(registration)
    assert VIEW in text and "modifier" not in text and "annuler" not in text.lower()
    assert "Voir mon inscription" in html and "annuler" not in html.lower()
    page = client.get(path).get_data(as_text=True)
    assert "Annuler mon inscription…" not in page


def test_once_started_a_forged_cancel_changes_nothing(signed_up, client):
    event, registration, path = signed_up
    starting_in(event, -1)  # under way
    token = csrf_token(client, path)
    assert client.get(f"{path}/cancel").status_code == 303
    response = client.post(f"{path}/cancel", data={"csrf_token": token})
    assert response.status_code == 303
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.CONFIRMED
    page = client.get(path).get_data(as_text=True)
    assert "ne peut plus être annulée ici" in page


def test_the_reminder_offers_to_cancel_when_sign_ups_are_closed(signed_up):
    event, registration, _path = signed_up
    event.registration_closes_at = utcnow() - timedelta(hours=1)
    starting_in(event, 20)
    reminder_emails.send_reminder(registration, event.starts_at)
    db.session.commit()
    row = db.session.scalars(select(OutboxMessage)).one()
    message = email.message_from_bytes(outbox.composed_bytes(row), policy=policy.default)
    text = message.get_body(("plain",)).get_content()
    assert CANCEL in text and "Annulez avec ce lien" in text
