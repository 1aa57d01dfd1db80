"""Events in the dashboard: create, edit (with confirmation once people signed up), duplicate,
open, close, cancel; parts, questions and co-organisers; the audit log."""

import re
from datetime import date, time
from html import unescape

import pytest
from sqlalchemy import select

from eventsvc.audit.models import AuditEvent
from eventsvc.events.models import Event, EventStatus
from eventsvc.extensions import db
from eventsvc.registrations import queries as service

from .factories import event_form, hidden_inputs, local, post, sign_up


def actions(event) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.event_id == event.id).order_by(AuditEvent.id)
        )
    )


def test_create_a_draft_study_day_with_a_morning_and_an_afternoon(app, organiser_client):
    client = organiser_client
    response = post(
        client,
        "/dashboard/events/new",
        {
            "title": "Atelier mobilité : se déplacer sans voiture",
            "day": "2031-06-12",
            "start": "09:00",
            "end": "16:30",
            "split": "y",
            "lunch_start": "12:15",
            "lunch_end": "13:45",
            "timezone": "Europe/Paris",
            "venue_name": "Médiathèque",
            "capacity": "40",
        },
    )
    assert response.status_code == 303
    event = db.session.scalar(select(Event).where(Event.title.like("Atelier mobilité%")))
    assert event.slug == "atelier-mobilite-se-deplacer-sans-voiture-2031-06-12"
    assert event.status == EventStatus.DRAFT and event.capacity == 40
    assert [(p.label, p.local_start.time(), p.local_end.time()) for p in event.parts] == [
        ("Matin", time(9), time(12, 15)),
        ("Après-midi", time(13, 45), time(16, 30)),
    ]
    assert event.parts[0].starts_at == local(date(2031, 6, 12), time(9))
    assert [u.email for u in event.organisers] == [client.user.email]
    assert actions(event) == ["event.created"]
    # A draft does not exist for the public; its organiser sees its preview.
    assert client.application.test_client().get(f"/e/{event.slug}").status_code == 404
    assert "Aperçu avant publication" in client.get(f"/e/{event.slug}").get_data(as_text=True)
    page = client.get(f"/dashboard/events/{event.id}").get_data(as_text=True)
    assert "Brouillon" in page and f"Événement « {event.title} » créé" in page


def test_event_form_errors_are_shown_next_to_the_fields(app, organiser_client):
    response = post(
        organiser_client,
        "/dashboard/events/new",
        {
            "title": "",
            "day": "12/06/2031",
            "start": "10:00",
            "end": "09:00",
            "capacity": "-3",
            "timezone": "Mars/Olympus",
            "slug": "Pas Bon!",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for field in ("title", "day", "end", "capacity", "timezone", "slug"):
        assert f'id="{field}-error"' in html, field
        assert re.search(rf'aria-describedby="[^"]*{field}-error"', html), field
    assert "AAAA-MM-JJ" in unescape(html)
    assert db.session.scalar(select(Event).where(Event.slug != "atelier")) is None


def test_open_close_and_draft(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    url = f"/dashboard/events/{event.id}/status"
    assert post(client, url, {"status": "closed"}).status_code == 303
    db.session.refresh(event)
    assert event.status == "closed"
    post(client, url, {"status": "draft"})
    db.session.refresh(event)
    assert event.status == "draft"
    assert client.application.test_client().get("/e/atelier").status_code == 404
    post(client, url, {"status": "open"})
    db.session.refresh(event)
    assert event.status == "open"
    assert client.get("/e/atelier").status_code == 200
    sign_up(event, 1)
    post(client, url, {"status": "draft"})
    db.session.refresh(event)
    assert event.status == "open"
    page = client.get(f"/dashboard/events/{event.id}").get_data(as_text=True)
    assert "fermez les inscriptions plutôt" in unescape(page)


def test_moving_an_event_nobody_signed_up_to_needs_no_confirmation(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    response = post(
        client,
        f"/dashboard/events/{event.id}/edit",
        event_form(event, venue_name="Salle des fêtes"),
    )
    assert response.status_code == 303
    db.session.refresh(event)
    assert event.venue_name == "Salle des fêtes"
    assert event.calendar_sequence == 1
    assert actions(event) == ["event.updated", "event.rescheduled"]


def test_moving_an_event_people_signed_up_to_asks_first(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    sign_up(event, 1)
    sign_up(event, 2)
    url = f"/dashboard/events/{event.id}/edit"
    response = post(client, url, event_form(event, venue_name="Salle des fêtes", capacity="30"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "2 personnes sont inscrites" in html
    db.session.refresh(event)
    assert event.venue_name == "Salle du conseil" and event.calendar_sequence == 0
    assert actions(event) == []

    # The confirmation page posts the same values back, with confirmed=1.
    values = hidden_inputs(html)
    assert values["confirmed"] == ["1"] and values["venue_name"] == ["Salle des fêtes"]
    response = client.post(url, data=values)
    assert response.status_code == 303
    db.session.refresh(event)
    assert event.venue_name == "Salle des fêtes" and event.capacity == 30
    assert event.calendar_sequence == 1
    assert actions(event) == ["event.updated", "event.rescheduled"]
    entry = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "event.updated"))
    assert entry.details["changes"]["venue_name"] == ["Salle du conseil", "Salle des fêtes"]
    assert entry.actor_label == client.user.email


def test_changing_other_fields_does_not_move_the_event(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    sign_up(event, 1)
    response = post(
        client,
        f"/dashboard/events/{event.id}/edit",
        event_form(event, title="Atelier participatif (2e édition)", capacity="12"),
    )
    assert response.status_code == 303
    db.session.refresh(event)
    assert event.title == "Atelier participatif (2e édition)" and event.calendar_sequence == 0


def test_the_address_of_an_open_event_does_not_change(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    response = post(client, f"/dashboard/events/{event.id}/edit", event_form(event, slug="autre"))
    assert response.status_code == 200
    assert "les liens déjà envoyés ne marcheraient plus" in unescape(response.get_data(True))


def test_part_times_changed_after_sign_ups_ask_first_then_reschedule(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    sign_up(event, 1)
    morning = event.parts[0]
    url = f"/dashboard/events/{event.id}/parts/{morning.id}/edit"
    day = morning.local_start.date().isoformat()
    data = {"label": "Matin", "day": day, "start": "10:00", "end": "12:30", "capacity": ""}
    response = post(client, url, data)
    assert response.status_code == 200 and "Confirmer" in response.get_data(as_text=True)
    db.session.refresh(morning)
    assert morning.local_start.time() == time(9, 30)

    response = client.post(url, data=hidden_inputs(response.get_data(as_text=True)))
    assert response.status_code == 303
    db.session.refresh(morning)
    db.session.refresh(event)
    assert morning.local_start.time() == time(10) and event.calendar_sequence == 1
    assert actions(event) == ["part.updated", "event.rescheduled"]

    # A new label or capacity moves nothing: no question asked.
    response = post(client, url, {**data, "start": "10:00", "label": "Matinée", "capacity": "20"})
    assert response.status_code == 303
    db.session.refresh(event)
    assert event.calendar_sequence == 1 and event.parts[0].capacity == 20


def test_add_reorder_and_delete_parts(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    day = event.parts[0].local_start.date().isoformat()
    post(
        client,
        f"/dashboard/events/{event.id}/parts/new",
        {"label": "Accueil café", "day": day, "start": "09:00", "end": "09:30"},
    )
    db.session.refresh(event)
    assert [p.label for p in event.parts] == ["Accueil café", "Matin", "Après-midi"]
    coffee = event.parts[0]
    post(client, f"/dashboard/events/{event.id}/parts/{coffee.id}/move", {"direction": "down"})
    db.session.expire_all()
    assert [p.label for p in event.parts] == ["Matin", "Accueil café", "Après-midi"]
    assert [p.position for p in event.parts] == [0, 1, 2]

    afternoon = event.parts[2]
    sign_up(event, 1, full_day=False, part_ids=[afternoon.id])
    refused = post(client, f"/dashboard/events/{event.id}/parts/{afternoon.id}/delete")
    assert refused.status_code == 303
    db.session.expire_all()
    assert len(event.parts) == 3
    assert "ont choisi cette partie" in client.get(f"/dashboard/events/{event.id}").get_data(True)

    post(client, f"/dashboard/events/{event.id}/parts/{coffee.id}/delete")
    db.session.expire_all()
    assert [p.label for p in event.parts] == ["Matin", "Après-midi"]
    assert actions(event)[-1] == "event.rescheduled"


def test_questions_appear_on_the_public_form(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    post(
        client,
        f"/dashboard/events/{event.id}/questions/new",
        {
            "label": "Je viens plutôt en tant que",
            "kind": "single_choice",
            "choices": "Facilitateur\nCurieux\n\nCurieux\nExpert en usages",
            "required": "y",
        },
    )
    post(
        client,
        f"/dashboard/events/{event.id}/questions/new",
        {"label": "Mes fonctions", "kind": "text"},
    )
    db.session.refresh(event)
    choice, text = event.questions
    assert choice.choices == ["Facilitateur", "Curieux", "Expert en usages"]
    assert choice.required and not text.required and text.choices == []
    public = client.get("/e/atelier").get_data(as_text=True)
    assert "Je viens plutôt en tant que" in public and "Expert en usages" in public

    refused = post(
        client,
        f"/dashboard/events/{event.id}/questions/{text.id}/edit",
        {"label": "Mes fonctions", "kind": "multiple_choice", "choices": "Une seule"},
    )
    assert refused.status_code == 200 and 'id="choices-error"' in refused.get_data(True)

    post(client, f"/dashboard/events/{event.id}/questions/{text.id}/move", {"direction": "up"})
    db.session.expire_all()
    assert [q.label for q in event.questions] == ["Mes fonctions", "Je viens plutôt en tant que"]
    post(client, f"/dashboard/events/{event.id}/questions/{choice.id}/delete")
    db.session.expire_all()
    assert [q.label for q in event.questions] == ["Mes fonctions"]
    assert actions(event) == [
        "question.added",
        "question.added",
        "question.moved",
        "question.deleted",
    ]


def test_duplicate_keeps_local_times_across_a_daylight_saving_change(
    app, organiser_client, make_event
):
    client = organiser_client
    # 24 March 2027 is in winter time (UTC+1); 31 March 2027 in summer time (UTC+2).
    event = make_event(
        slug="codev-mars",
        title="Codev : séance de mars",
        questions=[{"label": "Commune", "required": True}],
        registration_closes_at=local(date(2027, 3, 23), time(18)),
    )
    event.organisers.append(client.user)
    db.session.commit()
    for part, (start, end) in zip(event.parts, [(time(9, 30), time(12, 30)), (time(14), time(17))]):
        part.starts_at = local(date(2027, 3, 24), start)
        part.ends_at = local(date(2027, 3, 24), end)
    db.session.commit()
    sign_up(event, 1)

    response = post(
        client,
        f"/dashboard/events/{event.id}/duplicate",
        {"title": "Codev : séance d'avril", "first_day": "2027-03-31"},
    )
    assert response.status_code == 303
    copy = db.session.scalar(select(Event).where(Event.title == "Codev : séance d'avril"))
    assert copy.status == "draft" and copy.slug == "codev-seance-d-avril-2027-03-31"
    assert [(p.label, p.local_start, p.local_end) for p in copy.parts] == [
        ("Matin", local(date(2027, 3, 31), time(9, 30)), local(date(2027, 3, 31), time(12, 30))),
        ("Après-midi", local(date(2027, 3, 31), time(14)), local(date(2027, 3, 31), time(17))),
    ]
    assert copy.parts[0].starts_at.utcoffset().total_seconds() == 0  # stored in UTC
    assert copy.parts[0].starts_at.hour == 7  # 09:30 summer time
    assert copy.registration_closes_at == local(date(2027, 3, 30), time(18))
    assert [(q.label, q.required) for q in copy.questions] == [("Commune", True)]
    assert copy.organisers == [client.user]
    assert service.confirmed_count(copy) == 0
    assert actions(copy) == ["event.duplicated_from"] and "event.duplicated" in actions(event)


def test_cancel_an_event_after_a_confirmation_step(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    sign_up(event, 1)
    url = f"/dashboard/events/{event.id}/cancel"
    page = client.get(url).get_data(as_text=True)
    assert "la personne inscrite en est informée" in page
    assert post(client, url).status_code == 303
    db.session.refresh(event)
    assert event.status == EventStatus.CANCELLED and event.calendar_sequence == 1
    assert "Cet événement est annulé." in client.get("/e/atelier").get_data(as_text=True)
    post(client, f"/dashboard/events/{event.id}/status", {"status": "open"})
    db.session.refresh(event)
    assert event.status == EventStatus.CANCELLED
    assert actions(event) == ["event.cancelled"]


def test_co_organisers(app, organiser_client, make_organiser):
    client, event = organiser_client, organiser_client.event
    colleague = make_organiser("collegue@example.org")
    url = f"/dashboard/events/{event.id}/organisers"
    post(client, url, {"email": "inconnu@example.org"})
    page = client.get(f"/dashboard/events/{event.id}").get_data(as_text=True)
    assert "Aucun compte organisateur n&#39;a cette adresse" in page
    post(client, url, {"email": "Collegue@Example.org"})
    db.session.refresh(event)
    assert colleague in event.organisers
    post(client, f"{url}/{colleague.id}/remove")
    db.session.refresh(event)
    assert event.organisers == [client.user]
    post(client, f"{url}/{client.user.id}/remove")
    db.session.refresh(event)
    assert event.organisers == [client.user]
    assert actions(event) == ["event.organiser_added", "event.organiser_removed"]


def test_the_event_page_shows_the_audit_log(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    post(client, f"/dashboard/events/{event.id}/edit", event_form(event, title="Nouveau titre"))
    page = client.get(f"/dashboard/events/{event.id}").get_data(as_text=True)
    assert "Dernières modifications" in page
    sentence = (
        f"Événement modifié : titre : Atelier participatif → Nouveau titre, par {client.user.email}"
    )
    assert sentence in page
    full = client.get(f"/dashboard/events/{event.id}/audit").get_data(as_text=True)
    assert sentence in full


def outbox(method=None):
    from eventsvc.mail.models import OutboxMessage

    query = select(OutboxMessage.recipient).order_by(OutboxMessage.id)
    if method:
        query = query.where(OutboxMessage.calendar_method == method)
    return list(db.session.scalars(query))


def test_confirmed_moves_and_cancellation_reach_the_participants(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    sign_up(event, 1)
    sign_up(event, 2)
    before = len(outbox())
    url = f"/dashboard/events/{event.id}/edit"
    page = post(client, url, event_form(event, venue_name="Salle des fêtes"))
    assert len(outbox()) == before  # asked, nothing sent yet
    client.post(url, data=hidden_inputs(page.get_data(as_text=True)))
    updates = outbox("REQUEST")[-2:]
    assert sorted(updates) == ["personne1@example.org", "personne2@example.org"]
    post(client, f"/dashboard/events/{event.id}/cancel")
    assert sorted(outbox("CANCEL")) == ["personne1@example.org", "personne2@example.org"]


def test_an_end_before_the_start_is_refused_on_events_and_parts(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    day = event.parts[0].local_start.date().isoformat()
    for url, data in (
        (
            "/dashboard/events/new",
            {"title": "Atelier", "day": "2031-06-12", "timezone": "Europe/Paris"},
        ),
        (f"/dashboard/events/{event.id}/parts/new", {"label": "Accueil", "day": day}),
    ):
        refused = post(client, url, {**data, "start": "10:00", "end": "09:30"})
        assert refused.status_code == 200
        assert "L'heure de fin doit suivre l'heure de début." in unescape(
            refused.get_data(as_text=True)
        )
        missing = post(client, url, {**data, "start": "", "end": "09:30"})
        assert "Indiquez l'heure de début." in unescape(missing.get_data(as_text=True))
    assert [p.label for p in event.parts] == ["Matin", "Après-midi"]


@pytest.mark.parametrize("capacity", ["²", "99999999999999999999"])
def test_a_capacity_in_superscript_digits_gets_a_message_not_a_500(app, organiser_client, capacity):
    """« ² » passes str.isdigit() and fails int(); a number past the column overflows it on
    PostgreSQL: the form must refuse both like any other text."""
    response = post(
        organiser_client,
        "/dashboard/events/new",
        {
            "title": "Atelier",
            "day": "2031-06-12",
            "start": "09:00",
            "end": "12:00",
            "capacity": capacity,
            "timezone": "Europe/Paris",
            "slug": "atelier-exposant",
        },
    )
    assert response.status_code == 200
    assert 'id="capacity-error"' in response.get_data(as_text=True)
