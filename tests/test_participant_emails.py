"""What a participant receives and what their personal link lets them do."""

import re
from datetime import time, timedelta

import icalendar
import pytest

from eventsvc.events.models import Part
from eventsvc.extensions import db
from eventsvc.mail.worker import deliver_once
from eventsvc.registrations.models import Registration

from .calendar_checks import assert_valid_itip
from .factories import csrf_token, local, part_ids, post_form, valid
from .smtp_server import smtp_settings


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, **smtp_settings(smtp_server)}


def inbox(smtp_server, address):
    deliver_once()
    return [m.message for m in smtp_server.mailbox.to(address)]


def calendar_of(message):
    parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1
    return parts[0].get_payload(decode=True), parts[0].get_param("method")


def personal_path(message) -> str:
    text = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://[^/\s]+(/r/[A-Za-z0-9_-]{43})", text)
    assert match, text
    return match.group(1)


def sign_up(client, email, **fields):
    response = post_form(client, "/e/atelier", valid(email=email, **fields))
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


def test_confirmation_carries_an_invitation_for_the_afternoon(client, make_event, smtp_server):
    event = make_event()
    afternoon = part_ids(event)["Après-midi"]
    sign_up(
        client,
        "yann@maison-lilas.example.net",
        full_day="no",
        parts=[str(afternoon)],
        comment="Permanence d'accueil le matin",
    )
    [message] = inbox(smtp_server, "yann@maison-lilas.example.net")

    assert message["Subject"] == "Inscription confirmée : Atelier participatif"
    assert message["From"] == "Inscriptions <inscriptions@eventsvc.example.org>"
    assert message["Reply-To"] == "Codev Exemple <codev@example.org>"
    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.get_payload()
    assert alternative.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in alternative.get_payload()] == [
        "text/plain",
        "multipart/related",  # the HTML and its QR code (tests/test_qr_codes.py)
        "text/calendar",
    ]
    html_part, image = alternative.get_payload()[1].get_payload()
    assert (html_part.get_content_type(), image.get_content_type()) == ("text/html", "image/png")
    assert attachment.get_filename() == "invite.ics"
    text = message.get_body(("plain",)).get_content()
    assert "Bonjour Yann Kergoat" in text
    assert "Après-midi (14:00–17:00)" in text and "Matin" not in text.split("Vous venez")[1]
    html = message.get_body(("html",)).get_content()
    assert "Voir, modifier ou annuler mon inscription" in html

    ics, method = calendar_of(message)
    assert method == "REQUEST"
    assert attachment.get_payload(decode=True) == ics
    [vevent] = assert_valid_itip(ics, "REQUEST")["events"]
    registration = db.session.query(Registration).one()
    day = event.parts[1].local_start.date()
    assert vevent["uid"] == f"{registration.public_id}-{day:%Y%m%d}@eventsvc"
    assert vevent["start"].endswith("T14:00:00") and vevent["end"].endswith("T17:00:00")
    assert vevent["organizer"] == "mailto:codev@example.org"
    assert vevent["attendee"] == "mailto:yann@maison-lilas.example.net"
    assert vevent["attendeeParams"]["rsvp"] == "FALSE"
    assert personal_path(message) in vevent["description"]
    assert client.get(personal_path(message)).status_code == 200


def test_change_then_cancel_updates_then_removes_the_same_entry(client, make_event, smtp_server):
    event = make_event()
    ids = part_ids(event)
    sign_up(client, "sophie@example.com", full_day="no", parts=[str(ids["Matin"])])
    [first] = inbox(smtp_server, "sophie@example.com")
    [original] = assert_valid_itip(calendar_of(first)[0], "REQUEST")["events"]
    path = personal_path(first)

    page = client.get(path).get_data(as_text=True)
    assert 'value="no" checked' in page  # the form shows what was recorded
    assert f'value="{ids["Matin"]}" checked' in page
    assert f'value="{ids["Après-midi"]}" checked' not in page
    changed = post_form(client, path, {"full_day": "yes", "comment": "Finalement toute la journée"})
    assert changed.status_code == 303
    assert "Vos changements sont enregistrés" in client.get(path).get_data(as_text=True)
    update = inbox(smtp_server, "sophie@example.com")[1]
    assert update["Subject"] == "Inscription modifiée : Atelier participatif"
    [updated] = assert_valid_itip(calendar_of(update)[0], "REQUEST")["events"]
    assert updated["uid"] == original["uid"]
    assert updated["sequence"] > original["sequence"]
    assert updated["start"].endswith("T09:30:00") and updated["end"].endswith("T17:00:00")

    assert "Voulez-vous vraiment annuler" in client.get(path + "/cancel").get_data(as_text=True)
    token = csrf_token(client, path + "/cancel")
    assert client.post(path + "/cancel", data={"csrf_token": token}).status_code == 303
    assert "Cette inscription est annulée" in client.get(path).get_data(as_text=True)
    cancellation = inbox(smtp_server, "sophie@example.com")[2]
    assert cancellation["Subject"] == "Inscription annulée : Atelier participatif"
    [cancelled] = assert_valid_itip(calendar_of(cancellation)[0], "CANCEL")["events"]
    assert cancelled["uid"] == original["uid"]
    assert cancelled["status"] == "CANCELLED"
    assert cancelled["sequence"] > updated["sequence"]


def test_cancel_without_csrf_token_is_refused(client, make_event, smtp_server):
    make_event()
    sign_up(client, "a@example.org")
    path = personal_path(inbox(smtp_server, "a@example.org")[0])
    assert client.post(path + "/cancel").status_code == 400
    assert "Cette inscription est annulée" not in client.get(path).get_data(as_text=True)


def test_dropping_a_day_cancels_that_day_only(client, make_event, smtp_server):
    event = make_event()
    day_two = event.parts[0].local_start.date() + timedelta(days=1)
    event.parts.append(
        Part(
            label="Jour 2",
            starts_at=local(day_two, time(9)),
            ends_at=local(day_two, time(12)),
            position=2,
        )
    )
    db.session.commit()
    ids = part_ids(event)
    sign_up(
        client,
        "theo@univ.example.org",
        full_day="no",
        parts=[str(ids["Après-midi"]), str(ids["Jour 2"])],
    )
    [first] = inbox(smtp_server, "theo@univ.example.org")
    events = assert_valid_itip(calendar_of(first)[0], "REQUEST")["events"]
    assert len(events) == 2
    uid_two = events[1]["uid"]
    assert uid_two.endswith(f"-{day_two:%Y%m%d}@eventsvc")

    path = personal_path(first)
    post_form(client, path, {"full_day": "no", "parts": [str(ids["Après-midi"])]})
    messages = inbox(smtp_server, "theo@univ.example.org")
    assert len(messages) == 3
    kept = assert_valid_itip(calendar_of(messages[1])[0], "REQUEST")["events"]
    assert [e["uid"] for e in kept] == [events[0]["uid"]]
    [dropped] = assert_valid_itip(calendar_of(messages[2])[0], "CANCEL")["events"]
    assert dropped["uid"] == uid_two


def test_waiting_list_gets_no_invite_until_promoted(client, make_event, smtp_server):
    make_event(capacity=1)
    sign_up(client, "first@example.org")
    sign_up(client, "second@example.org")
    [waiting] = inbox(smtp_server, "second@example.org")
    assert waiting["Subject"] == "Liste d'attente : Atelier participatif"
    assert "en position 1" in waiting.get_body(("plain",)).get_content()
    assert not [p for p in waiting.walk() if p.get_content_type() == "text/calendar"]

    first_path = personal_path(inbox(smtp_server, "first@example.org")[0])
    client.post(
        first_path + "/cancel", data={"csrf_token": csrf_token(client, first_path + "/cancel")}
    )
    promoted = inbox(smtp_server, "second@example.org")[1]
    assert promoted["Subject"] == "Une place s'est libérée : Atelier participatif"
    assert_valid_itip(calendar_of(promoted)[0], "REQUEST")


def test_signing_up_twice_sends_the_personal_link_again(client, make_event, smtp_server):
    make_event()
    sign_up(client, "Karim.Haddad@mission-locale.example.org")
    post_form(client, "/e/atelier", valid(email="karim.haddad@mission-locale.example.org"))
    messages = inbox(smtp_server, "Karim.Haddad@mission-locale.example.org")
    assert [m["Subject"] for m in messages] == [
        "Inscription confirmée : Atelier participatif",
        "Votre lien personnel : Atelier participatif",
    ]
    assert personal_path(messages[1]) == personal_path(messages[0])


def test_emails_are_in_the_participant_language(client, make_event, smtp_server):
    make_event()
    response = post_form(client, "/e/atelier?lang=en", valid(email="emma@example.com"))
    assert response.status_code == 303
    [message] = inbox(smtp_server, "emma@example.com")
    assert message["Subject"] == "Registration confirmed: Atelier participatif"
    assert "Your personal link" in message.get_body(("plain",)).get_content()


def test_calendar_downloads(client, make_event, smtp_server):
    make_event()
    sign_up(client, "a@example.org")
    [message] = inbox(smtp_server, "a@example.org")
    path = personal_path(message)
    personal = client.get(path + ".ics")
    assert personal.status_code == 200 and personal.mimetype == "text/calendar"
    assert personal.headers["Content-Disposition"] == 'attachment; filename="inscription.ics"'
    assert personal.headers["Cache-Control"] == "no-store"
    [own] = assert_valid_itip(personal.data, "PUBLISH")["events"]
    [invited] = icalendar.Calendar.from_ical(calendar_of(message)[0]).walk("VEVENT")
    assert own["uid"] == str(invited["UID"])

    public = client.get("/e/atelier.ics")
    assert public.status_code == 200
    events = assert_valid_itip(public.data, "PUBLISH")["events"]
    assert [e["summary"] for e in events] == [
        "Atelier participatif — Matin",
        "Atelier participatif — Après-midi",
    ]
    assert client.get("/r/" + "A" * 43 + ".ics").status_code == 404


def test_a_closed_event_can_no_longer_be_changed(client, make_event, smtp_server):
    event = make_event()
    sign_up(client, "a@example.org")
    path = personal_path(inbox(smtp_server, "a@example.org")[0])
    event.status = "closed"
    db.session.commit()
    assert "Modifier ma présence" not in client.get(path).get_data(as_text=True)
    response = post_form_direct(client, path)
    assert response.status_code == 303


def post_form_direct(client, path):
    return client.post(path, data={"full_day": "yes"})


def test_moving_the_event_updates_everyone_and_cancelling_it_removes_it(
    client, make_event, smtp_server
):
    from eventsvc.registrations import operations

    event = make_event(capacity=1)
    sign_up(client, "a@example.org")
    sign_up(client, "b@example.org")  # waiting list
    [invite] = inbox(smtp_server, "a@example.org")
    [before] = assert_valid_itip(calendar_of(invite)[0], "REQUEST")["events"]

    for part in event.parts:
        part.starts_at += timedelta(hours=1)
        part.ends_at += timedelta(hours=1)
    event.venue_name = "Salle des fêtes"
    event.calendar_sequence += 1
    operations.announce_event_change(event)
    db.session.commit()
    update = inbox(smtp_server, "a@example.org")[1]
    assert update["Subject"] == "Changement d'horaire ou de lieu : Atelier participatif"
    [after] = assert_valid_itip(calendar_of(update)[0], "REQUEST")["events"]
    assert after["uid"] == before["uid"] and after["sequence"] > before["sequence"]
    assert after["start"].endswith("T10:30:00") and after["location"].startswith("Salle des fêtes")
    assert len(inbox(smtp_server, "b@example.org")) == 1  # waitlisted: no invite to update

    event.status = "cancelled"
    operations.announce_event_cancellation(event)
    db.session.commit()
    cancel = inbox(smtp_server, "a@example.org")[2]
    [cancelled] = assert_valid_itip(calendar_of(cancel)[0], "CANCEL")["events"]
    assert cancelled["uid"] == before["uid"] and cancelled["sequence"] >= after["sequence"]
    notice = inbox(smtp_server, "b@example.org")[1]
    assert notice["Subject"] == "Événement annulé : Atelier participatif"
    assert not [p for p in notice.walk() if p.get_content_type() == "text/calendar"]


def test_personal_link_tokens_never_reach_the_logs(client, make_event, smtp_server, caplog):
    import logging

    from eventsvc.redaction import RedactTokens, redact

    make_event()
    sign_up(client, "a@example.org")
    path = personal_path(inbox(smtp_server, "a@example.org")[0])
    token = path.rsplit("/", 1)[1]
    assert redact(f'"GET {path} HTTP/1.1" 200') == '"GET /r/[token] HTTP/1.1" 200'
    assert any(isinstance(f, RedactTokens) for f in logging.getLogger("werkzeug").filters)
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        logging.getLogger("werkzeug").info('127.0.0.1 - - "GET %s HTTP/1.1" 200 -', path)
    assert token not in caplog.text and "/r/[token]" in caplog.text


def test_what_participants_do_themselves_is_in_the_audit_log(client, make_event, smtp_server):
    from eventsvc.audit.models import AuditEvent

    event = make_event(capacity=1)
    sign_up(client, "first@example.org")
    sign_up(client, "second@example.org")
    path = personal_path(inbox(smtp_server, "first@example.org")[0])
    post_form(client, path, {"full_day": "no", "parts": [str(part_ids(event)["Matin"])]})
    client.post(path + "/cancel", data={"csrf_token": csrf_token(client, path + "/cancel")})
    entries = db.session.query(AuditEvent).order_by(AuditEvent.id).all()
    assert [(e.action, e.actor_label) for e in entries] == [
        ("registration.signed_up", "participant"),
        ("registration.signed_up", "participant"),
        ("registration.updated", "participant"),
        ("registration.cancelled", "participant"),
        ("registration.promoted", "participant"),
    ]
    assert entries[2].details["changes"]


def test_emails_say_their_language(client, make_event, smtp_server):
    make_event()
    sign_up(client, "anne@example.org")
    post_form(client, "/e/atelier?lang=en", valid(email="emma@example.com"))
    assert inbox(smtp_server, "anne@example.org")[0]["Content-Language"] == "fr"
    [english] = inbox(smtp_server, "emma@example.com")
    assert english["Subject"].startswith("Registration confirmed"), english["Subject"]
    assert english["Content-Language"] == "en"
    assert english.get_content_type() == "multipart/mixed"
