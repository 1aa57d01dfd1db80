"""The participants' reminder before the event: due at the right time and not before, to whom,
never twice, what it says, the event form's setting, the command and the mail loop's job."""

from __future__ import annotations

import email
from datetime import timedelta
from email import policy

from sqlalchemy import func, select

from eventsvc.audit.models import AuditEvent
from eventsvc.audit.sentences import Line, sentence
from eventsvc.events.models import EventStatus
from eventsvc.extensions import db
from eventsvc.links import personal_url
from eventsvc.mail.models import OutboxMessage
from eventsvc.mail.worker import PERIODIC_JOBS
from eventsvc.registrations import operations as registrations
from eventsvc.registrations.models import RegistrationStatus
from eventsvc.reminders import operations
from eventsvc.reminders.models import ReminderSent
from eventsvc.retention.service import erase_registration

from .factories import (
    error_for,
    event_form,
    joined_long_ago,
    part_ids,
    participant,
    post,
    starting_in,
)


def reminders() -> list[OutboxMessage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.key.like("reminder:%"))
            .order_by(OutboxMessage.id)
        )
    )


def sent_to() -> list[str]:
    return [message.recipient for message in reminders()]


def send(now) -> dict:
    sent = operations.send_due(now)
    db.session.commit()
    return sent


def morning(event):
    return event.parts[0].starts_at


def afternoon(event):
    return event.parts[1].starts_at


def bodies(message: OutboxMessage) -> tuple[str, str]:
    parsed = email.message_from_bytes(message.raw, policy=policy.default)
    text = parsed.get_body(("plain",)).get_content().replace("\r\n", "\n")
    html = parsed.get_body(("html",)).get_content().replace("\r\n", "\n")
    return text, html


# --- when ------------------------------------------------------------------------------------


def test_due_24_hours_before_the_first_part_and_not_before(app, make_event):
    event = make_event()
    anne = participant(event, 1, first="Anne")
    due = morning(event) - timedelta(hours=24)

    assert send(due - timedelta(seconds=1)) == {}
    assert reminders() == []
    assert send(due) == {"atelier": 1}
    assert sent_to() == [anne.email]
    # Again, later, and again: never a second one.
    assert send(due + timedelta(minutes=5)) == {}
    assert send(morning(event) - timedelta(minutes=1)) == {}
    assert len(reminders()) == 1
    assert db.session.scalar(select(func.count(ReminderSent.id))) == 1


def test_someone_coming_only_in_the_afternoon_is_reminded_for_the_afternoon(app, make_event):
    event = make_event()
    participant(event, 1, full_day=False, part_ids=[part_ids(event)["Après-midi"]])
    assert send(morning(event) - timedelta(hours=24)) == {}
    assert send(afternoon(event) - timedelta(hours=24)) == {"atelier": 1}


def test_the_events_own_period_and_off(app, make_event):
    event = make_event()
    event.reminder_hours_before = 48
    db.session.commit()
    participant(event, 1)
    assert send(morning(event) - timedelta(hours=49)) == {}
    assert send(morning(event) - timedelta(hours=48)) == {"atelier": 1}

    other = make_event(slug="sans-rappel", reminder_hours_before=None)
    participant(other, 2)
    for hours in (336, 48, 24, 1):
        assert send(morning(other) - timedelta(hours=hours)) == {}
    assert len(reminders()) == 1


def test_not_to_the_cancelled_the_waiting_list_the_erased_nor_latecomers(app, make_event):
    event = make_event(capacity=2)
    anne = participant(event, 1, first="Anne")
    bruno = participant(event, 2, first="Bruno")
    registrations.cancel(bruno)
    chloe = participant(event, 3, first="Chloé")
    erase_registration(chloe)
    participant(event, 4, first="David")  # the second place
    emma = participant(event, 5, first="Emma")
    db.session.commit()
    assert emma.status == RegistrationStatus.WAITLISTED
    due = morning(event) - timedelta(hours=24)
    # Fanny signs up after the due time: her confirmation says it all.
    fanny = participant(make_event(slug="autre"), 6, first="Fanny")
    fanny.queued_at = due + timedelta(hours=1)
    db.session.commit()

    send(due + timedelta(hours=2))
    assert sorted(sent_to()) == sorted([anne.email, "personne4@example.org"])


def test_not_for_a_cancelled_a_draft_event_nor_once_started(app, make_event):
    cancelled, draft, late = (make_event(slug=s) for s in ("annule", "brouillon", "commence"))
    for n, event in enumerate((cancelled, draft, late)):
        participant(event, n)
    cancelled.status, draft.status = EventStatus.CANCELLED, EventStatus.DRAFT
    db.session.commit()
    # Nothing ran until the morning had started: too late (the afternoon is not the first part).
    assert send(morning(late) + timedelta(minutes=1)) == {}
    assert reminders() == []
    # An hour before: only the open event's participant.
    assert send(morning(late) - timedelta(hours=1)) == {"commence": 1}


def test_a_move_before_the_reminder_is_followed(app, make_event):
    event = make_event()
    participant(event, 1)
    old_due = morning(event) - timedelta(hours=24)
    starting_in(event, 24 * 20)  # postponed by about a week
    assert send(old_due) == {}
    assert send(morning(event) - timedelta(hours=24)) == {"atelier": 1}


def test_after_the_reminder_a_small_move_sends_none_a_postponement_a_new_one(app, make_event):
    event = make_event()
    participant(event, 1)
    first_due = morning(event) - timedelta(hours=24)
    assert send(first_due) == {"atelier": 1}
    for part in event.parts:  # half an hour later
        part.starts_at += timedelta(minutes=30)
    db.session.commit()
    assert send(first_due + timedelta(hours=1)) == {}
    for part in event.parts:  # then a week later
        part.starts_at += timedelta(days=7)
    db.session.commit()
    assert send(morning(event) - timedelta(hours=25)) == {}
    assert send(morning(event) - timedelta(hours=24)) == {"atelier": 1}
    assert len(reminders()) == 2


ORGANISER_TEXT = "Parking <b>gratuit</b> derrière la mairie.\nApportez un stylo.\n\nÀ demain !"
MAP = "https://www.openstreetmap.org/search?query="


# --- what it says ------------------------------------------------------------------------------


def test_the_email_has_the_parts_attended_the_venue_the_map_and_the_personal_link(app, make_event):
    event = make_event(
        venue_address="12 rue de l'Église",
        reminder_text=ORGANISER_TEXT,
    )
    anne = participant(
        event, 1, first="Anne", full_day=False, part_ids=[part_ids(event)["Après-midi"]]
    )
    send(afternoon(event) - timedelta(hours=24))
    (message,) = reminders()
    assert message.subject == "Rappel : Atelier participatif"
    text, html = bodies(message)
    for body in (text, html):
        assert "Après-midi (14:00–17:00)" in body
        assert "Matin" not in body
        assert "Salle du conseil, 12 rue de l&#39;Église, Dinan-Exemple" in body or (
            "Salle du conseil, 12 rue de l'Église, Dinan-Exemple" in body
        )
        assert (
            "https://www.openstreetmap.org/search?query=12+rue+de+l%27%C3%89glise%2C+Dinan-Exemple"
            in body
        )
        assert personal_url(anne) in body
        assert "Bonjour Anne Durand" in body
    assert ORGANISER_TEXT in text
    assert (
        "<p>Parking &lt;b&gt;gratuit&lt;/b&gt; derrière la mairie.<br>\nApportez un stylo.</p>\n"
        "<p>À demain !</p>" in html
    )
    assert "<b>" not in html
    day = event.parts[0].local_start
    assert f"{day.day} " in text and str(day.year) in text


def test_in_the_persons_language(app, make_event):
    event = make_event()
    bob = participant(event, 2, first="Bob")
    bob.locale = "en"
    db.session.commit()
    send(morning(event) - timedelta(hours=24))
    (message,) = reminders()
    text, html = bodies(message)
    assert message.subject == "Reminder: Atelier participatif"
    assert "Hello Bob Durand" in text
    assert "Morning" not in text  # the organiser's labels stay as typed
    assert "Matin (" in text, text


# --- the command, the mail loop, the journal -----------------------------------------------------


def test_send_due_command_sends_what_is_due_now_and_says_how_many(app, runner, make_event):
    event = make_event()
    starting_in(event, 10)
    people = [participant(event, n) for n in range(1, 4)]
    joined_long_ago(*people)
    result = runner.invoke(args=["reminders", "send-due"])
    assert result.exit_code == 0, result.output
    assert "atelier: 3 rappels envoyés." in result.output
    assert "3 rappels envoyés au total." in result.output
    result = runner.invoke(args=["reminders", "send-due"])
    assert result.exit_code == 0, result.output
    assert "0 rappels envoyés au total." in result.output
    assert len(reminders()) == 3
    lines = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "reminders.sent")
    ).all()
    assert [(line.details, line.actor_label) for line in lines] == [({"count": 3}, "command-line")]


def test_the_mail_loop_runs_it_and_its_journal_line_names_no_one(app, make_event):
    event = make_event()
    starting_in(event, 2)
    joined_long_ago(participant(event, 1))
    jobs = [job for job in app.extensions[PERIODIC_JOBS] if job.every == "REMINDERS_EVERY"]
    assert [job.run for job in jobs] == [operations.send_due_automatically]
    assert app.config["REMINDERS_EVERY"] == 300
    assert jobs[0].run() == {"atelier": 1}
    line = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reminders.sent")).one()
    assert line.actor_label == ""
    page_line = "Rappel avant l'événement envoyé à 1 participant·es confirmé·es"
    assert sentence(Line("reminders.sent", {"count": 1}, "")).render() == page_line


# --- the event form ------------------------------------------------------------------------------


def test_the_event_form_sets_the_period_and_the_text(organiser_client):
    client, event = organiser_client, organiser_client.event
    url = f"/dashboard/events/{event.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'name="reminder_hours_before"' in page and 'value="24"' in page
    assert "Laissez vide pour ne pas envoyer de rappel" in page
    for bad in ("0", "337", "douze", "2.5", "-3"):
        response = post(client, url, event_form(event, reminder_hours_before=bad))
        assert response.status_code == 200
        assert "entre 1 et 336" in error_for(
            response.get_data(as_text=True), "reminder_hours_before"
        )
    response = post(
        client, url, event_form(event, reminder_hours_before="48", reminder_text="Code : 1234")
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.rollback()
    assert (event.reminder_hours_before, event.reminder_text) == (48, "Code : 1234")
    line = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "event.updated")).one()
    assert line.details["changes"]["reminder_hours_before"] == [24, 48]
    response = post(client, url, event_form(event, reminder_hours_before="", reminder_text=""))
    assert response.status_code == 303
    db.session.rollback()
    assert (event.reminder_hours_before, event.reminder_text) == (None, None)
    page = client.get(url).get_data(as_text=True)
    assert 'name="reminder_hours_before" value=""' in page


def test_the_error_reads_in_english(organiser_client):
    client, event = organiser_client, organiser_client.event
    url = f"/dashboard/events/{event.id}/edit?lang=en"
    response = post(client, url, event_form(event, reminder_hours_before="500"))
    assert "between 1 and 336" in error_for(
        response.get_data(as_text=True), "reminder_hours_before"
    )
