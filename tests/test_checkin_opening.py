"""Check-in opens on the day of each part (or the evening before when the event says so): before
that, the page says when and offers no tap, and every way of checking in is refused; the
attendance figures count only parts that have started."""

from __future__ import annotations

import json
import re
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from eventsvc.attendance import operations, service
from eventsvc.attendance.models import CheckIn
from eventsvc.audit.models import AuditEvent
from eventsvc.database import utcnow
from eventsvc.extensions import db
from eventsvc.registrations.models import Registration

from .factories import csrf_token, event_form, happening_today, participant, post, under_way


@pytest.fixture
def ahead(organiser_client):
    """The organiser's event in two weeks (new_event), with Anne signed up for the whole day."""
    event = organiser_client.event
    anne = participant(event, 1, last="Durand", first="Anne")
    return organiser_client, event, anne


def check_ins() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(CheckIn.id)))


def test_before_opening_the_page_says_when_and_offers_no_tap(ahead):
    client, event, _anne = ahead
    morning = event.parts[0]
    html = client.get(f"/dashboard/events/{event.id}/checkin?part={morning.id}").get_data(
        as_text=True
    )
    opens = service.checkin_opens_at(morning)
    assert opens.time() == time(0, 0) and opens.date() == morning.local_start.date()
    assert "L&#39;accueil de la partie « Matin » ouvre le " in html
    assert " à 00 h 00." in html
    assert "desk-tap" not in html and "walk-in-form" not in html and "DURAND" not in html
    assert "Accueil : Matin — " in html  # the part and its day are still unmistakable


def test_before_opening_a_tap_a_json_tap_and_walk_ins_are_refused(ahead):
    client, event, anne = ahead
    morning = event.parts[0]
    url = f"/dashboard/events/{event.id}/checkin/{morning.id}/{anne.id}"
    response = post(client, url, {"present": "1"})
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "L&#39;accueil de la partie « Matin » ouvre le " in page
    assert check_ins() == 0

    token = csrf_token(client, "/dashboard/")
    tap = {"part_id": morning.id, "registration_id": anne.id, "present": True}
    answer = client.post(
        f"/dashboard/events/{event.id}/checkin.json",
        data=json.dumps(tap),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 409
    assert answer.json["ok"] is False
    assert answer.json["error"].startswith("L'accueil de la partie « Matin » ouvre le ")

    walk_in = {"part_id": morning.id, "first_name": "Nadia", "last_name": "Benali"}
    answer = client.post(
        f"/dashboard/events/{event.id}/walk-in.json",
        data=json.dumps({**walk_in, "request_id": "abcdefgh12345678"}),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 409 and "ouvre le" in answer.json["error"]
    response = post(
        client,
        f"/dashboard/events/{event.id}/checkin/{morning.id}/walk-in",
        {"first_name": "Nadia", "last_name": "Benali"},
    )
    assert response.status_code == 303
    assert check_ins() == 0
    assert db.session.scalar(select(func.count(Registration.id)).where(Registration.walk_in)) == 0
    assert not db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("attendance.%"))
    ).all()


def test_the_operations_refuse_and_the_primitive_still_records_the_past(ahead):
    client, event, anne = ahead
    morning = event.parts[0]
    with pytest.raises(operations.CheckInNotOpen) as refused:
        operations.mark_present(anne, morning, actor=client.user)
    assert refused.value.part is morning
    with pytest.raises(operations.CheckInNotOpen):
        operations.mark_absent(anne, morning, actor=client.user)
    db.session.rollback()
    # Other domains' tests record check-ins of any date with the unaudited primitive.
    assert service.check_in(anne, morning)


def test_open_on_the_day_and_still_open_after_the_part(ahead):
    client, event, anne = ahead
    happening_today(event)
    morning = event.parts[0]
    assert service.checkin_is_open(morning)
    assert service.checkin_is_open(morning, morning.ends_at + timedelta(days=7))
    response = post(
        client, f"/dashboard/events/{event.id}/checkin/{morning.id}/{anne.id}", {"present": "1"}
    )
    assert response.status_code == 303 and check_ins() == 1


def test_the_evening_before_setting(ahead):
    client, event, _anne = ahead
    morning = event.parts[0]
    day = morning.local_start.date()
    evening = datetime.combine(day - timedelta(days=1), time(18), event.zone)
    assert not service.checkin_is_open(morning, evening)
    event.checkin_opens_evening_before = True
    db.session.commit()
    assert service.checkin_opens_at(morning) == evening
    assert service.checkin_is_open(morning, evening)
    assert not service.checkin_is_open(morning, evening - timedelta(minutes=1))
    html = client.get(f"/dashboard/events/{event.id}/checkin?part={morning.id}").get_data(
        as_text=True
    )
    assert " à 18 h 00." in html


def test_the_event_form_carries_the_setting_into_the_audit_log(ahead):
    client, event, _anne = ahead
    form = client.get(f"/dashboard/events/{event.id}/edit").get_data(as_text=True)
    assert "la veille au soir (18 h)" in form, form[form.find("checkin_opens") - 300 :][:800]
    response = post(
        client,
        f"/dashboard/events/{event.id}/edit",
        event_form(event, checkin_opens_evening_before="y"),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    db.session.rollback()
    assert event.checkin_opens_evening_before is True
    line = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "event.updated")).one()
    assert line.details["changes"]["checkin_opens_evening_before"] == [False, True]
    form = client.get(f"/dashboard/events/{event.id}/edit").get_data(as_text=True)
    assert 'name="checkin_opens_evening_before" value="y" checked' in form


def test_before_the_first_part_no_absence_rate_but_when_counting_starts(ahead):
    client, event, anne = ahead
    for url in (f"/dashboard/events/{event.id}/attendance", f"/dashboard/events/{event.id}"):
        html = client.get(url).get_data(as_text=True)
        # (the embed snippet's « width="100%" » is no absence rate)
        html = re.sub(r'<textarea id="embed-code".*?</textarea>', "", html, flags=re.S)
        assert "Taux d&#39;absence" not in html and "100" not in html
        assert "Les présences seront comptées à partir du " in html
        assert " à 09 h 30." in html
    assert service.figures(event) == []
    # Once started, the morning counts (and the afternoon still waits).
    now = utcnow()
    assert [f.part.label for f in service.figures(event, now + timedelta(days=30))] == [
        "Matin",
        "Après-midi",
    ]
    morning_started = event.parts[0].starts_at + timedelta(minutes=1)
    assert [f.part.label for f in service.figures(event, morning_started)] == ["Matin"]


def test_the_attendance_page_says_when_check_in_opens_for_each_part(ahead):
    client, event, _anne = ahead
    url = f"/dashboard/events/{event.id}/attendance"
    html = client.get(url).get_data(as_text=True)
    for part in event.parts:
        opens = service.checkin_opens_at(part)
        day = f"{opens.day} "
        assert f"{part.label} " in html
        assert day in html
    assert html.count("l&#39;accueil ouvre le ") == len(event.parts)
    assert "00 h 00" in html and "accueil ouvert" not in html

    event.checkin_opens_evening_before = True
    db.session.commit()
    html = client.get(url).get_data(as_text=True)
    assert html.count("l&#39;accueil ouvre la veille, le ") == len(event.parts)
    assert "à 18 h 00" in html
    page = client.get(f"/dashboard/events/{event.id}/checkin?part={event.parts[0].id}")
    assert "« Matin » ouvre la veille, le " in page.get_data(as_text=True)

    under_way(event)
    html = client.get(url).get_data(as_text=True)
    assert html.count("accueil ouvert") == len(event.parts)
    assert "l&#39;accueil ouvre" not in html
    assert "check-in open" in client.get(f"{url}?lang=en").get_data(as_text=True)
