"""Invitations with a reply slip, through the real SMTP server of the test suite: a list of four
invited, three replies (yes for the afternoon, excused, represented), a reminder to the fourth
only, and the presence list of the minutes."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from eventsvc.database import utcnow
from eventsvc.extensions import db
from eventsvc.invitations import contacts, queries, sending
from eventsvc.invitations.models import Contact, Invitation, Reply
from eventsvc.mail.worker import deliver_once
from eventsvc.registrations.models import Registration, RegistrationStatus

from .calendar_checks import assert_valid_itip
from .factories import (
    FIXTURES,
    ORGANISER_PASSWORD,
    OnePass,
    csrf_token,
    login,
    part_ids,
    post_form,
    valid,
)
from .smtp_server import smtp_settings

CLAIRE = "claire.martin@plouer.example.fr"
HERVE = "herve.legall@dinan.example.fr"
ELODIE = "elodie.riviere@lehon.example.fr"
LOIC = "loic.guerin@taden.example.fr"
YANNICK = "yannick.morvan@lehon.example.fr"
AGENDA = b"%PDF-1.4\n% ordre du jour\n%%EOF\n"


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, **smtp_settings(smtp_server)}


def inbox(smtp_server, address):
    deliver_once()
    return [m.message for m in smtp_server.mailbox.to(address)]


def reply_path(message) -> str:
    text = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://[^/\s]+(/i/[A-Za-z0-9_-]{43})#participer", text)
    assert match, text
    return match.group(1)


@pytest.fixture
def invited(app, runner, make_event, make_organiser, smtp_server):
    """Alice's « Bureau » list of four, imported and invited from the command line."""
    event = make_event(title="Réunion du bureau")
    alice = make_organiser("alice@example.org", events=[event], name="Alice")
    sending.add_attachment(event, "ordre-du-jour.pdf", "application/pdf", AGENDA, actor=alice)
    db.session.commit()
    imported = runner.invoke(
        args=["contacts", "import", "Bureau", str(FIXTURES / "contacts_cp1252.csv"), "--yes"]
    )
    assert imported.exit_code == 0, imported.output
    assert "4 nouveaux contacts" in imported.output
    assert "Ligne 6 refusée" in imported.output and "Doublon" in imported.output

    asked = runner.invoke(args=["invitations", "send", "atelier", "Bureau"], input="n\n")
    assert "4 invitations à envoyer" in asked.output and "Rien n'a été envoyé" in asked.output
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    sent = runner.invoke(args=["invitations", "send", "atelier", "Bureau"], input="y\n")
    assert sent.exit_code == 0, sent.output
    assert "4 invitations envoyées" in sent.output
    paths = {}
    for address in (CLAIRE, HERVE, ELODIE, LOIC):
        [message] = inbox(smtp_server, address)
        paths[address] = reply_path(message)
    return {"event": event, "alice": alice, "paths": paths}


def test_the_invitation_carries_the_programme_the_agenda_and_a_meeting_request(
    app, invited, smtp_server
):
    [message] = inbox(smtp_server, CLAIRE)
    assert message["Subject"] == "Invitation : Réunion du bureau"
    assert message["To"] == "Mme Claire Martin <claire.martin@plouer.example.fr>"
    text = message.get_body(("plain",)).get_content()
    # Claire Martin is « Mme », « Maire »: greeted as a mayor's office is, never by her name.
    assert text.lstrip().splitlines()[0] == "Madame la Maire," and "Bonjour" not in text
    assert "<p>Madame la Maire,</p>" in message.get_body(("html",)).get_content()
    assert "Matin (09:30–12:30)" in text and "Après-midi (14:00–17:00)" in text
    assert "Je participerai" in text and "Je me ferai représenter par…" in text
    assert "/desinscription" in text
    html = message.get_body(("html",)).get_content()
    assert "<img" not in html  # no tracking pixel
    assert f"{invited['paths'][CLAIRE]}#excuse" in html
    files = {part.get_filename(): part for part in message.iter_attachments()}
    assert files["ordre-du-jour.pdf"].get_payload(decode=True) == AGENDA
    calendar = files["invitation.ics"]
    assert calendar.get_content_type() == "text/calendar"
    reading = assert_valid_itip(calendar.get_payload(decode=True), "REQUEST")
    # One entry for the whole meeting, the member asked to answer it: Accepter / Refuser in their
    # calendar send the REPLY to the mailbox eventsvc reads (MAIL_FROM here).
    [entry] = reading["events"]
    invitation = db.session.scalar(
        select(Invitation).join(Contact).where(Contact.email_key == CLAIRE)
    )
    assert entry["uid"] == f"invitation-{invitation.public_id}@eventsvc"
    assert entry["attendee"] == f"mailto:{CLAIRE}"
    assert entry["attendeeParams"]["partstat"] == "NEEDS-ACTION"
    assert entry["attendeeParams"]["rsvp"] == "TRUE"
    assert entry["organizer"] == "mailto:inscriptions@eventsvc.example.org"
    assert entry["start"].endswith("09:30:00") and entry["end"].endswith("17:00:00")
    inline = [
        part
        for part in message.walk()
        if part.get_content_type() == "text/calendar" and not part.get_filename()
    ]
    assert [part.get_param("method") for part in inline] == ["REQUEST"]


def test_replies_a_reminder_to_the_silent_one_only_and_the_presence_list(
    app, client, runner, invited, smtp_server
):
    event, paths = invited["event"], invited["paths"]
    afternoon = part_ids(event)["Après-midi"]

    page = client.get(paths[CLAIRE]).get_data(as_text=True)
    assert "Mme Claire Martin" in page and "Maire, Plouër-Exemple" in page
    response = _post(
        client, paths[CLAIRE], "/participer", {"full_day": "no", "parts": [str(afternoon)]}
    )
    assert response.status_code == 303
    [_invitation, confirmation] = inbox(smtp_server, CLAIRE)
    assert confirmation["Subject"] == "Inscription confirmée : Réunion du bureau"
    assert "Après-midi (14:00–17:00)" in confirmation.get_body(("plain",)).get_content()
    mine = client.get(paths[CLAIRE]).get_data(as_text=True)
    assert "Votre réponse : vous participerez." in mine and "Après-midi (14:00–17:00)" in mine

    response = _post(
        client, paths[HERVE], "/excuse", {"message": "Retenu par le conseil municipal"}
    )
    assert response.status_code == 303
    assert "vous serez excusé·e" in client.get(paths[HERVE]).get_data(as_text=True)

    response = _post(
        client,
        paths[ELODIE],
        "/representation",
        {
            "rep_first_name": "Yannick",
            "rep_last_name": "Morvan",
            "rep_function": "Premier adjoint",
            "rep_email": YANNICK,
        },
    )
    assert response.status_code == 303
    [for_representative] = inbox(smtp_server, YANNICK)
    assert for_representative["Subject"] == "Inscription confirmée : Réunion du bureau"
    assert "Bonjour Yannick Morvan" in for_representative.get_body(("plain",)).get_content()
    ics = [p for p in for_representative.walk() if p.get_content_type() == "text/calendar"][0]
    reading = assert_valid_itip(ics.get_payload(decode=True), "REQUEST")
    assert YANNICK in str(reading)
    assert len(inbox(smtp_server, ELODIE)) == 1  # only her invitation

    # The reminder: to Loïc, who did nothing, and to nobody else.
    reminded = runner.invoke(args=["invitations", "remind", "atelier", "--yes"])
    assert reminded.exit_code == 0, reminded.output
    assert "1 relance envoyée" in reminded.output and "Guérin" in reminded.output
    assert "Martin" not in reminded.output
    invitation_loic, reminder = inbox(smtp_server, LOIC)
    assert reminder["Subject"] == "Relance — invitation : Réunion du bureau"
    assert "pas encore reçu votre réponse" in reminder.get_body(("plain",)).get_content()
    # Loïc Guérin, « M. », « Conseiller délégué »: the reminder greets him by his office too.
    greeting = reminder.get_body(("plain",)).get_content().lstrip().splitlines()[0]
    assert greeting == "Monsieur le Conseiller délégué,"
    assert reply_path(reminder) == paths[LOIC]
    assert len(inbox(smtp_server, CLAIRE)) == 2 and len(inbox(smtp_server, HERVE)) == 1
    loic = db.session.scalar(select(Invitation).join(Contact).where(Contact.email_key == LOIC))
    assert loic.reminders == 1 and loic.reply == Reply.NONE

    organiser = app.test_client()
    login(organiser, "alice@example.org", ORGANISER_PASSWORD)
    follow = organiser.get(f"/dashboard/events/{event.id}/invitations").get_data(as_text=True)
    assert "3 réponses sur 4 invitations (75 %)" in follow
    assert "« Retenu par le conseil municipal »" in follow
    assert "représenté·e par Yannick Morvan" in follow

    text = organiser.get(f"/dashboard/events/{event.id}/presence.txt").get_data(as_text=True)
    assert text == (
        "Réunion du bureau\n\n"
        "2 organisations représentées par 2 personnes\n\n"
        "Présents :\n"
        "- Mme Claire Martin (Maire, Plouër-Exemple)\n"
        "- Yannick Morvan (Premier adjoint, Léhon-Exemple)\n\n"
        "Excusés :\n"
        "- M. Hervé Le Gall (Adjoint à la culture, Dinan-Exemple)\n\n"
        "Représentés :\n"
        "- Mme Élodie Rivière (Maire, Léhon-Exemple), représenté·e par "
        "Yannick Morvan (Premier adjoint, Léhon-Exemple)\n"
    )
    html = organiser.get(f"/dashboard/events/{event.id}/presence").get_data(as_text=True)
    assert "2 organisations représentées par 2 personnes" in html
    csv = organiser.get(f"/dashboard/events/{event.id}/presence.csv").get_data(as_text=True)
    assert '"excusé·e";"M. Hervé Le Gall";"Adjoint à la culture";"Dinan-Exemple";"";' in csv
    xlsx = organiser.get(f"/dashboard/events/{event.id}/presence.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}"


def _post(client, path, action, data):
    return client.post(path + action, data={"csrf_token": csrf_token(client, path), **data})


def test_a_reply_can_change_from_yes_to_no_and_back(app, client, invited, smtp_server):
    paths = invited["paths"]
    assert _post(client, paths[CLAIRE], "/participer", {"full_day": "yes"}).status_code == 303
    registration = db.session.scalar(select(Registration).where(Registration.email == CLAIRE))
    assert registration.status == RegistrationStatus.CONFIRMED
    assert _post(client, paths[CLAIRE], "/excuse", {"message": ""}).status_code == 303
    db.session.refresh(registration)
    assert registration.status == RegistrationStatus.CANCELLED
    subjects = [m["Subject"] for m in inbox(smtp_server, CLAIRE)]
    assert subjects[-1] == "Inscription annulée : Réunion du bureau"
    # Represented by someone, then coming after all: the representative's place is freed.
    _post(
        client,
        paths[CLAIRE],
        "/representation",
        {"rep_first_name": "Jo", "rep_last_name": "Bras", "rep_email": "jo@plouer.example.fr"},
    )
    assert _post(client, paths[CLAIRE], "/participer", {"full_day": "yes"}).status_code == 303
    statuses = dict(db.session.execute(select(Registration.email, Registration.status)).all())
    assert statuses[CLAIRE] == "confirmed" and statuses["jo@plouer.example.fr"] == "cancelled"
    from eventsvc.audit.models import AuditEvent

    replies = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "invitation.replied").order_by(AuditEvent.id)
    ).all()
    assert [(e.details["before"], e.details["reply"]) for e in replies] == [
        ("none", "yes"),
        ("yes", "no"),
        ("no", "represented"),
        ("represented", "yes"),
    ]
    assert {e.actor_label for e in replies} == {"participant"}


def test_a_public_sign_up_with_an_invited_email_counts_as_a_yes(app, client, invited):
    response = post_form(
        client,
        "/e/atelier",
        valid(first_name="Loïc", last_name="Guérin", email="Loic.Guerin@taden.example.fr"),
    )
    assert response.status_code == 303
    loic = db.session.scalar(select(Invitation).join(Contact).where(Contact.email_key == LOIC))
    assert loic.reply == Reply.YES and loic.registration.email_key == LOIC
    assert LOIC not in [i.contact.email for i in queries.to_remind(invited["event"])]
    assert len(queries.to_remind(invited["event"])) == 3


def test_an_event_on_invitation_only_offers_no_public_form(app, client, invited):
    event = invited["event"]
    sending.update_settings(
        event, invitation_only=True, reminder_days_before=None, actor=invited["alice"]
    )
    db.session.commit()
    page = client.get("/e/atelier").get_data(as_text=True)
    assert "Cet événement est sur invitation." in page and "codev@example.org" in page
    assert 'name="email"' not in page
    refused = client.post("/e/atelier", data=valid())
    assert refused.status_code == 403
    assert db.session.scalar(select(func.count(Registration.id))) == 0
    # The invitee still replies from their link.
    assert (
        _post(client, invited["paths"][HERVE], "/participer", {"full_day": "yes"}).status_code
        == 303
    )


def test_a_reply_link_shows_only_its_invitee(app, client, invited):
    paths = invited["paths"]
    page = client.get(paths[HERVE]).get_data(as_text=True)
    assert "Hervé Le Gall" in page
    for other in ("Claire", "Élodie", "Loïc", CLAIRE, ELODIE, LOIC):
        assert other not in page
    assert client.get("/i/" + "A" * 43).status_code == 404
    assert client.get("/i/short").status_code == 404
    token = paths[HERVE].rsplit("/", 1)[1]
    tampered = token[:-1] + ("B" if token[-1] != "B" else "C")
    assert client.get("/i/" + tampered).status_code == 404
    assert client.post("/i/" + tampered + "/excuse", data={"message": "x"}).status_code in (
        400,
        404,
    )
    stored = db.session.scalars(select(Invitation.token_digest)).all()
    assert token not in stored and all(len(d) == 64 for d in stored)


def test_unsubscribed_contacts_are_never_emailed_again(
    app, client, runner, invited, make_event, smtp_server
):
    path = invited["paths"][LOIC]
    assert "Ne plus recevoir" in client.get(path + "/desinscription").get_data(as_text=True)
    done = client.post(
        path + "/desinscription", data={"csrf_token": csrf_token(client, path + "/desinscription")}
    )
    assert "vous ne recevrez plus d'invitations" in done.get_data(as_text=True)
    before = len(inbox(smtp_server, LOIC))
    reminded = runner.invoke(args=["invitations", "remind", "atelier", "--yes"])
    assert "Guérin" not in reminded.output
    other = make_event(slug="pleniere")
    other.organisers.append(invited["alice"])
    db.session.commit()
    sent = runner.invoke(args=["invitations", "send", "pleniere", "Bureau", "--yes"])
    assert "3 invitations envoyées" in sent.output
    assert "1 contact ne souhaite plus recevoir d'invitations" in sent.output
    assert len(inbox(smtp_server, LOIC)) == before
    # Sending the same list again invites nobody twice.
    again = runner.invoke(args=["invitations", "send", "pleniere", "Bureau", "--yes"])
    assert "Rien à envoyer" in again.output and "3 contacts déjà invités" in again.output
    organiser = app.test_client()
    login(organiser, "alice@example.org", ORGANISER_PASSWORD)
    contacts = organiser.get("/dashboard/contacts").get_data(as_text=True)
    assert "Loïc" in contacts and "ne souhaite plus recevoir d" in contacts


def test_the_automatic_reminder_goes_once_when_due(app, runner, invited, smtp_server):
    event = invited["event"]
    event.registration_closes_at = utcnow() + timedelta(days=2)
    sending.update_settings(
        event, invitation_only=False, reminder_days_before=3, actor=invited["alice"]
    )
    db.session.commit()
    first = runner.invoke(args=["invitations", "remind-due"])
    assert first.exit_code == 0 and "atelier: 4 relances envoyées" in first.output
    second = runner.invoke(args=["invitations", "remind-due"])
    assert second.output == ""
    assert len(inbox(smtp_server, LOIC)) == 2


def test_the_presence_list_follows_check_ins_when_there_are_any(app, client, invited):
    from eventsvc.attendance.service import check_in

    event, paths = invited["event"], invited["paths"]
    _post(client, paths[CLAIRE], "/participer", {"full_day": "yes"})
    _post(client, paths[HERVE], "/participer", {"full_day": "yes"})
    _post(
        client,
        paths[ELODIE],
        "/representation",
        {"rep_first_name": "Yannick", "rep_last_name": "Morvan", "rep_email": YANNICK},
    )
    # On the day, Hervé and the representative come; Claire does not.
    for email in (HERVE, YANNICK):
        registration = db.session.scalar(select(Registration).where(Registration.email == email))
        check_in(registration, event.parts[0])
    db.session.commit()
    result = queries.presence_list(event)
    assert result.from_check_ins
    assert [p.name for p in result.present] == ["M. Hervé Le Gall", "Yannick Morvan"]
    assert [r.line() for r in result.represented] == [
        "Mme Élodie Rivière (Maire, Léhon-Exemple), représenté·e par Yannick Morvan (Léhon-Exemple)"
    ]
    assert result.excused == []
    assert result.summary() == "2 organisations représentées par 2 personnes"


def test_the_dashboard_invites_reminds_and_takes_attachments(
    app, make_event, make_organiser, smtp_server
):
    event = make_event(title="Groupe de travail petite enfance")
    alice = make_organiser("alice@example.org", events=[event])
    preview = contacts.preview_import(alice, (FIXTURES / "contacts_bom.csv").read_bytes())
    network = contacts.commit_import(alice, preview, "Réseau petite enfance", actor=alice)
    db.session.commit()
    organiser = app.test_client()
    login(organiser, "alice@example.org", ORGANISER_PASSWORD)
    base = f"/dashboard/events/{event.id}/invitations"
    assert "Invitations" in organiser.get(f"/dashboard/events/{event.id}").get_data(as_text=True)
    token = csrf_token(organiser, base)

    app.config["INVITATION_ATTACHMENT_MAX_BYTES"] = 1024
    too_big = organiser.post(
        base + "/attachments",
        data={"csrf_token": token, "file": (io.BytesIO(b"x" * 2000), "gros.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "Ce fichier dépasse 1 Ko" in too_big.get_data(as_text=True)
    added = organiser.post(
        base + "/attachments",
        data={"csrf_token": token, "file": (io.BytesIO(AGENDA), "odj.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "odj.pdf" in added.get_data(as_text=True)

    shown = organiser.post(base + "/invite", data={"csrf_token": token, "lists": [network.id]})
    assert "4 invitations à envoyer" in shown.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Invitation.id))) == 0
    sent = organiser.post(
        base + "/invite", data={"csrf_token": token, "lists": [network.id], "confirmed": "1"}
    )
    assert sent.status_code == 303
    [message] = inbox(smtp_server, HERVE)
    assert "odj.pdf" in [p.get_filename() for p in message.iter_attachments()]
    again = organiser.post(base + "/invite", data={"csrf_token": token, "lists": [network.id]})
    assert "4 contacts déjà invités" in again.get_data(as_text=True)

    _post(app.test_client(), reply_path(message), "/excuse", {"message": ""})
    page = organiser.get(base + "/remind").get_data(as_text=True)
    assert "3 personnes" in page and "Hervé" not in page
    assert organiser.post(base + "/remind", data={"csrf_token": token}).status_code == 303
    assert len(inbox(smtp_server, HERVE)) == 1 and len(inbox(smtp_server, CLAIRE)) == 2
    counts = sorted(db.session.scalars(select(Invitation.reminders)))
    assert counts == [0, 1, 1, 1]
    log = organiser.get(f"/dashboard/events/{event.id}").get_data(as_text=True)
    assert "Invitations envoyées à 4 contacts : " in log
    assert "Relance envoyée à 3 invité·es sans réponse" in log

    settings = organiser.post(
        base + "/settings",
        data={"csrf_token": token, "invitation_only": "y", "reminder_days_before": "5"},
    )
    assert settings.status_code == 303
    db.session.refresh(event)
    assert event.invitation_only and event.reminder_days_before == 5


def test_a_representative_must_be_someone_else(app, client, invited):
    path = invited["paths"][ELODIE]
    response = _post(
        client,
        path,
        "/representation",
        {"rep_first_name": "Élodie", "rep_last_name": "Rivière", "rep_email": ELODIE.upper()},
    )
    assert response.status_code == 200
    assert "pas la vôtre" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_reply_tokens_are_kept_out_of_access_logs():
    from eventsvc.redaction import redact

    line = '"GET /i/' + "a" * 43 + '#participer HTTP/1.1" 200'
    assert redact(line) == '"GET /i/[token]#participer HTTP/1.1" 200'


def test_the_mail_loop_can_send_the_automatic_reminders(app, invited, smtp_server):
    from eventsvc.mail.worker import run

    event = invited["event"]
    event.registration_closes_at = utcnow() + timedelta(days=1)
    sending.update_settings(
        event, invitation_only=False, reminder_days_before=2, actor=invited["alice"]
    )
    db.session.commit()
    app.config["INVITATION_REMINDERS_EVERY"] = 3600
    run(app, OnePass(), 0)
    # The same pass delivered the reminders it queued.
    messages = [received.message for received in smtp_server.mailbox.to(LOIC)]
    assert [m["Subject"] for m in messages] == [
        "Invitation : Réunion du bureau",
        "Relance — invitation : Réunion du bureau",
    ]
