"""The organiser's attendance pages: check-in (plain forms and the JSON endpoints of
static/checkin.js), sign-in sheets, certificates, the attendance export and figures."""

from __future__ import annotations

import csv as csv_module
import io
import json
import threading
import zipfile
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from eventsvc.attendance import service
from eventsvc.attendance.models import CheckIn
from eventsvc.audit.models import AuditEvent
from eventsvc.database import utcnow
from eventsvc.extensions import db
from eventsvc.registrations import operations as registrations
from eventsvc.registrations.models import Registration

from .factories import (
    LANDSCAPE,
    ORGANISER_PASSWORD,
    PORTRAIT,
    command,
    csrf_token,
    happening_today,
    login,
    move_to_the_past,
    page_sizes,
    participant,
    pdf_text,
)


@pytest.fixture
def desk(organiser_client):
    """The organiser's client, their event and its people: Anne DURAND (full day), Zoé ÉLOI
    (afternoon only), Louise LE BRAS (full day). The event takes place today: check-in is open."""
    event = happening_today(organiser_client.event)
    morning, afternoon = event.parts
    people = {
        "durand": participant(event, 1, last="Durand", first="Anne", organisation="Mairie"),
        "eloi": participant(
            event, 2, last="Éloi", first="Zoé", full_day=False, part_ids=[afternoon.id]
        ),
        "lebras": participant(event, 3, last="Le Bras", first="Louise"),
    }
    return organiser_client, event, morning, afternoon, people


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(model.id)).where(*where))


def audit_actions(registration=None) -> list[str]:
    db.session.rollback()
    query = select(AuditEvent.action).order_by(AuditEvent.id)
    if registration is not None:
        query = query.where(AuditEvent.registration_id == registration.id)
    return list(db.session.scalars(query))


def post_json(client, url: str, payload: dict, token: str | None):
    headers = {"X-CSRFToken": token} if token else {}
    return client.post(
        url, data=json.dumps(payload), content_type="application/json", headers=headers
    )


# --- the page, without JavaScript ---------------------------------------------------------


def test_the_page_lists_people_by_name_with_the_part_chosen(desk):
    client, event, morning, afternoon, people = desk
    page = client.get(f"/dashboard/events/{event.id}/checkin?part={morning.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Accueil : Matin — " in html and "part-colour-0" in html
    assert f'checkin?part={morning.id}" aria-current="page">' in html
    assert f'checkin?part={afternoon.id}">' in html  # the other part is one link away
    assert "<select" not in html
    assert html.index("DURAND") < html.index("ÉLOI") < html.index("LE BRAS")
    assert "inscrit·e à une autre partie" in html  # Zoé comes in the afternoon only
    assert 'src="/static/checkin.js"' in html and "<script>" not in html
    assert '0</span> présent·es sur <span id="desk-expected">2</span>' in html


def test_the_part_under_way_is_preselected_by_the_clock(desk):
    client, event, morning, afternoon, _people = desk
    now = utcnow()
    morning.starts_at, morning.ends_at = now - timedelta(hours=5), now - timedelta(hours=2)
    afternoon.starts_at, afternoon.ends_at = now - timedelta(minutes=20), now + timedelta(hours=2)
    db.session.commit()
    html = client.get(f"/dashboard/events/{event.id}/checkin").get_data(as_text=True)
    assert f'checkin?part={afternoon.id}" aria-current="page">' in html
    assert "Accueil : Après-midi — " in html and "part-colour-1" in html


def test_search_is_a_get_filter_ignoring_accents_and_case(desk):
    client, event, morning, _afternoon, _people = desk
    html = client.get(f"/dashboard/events/{event.id}/checkin?part={morning.id}&q=eloi").get_data(
        as_text=True
    )
    assert "ÉLOI" in html and "DURAND" not in html and "LE BRAS" not in html
    html = client.get(f"/dashboard/events/{event.id}/checkin?q=MAIRIE").get_data(as_text=True)
    assert "DURAND" in html and "ÉLOI" not in html
    html = client.get(f"/dashboard/events/{event.id}/checkin?q=personne").get_data(as_text=True)
    assert "Personne ne correspond à « personne »" in html


def test_a_tap_marks_present_and_a_second_tap_undoes_each_in_the_log(desk):
    client, event, morning, afternoon, people = desk
    anne = people["durand"]
    url = f"/dashboard/events/{event.id}/checkin/{morning.id}/{anne.id}"
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin")
    response = client.post(url, data={"csrf_token": token, "present": "1", "q": "dur"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/dashboard/events/{event.id}/checkin?part={morning.id}&q=dur#r{anne.id}"
    )
    assert count(CheckIn, CheckIn.registration_id == anne.id) == 1
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Anne Durand pointé·e présent·e — Matin" in page
    assert 'aria-pressed="true"' in page
    # The same tap again (a double tap, a resubmission): still one check-in, one log line.
    client.post(url, data={"csrf_token": token, "present": "1"})
    assert count(CheckIn, CheckIn.registration_id == anne.id) == 1
    client.post(url, data={"csrf_token": token, "present": "0"})
    assert count(CheckIn, CheckIn.registration_id == anne.id) == 0
    assert audit_actions(anne)[-2:] == ["attendance.checked_in", "attendance.check_in_undone"]
    log = client.get(f"/dashboard/events/{event.id}/audit").get_data(as_text=True)
    name = f"{anne.first_name} {anne.last_name}"
    morning_label = "« Matin »"
    assert f"{name} pointé·e présent·e pour {morning_label}, par {client.user.email}" in log
    assert f"Présence de {name} pour {morning_label} annulée" in log


def test_a_tap_without_the_csrf_token_is_refused(desk):
    client, event, morning, _afternoon, people = desk
    url = f"/dashboard/events/{event.id}/checkin/{morning.id}/{people['durand'].id}"
    assert client.post(url, data={"present": "1"}).status_code == 400
    assert count(CheckIn) == 0


def test_a_full_day_registration_is_checked_in_per_part(desk):
    client, event, morning, afternoon, people = desk
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin")
    for key in ("durand", "lebras"):
        client.post(
            f"/dashboard/events/{event.id}/checkin/{morning.id}/{people[key].id}",
            data={"csrf_token": token, "present": "1"},
        )
    # Louise left at noon: only Anne comes back in the afternoon.
    client.post(
        f"/dashboard/events/{event.id}/checkin/{afternoon.id}/{people['durand'].id}",
        data={"csrf_token": token, "present": "1"},
    )
    move_to_the_past(event)  # both parts over: both are counted
    figures = {f.part.label: f for f in service.figures(event)}
    assert (figures["Matin"].expected, figures["Matin"].present) == (2, 2)
    assert (figures["Après-midi"].expected, figures["Après-midi"].present) == (3, 1)
    assert figures["Après-midi"].no_shows == 2
    html = client.get(f"/dashboard/events/{event.id}").get_data(as_text=True)
    assert "Taux d'absence" in html and "67" in html  # 2 of 3 absent in the afternoon


def test_a_walk_in_is_added_on_the_spot_once_even_if_sent_twice(desk):
    client, event, morning, _afternoon, _people = desk
    page = client.get(f"/dashboard/events/{event.id}/checkin?part={morning.id}")
    html = page.get_data(as_text=True)
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin?part={morning.id}")
    request_id = html.split('name="request_id" type="hidden" value="')[1].split('"')[0]
    url = f"/dashboard/events/{event.id}/checkin/{morning.id}/walk-in"
    data = {
        "csrf_token": token,
        "request_id": request_id,
        "first_name": "Jean",
        "last_name": "Sansinscription",
        "organisation": "=1+1",
    }
    first = client.post(url, data=data)
    assert first.status_code == 303
    again = client.post(url, data=data)  # a double tap on the button
    assert again.status_code == 303
    [walk_in] = db.session.scalars(select(Registration).where(Registration.walk_in)).all()
    assert walk_in.last_name == "Sansinscription" and walk_in.email == ""
    assert service.checked_in_part_ids(walk_in) == {morning.id}
    assert audit_actions(walk_in) == ["attendance.walk_in"]
    html = client.get(first.headers["Location"]).get_data(as_text=True)
    assert "SANSINSCRIPTION" in html and "sur place" in html


def test_a_walk_in_form_with_errors_comes_back_filled_in(desk):
    client, event, morning, _afternoon, _people = desk
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin")
    url = f"/dashboard/events/{event.id}/checkin/{morning.id}/walk-in"
    data = {"csrf_token": token, "first_name": "Jean", "last_name": ""}
    response = client.post(url, data=data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Indiquez le nom de la personne." in html and 'value="Jean"' in html
    assert '<details class="desk-walk-in" id="walk-in" open>' in html
    # Someone already registered is found in the list, not added twice.
    data = {**data, "first_name": "Anne", "last_name": "Durand", "email": "personne1@example.org"}
    response = client.post(url, data=data)
    assert response.status_code == 200
    assert "Une inscription existe déjà avec cette adresse" in response.get_data(as_text=True)
    assert count(Registration, Registration.walk_in) == 0


# --- the JSON endpoints -----------------------------------------------------------------------


def test_json_check_in_undo_and_repeats(desk):
    client, event, morning, _afternoon, people = desk
    anne = people["durand"]
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin")
    url = f"/dashboard/events/{event.id}/checkin.json"
    tap = {"part_id": morning.id, "registration_id": anne.id, "present": True}
    first = post_json(client, url, tap, token)
    assert first.status_code == 200
    assert first.json == {
        "ok": True,
        "registration_id": anne.id,
        "part_id": morning.id,
        "present": True,
        "changed": True,
        "message": "Anne Durand pointé·e présent·e — Matin",
        "counts": {"present": 1, "expected": 2},
    }
    retry = post_json(client, url, tap, token)  # the answer was lost, the phone sends again
    assert retry.status_code == 200 and retry.json["changed"] is False
    assert count(CheckIn) == 1
    undo = post_json(client, url, {**tap, "present": False}, token)
    assert undo.json["present"] is False and undo.json["changed"] is True
    assert post_json(client, url, {**tap, "present": False}, token).json["changed"] is False
    assert count(CheckIn) == 0
    assert audit_actions(anne) == ["attendance.checked_in", "attendance.check_in_undone"]


def test_json_refuses_wrong_parts_people_and_requests(desk, make_event):
    client, event, morning, _afternoon, people = desk
    other = make_event(slug="autre")
    stranger = participant(other, 9)
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin")
    url = f"/dashboard/events/{event.id}/checkin.json"
    anne = people["durand"]
    cases = [
        ({"part_id": other.parts[0].id, "registration_id": anne.id, "present": True}, 404),
        ({"part_id": 999999, "registration_id": anne.id, "present": True}, 404),
        ({"part_id": morning.id, "registration_id": stranger.id, "present": True}, 404),
        ({"part_id": morning.id, "registration_id": "x", "present": True}, 404),
        # Past the integer column: an unknown id, not a database error (PostgreSQL).
        ({"part_id": 10**20, "registration_id": anne.id, "present": True}, 404),
        ({"part_id": morning.id, "registration_id": "99999999999999999999", "present": True}, 404),
        ({"part_id": morning.id, "registration_id": "\u00b2", "present": True}, 404),
        ({"part_id": morning.id, "registration_id": anne.id, "present": "yes"}, 400),
        ({"part_id": morning.id, "registration_id": anne.id}, 400),
    ]
    for payload, status in cases:
        response = post_json(client, url, payload, token)
        assert response.status_code == status, payload
        assert response.json["ok"] is False
    # Missing CSRF header: refused before anything happens.
    good = {"part_id": morning.id, "registration_id": anne.id, "present": True}
    assert post_json(client, url, good, None).status_code == 400
    assert post_json(client, url, good, "forged").status_code == 400
    # A cancelled registration cannot be ticked: the message says what to do.
    registrations.cancel(anne)
    db.session.commit()
    refused = post_json(client, url, good, token)
    assert refused.status_code == 409 and "confirmez-la" in refused.json["error"]
    assert count(CheckIn) == 0 and "attendance.checked_in" not in audit_actions()


def test_json_walk_in_is_idempotent_and_validated(desk):
    client, event, _morning, afternoon, _people = desk
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin")
    url = f"/dashboard/events/{event.id}/walk-in.json"
    payload = {
        "part_id": afternoon.id,
        "first_name": "Nadia",
        "last_name": "Benali",
        "organisation": "Mairie",
        "email": "nadia@example.org",
        "request_id": "a1b2c3d4e5f60718",
    }
    first = post_json(client, url, payload, token)
    assert first.status_code == 200, first.json
    assert first.json["ok"] and first.json["last_name"] == "Benali"
    assert first.json["counts"] == {"present": 1, "expected": 3}
    again = post_json(client, url, payload, token)
    assert again.json["registration_id"] == first.json["registration_id"]
    walk_in = db.session.get(Registration, first.json["registration_id"])
    assert walk_in.walk_in and walk_in.email == "nadia@example.org"
    assert service.checked_in_part_ids(walk_in) == {afternoon.id}
    assert count(Registration, Registration.walk_in) == 1
    assert audit_actions(walk_in) == ["attendance.walk_in"]

    missing = post_json(client, url, {"part_id": afternoon.id, "first_name": "X"}, token)
    assert missing.status_code == 422
    assert missing.json["errors"] == {"last_name": ["Indiquez le nom de la personne."]}
    taken = post_json(client, url, {**payload, "request_id": "another-request"}, token)
    assert taken.status_code == 422 and "email" in taken.json["errors"]
    wrong_part = post_json(client, url, {**payload, "part_id": 999999}, token)
    assert wrong_part.status_code == 404
    assert post_json(client, url, payload, None).status_code == 400
    assert count(Registration, Registration.walk_in) == 1


def test_two_organisers_on_two_phones_tick_the_same_person_once(app, desk, make_organiser):
    client, event, morning, _afternoon, people = desk
    make_organiser("second@example.org", events=[event])
    second = app.test_client()
    login(second, "second@example.org", ORGANISER_PASSWORD)
    phones = [client, second]
    tokens = [csrf_token(phone, f"/dashboard/events/{event.id}/checkin") for phone in phones]
    url = f"/dashboard/events/{event.id}/checkin.json"
    tap = {"part_id": morning.id, "registration_id": people["durand"].id, "present": True}
    barrier = threading.Barrier(2)
    answers: list = [None, None]
    # Requests made from this thread share the test's session: end its transaction (a POST's
    # BEGIN IMMEDIATE would otherwise keep SQLite's write lock), as each request does in production.
    db.session.rollback()

    def phone(index: int) -> None:
        barrier.wait(timeout=10)
        answers[index] = post_json(phones[index], url, tap, tokens[index])

    threads = [threading.Thread(target=phone, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [a.status_code for a in answers] == [200, 200]
    assert sorted(a.json["changed"] for a in answers) == [False, True]
    assert all(a.json["present"] for a in answers)
    assert count(CheckIn) == 1
    assert audit_actions(people["durand"]) == ["attendance.checked_in"]


def test_the_same_walk_in_sent_from_two_connections_at_once_is_added_once(app, desk):
    """A retry racing its first attempt (the answer was slow, not lost): one walk-in."""
    client, event, morning, _afternoon, _people = desk
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin")
    url = f"/dashboard/events/{event.id}/walk-in.json"
    payload = {
        "part_id": morning.id,
        "first_name": "Jean",
        "last_name": "Pressé",
        "request_id": "same-request-0001",
    }
    db.session.rollback()  # see the test above: no transaction left open by this thread
    barrier = threading.Barrier(2)
    answers: list = [None, None]

    def send(index: int) -> None:
        barrier.wait(timeout=10)
        answers[index] = post_json(client, url, payload, token)

    threads = [threading.Thread(target=send, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].json["registration_id"] == answers[1].json["registration_id"]
    assert count(Registration, Registration.walk_in) == 1
    assert count(CheckIn) == 1
    assert audit_actions().count("attendance.walk_in") == 1


def test_a_retry_whose_first_attempt_commits_just_after_its_lookup_is_added_once(
    app, desk, monkeypatch
):
    """The other window of the race above: the first attempt commits between the retry's lookup
    by request id and its insert, so the retry meets the row as « already registered »."""
    from eventsvc.attendance import operations as manage

    client, event, morning, _afternoon, _people = desk
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin")
    url = f"/dashboard/events/{event.id}/walk-in.json"
    payload = {
        "part_id": morning.id,
        "first_name": "Jean",
        "last_name": "Pressé",
        "request_id": "same-request-0002",
    }
    first = post_json(client, url, payload, token)
    assert first.status_code == 200
    lookup, calls = manage._by_public_id, []

    def not_yet_committed(event, public_id):  # the first lookup runs before the other commit
        calls.append(public_id)
        return None if len(calls) == 1 else lookup(event, public_id)

    monkeypatch.setattr(manage, "_by_public_id", not_yet_committed)
    retry = post_json(client, url, payload, token)
    assert retry.status_code == 200, retry.json
    assert retry.json["registration_id"] == first.json["registration_id"]
    assert count(Registration, Registration.walk_in) == 1
    assert audit_actions().count("attendance.walk_in") == 1


def test_another_organiser_gets_404_from_the_json_endpoints(app, desk, make_event, make_organiser):
    _client, event, morning, _afternoon, people = desk
    make_organiser("bob@example.org", events=[make_event(slug="bob")])
    bob = app.test_client()
    login(bob, "bob@example.org", ORGANISER_PASSWORD)
    token = csrf_token(bob, "/dashboard/")
    tap = {"part_id": morning.id, "registration_id": people["durand"].id, "present": True}
    assert (
        post_json(bob, f"/dashboard/events/{event.id}/checkin.json", tap, token).status_code == 404
    )
    walk_in = {"part_id": morning.id, "first_name": "A", "last_name": "B"}
    assert (
        post_json(bob, f"/dashboard/events/{event.id}/walk-in.json", walk_in, token).status_code
        == 404
    )
    assert count(CheckIn) == 0 and count(Registration, Registration.walk_in) == 0


# --- sheets and certificates ---------------------------------------------------------------


def test_sign_in_sheets_from_the_dashboard(desk):
    client, event, morning, afternoon, _people = desk
    overview = client.get(f"/dashboard/events/{event.id}").get_data(as_text=True)
    assert f"/dashboard/events/{event.id}/sheets" in overview
    assert f"/dashboard/events/{event.id}/sheets.pdf" in overview
    html = client.get(f"/dashboard/events/{event.id}/parts/{morning.id}/sheet")
    assert html.status_code == 200 and html.mimetype == "text/html"
    text = html.get_data(as_text=True)
    assert "Feuille d'émargement" in text and "/static/print.css" in text
    assert "DURAND" in text and "ÉLOI" not in text  # Zoé comes in the afternoon
    pdf = client.get(f"/dashboard/events/{event.id}/parts/{afternoon.id}/sheet.pdf")
    assert pdf.mimetype == "application/pdf"
    assert "attachment" in pdf.headers["Content-Disposition"]
    pages, [page] = pdf_text(pdf.data)
    assert pages == 1 and "Après-midi" in page
    assert page.index("DURAND") < page.index("ÉLOI") < page.index("LE BRAS")
    pages, texts = pdf_text(client.get(f"/dashboard/events/{event.id}/sheets.pdf").data)
    assert pages == 2 and "Matin" in texts[0] and "Après-midi" in texts[1]
    # A4 landscape by default, portrait when asked from the attendance page's link.
    assert page_sizes(pdf.data) == [LANDSCAPE]
    attendance = client.get(f"/dashboard/events/{event.id}/attendance").get_data(as_text=True)
    portrait_url = (
        f"/dashboard/events/{event.id}/parts/{afternoon.id}/sheet.pdf?orientation=portrait"
    )
    assert portrait_url in attendance
    assert page_sizes(client.get(portrait_url).data) == [PORTRAIT]
    everything = f"/dashboard/events/{event.id}/sheets.pdf?orientation=portrait"
    assert everything in attendance
    assert page_sizes(client.get(everything).data) == [PORTRAIT, PORTRAIT]
    assert "portrait" in client.get(
        f"/dashboard/events/{event.id}/sheets?orientation=portrait"
    ).get_data(as_text=True)


def test_certificates_one_all_and_zip(desk):
    client, event, morning, afternoon, people = desk
    service.check_in(people["durand"], morning)
    service.check_in(people["durand"], afternoon)
    service.check_in(people["eloi"], afternoon)
    db.session.commit()
    move_to_the_past(event)
    base = f"/dashboard/events/{event.id}"
    one = client.get(f"{base}/registrations/{people['durand'].id}/certificate.pdf")
    assert one.status_code == 200 and one.mimetype == "application/pdf"
    assert "attestation-durand-anne-ATT-" in one.headers["Content-Disposition"]
    pages, [text] = pdf_text(one.data)
    assert "Anne DURAND" in text and "6 h" in text  # 9:30-12:30 and 14:00-17:00
    # Never checked in: no certificate.
    assert (
        client.get(f"{base}/registrations/{people['lebras'].id}/certificate.pdf").status_code == 404
    )

    pages, texts = pdf_text(client.get(f"{base}/certificates.pdf").data)
    assert pages == 2 and "DURAND" in texts[0] and "ÉLOI" in texts[1]
    assert "3 h" in texts[1] and "LE BRAS" not in "".join(texts)

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"{base}/certificates.zip").data))
    names = archive.namelist()
    assert len(names) == 2 and all(n.endswith(".pdf") for n in names)
    assert names[0].startswith("attestation-durand-anne-")
    assert names[1].startswith("attestation-eloi-zoe-")
    for name, expected in zip(names, ["Anne DURAND", "Zoé ÉLOI"], strict=True):
        pages, [text] = pdf_text(archive.read(name))
        assert pages == 1 and expected in text

    page = client.get(f"{base}/attendance").get_data(as_text=True)
    assert f"{base}/registrations/{people['durand'].id}/certificate.pdf" in page


def test_no_certificate_pages_before_anyone_came(desk):
    client, event, *_ = desk
    move_to_the_past(event)
    for path in ("certificates.pdf", "certificates.zip"):
        response = client.get(f"/dashboard/events/{event.id}/{path}")
        assert response.status_code == 303
    page = client.get(f"/dashboard/events/{event.id}/attendance").get_data(as_text=True)
    assert "aucune attestation à produire" in page


# --- the attendance list -------------------------------------------------------------------


def test_attendance_export_lists_presence_no_shows_and_walk_ins(desk):
    client, event, morning, afternoon, people = desk
    service.check_in(people["durand"], morning)
    service.add_walk_in(event, afternoon, first_name="Jean", last_name="=Sansinscription")
    db.session.commit()
    csv = client.get(f"/dashboard/events/{event.id}/attendance.csv")
    assert csv.mimetype == "text/csv"
    header, *rows = csv_module.reader(io.StringIO(csv.data.decode("utf-8-sig")), delimiter=";")
    assert header[:3] == ["Partie", "Début", "Nom"]
    morning_rows = {r[2]: r for r in rows if r[0].startswith("Matin")}
    afternoon_rows = {r[2]: r for r in rows if r[0].startswith("Après-midi")}
    present, absent, walk_in = (
        header.index(h)
        for h in ("Présent·e", "Absent·e (inscrit·e, non venu·e)", "Sans inscription (sur place)")
    )
    assert set(morning_rows) == {"Durand", "Le Bras"}  # Zoé registered for the afternoon only
    assert morning_rows["Durand"][present] == "Oui" and morning_rows["Le Bras"][absent] == "Oui"
    jean = afternoon_rows["'=Sansinscription"]  # neutralised: never a formula
    assert jean[walk_in] == "Oui" and jean[present] == "Oui" and jean[absent] == "Non"
    assert len(afternoon_rows) == 4

    xlsx = client.get(f"/dashboard/events/{event.id}/attendance.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    values = list(sheet.values)
    assert values[0][0] == "Partie" and len(values) == 1 + 2 + 4
    assert any(row[2] == "'=Sansinscription" or row[2] == "=Sansinscription" for row in values)
    assert all(sheet.cell(row=r, column=3).data_type == "s" for r in range(2, len(values) + 1))
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(values[0]))}{len(values)}"


def test_the_overview_page_and_figures(desk):
    client, event, morning, afternoon, people = desk
    now = utcnow()  # the morning under way, the afternoon to come
    morning.starts_at, morning.ends_at = now - timedelta(hours=1), now + timedelta(hours=1)
    afternoon.starts_at, afternoon.ends_at = now + timedelta(hours=2), now + timedelta(hours=4)
    service.check_in(people["durand"], morning)
    db.session.commit()
    html = client.get(f"/dashboard/events/{event.id}/attendance").get_data(as_text=True)
    assert "Pointer les présences" in html and "Feuilles d'émargement" in html
    assert "50" in html and "%" in html  # 1 of 2 absent in the morning
    assert "Après-midi : les présences seront comptées à partir du" in html
    assert "disponibles après la fin de la partie « Matin »" in html
    send = client.get(f"/dashboard/events/{event.id}/certificates/send")
    assert send.status_code == 200 and "une fois l&#39;événement terminé" in send.get_data(
        as_text=True
    )
    move_to_the_past(event)
    html = client.get(f"/dashboard/events/{event.id}/attendance").get_data(as_text=True)
    assert "Envoyer les attestations par courriel" in html
    # Over: no part is « proposed by the clock », the desk stays open for corrections.
    assert "Partie proposée" not in html and "Corriger les présences" in html
    assert "L'événement est terminé : les présences restent modifiables" in html


def test_registered_people_not_expected_at_a_part_can_still_be_ticked(desk):
    """Zoé signed up for the afternoon but came in the morning: she is found and ticked."""
    client, event, morning, _afternoon, people = desk
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin")
    tap = {"part_id": morning.id, "registration_id": people["eloi"].id, "present": True}
    response = post_json(client, f"/dashboard/events/{event.id}/checkin.json", tap, token)
    assert response.status_code == 200 and response.json["changed"]
    sheet = client.get(f"/dashboard/events/{event.id}/parts/{morning.id}/sheet")
    assert "ÉLOI" in sheet.get_data(as_text=True)


def test_waitlisted_people_are_not_on_the_desk(desk):
    client, event, morning, _afternoon, _people = desk
    event.capacity = 3
    db.session.commit()
    waiting = registrations.register(
        event, command(7, last_name="Attente"), locale="fr", enforce_window=False
    )
    db.session.commit()
    assert waiting.waitlisted
    html = client.get(f"/dashboard/events/{event.id}/checkin").get_data(as_text=True)
    assert "ATTENTE" not in html


def test_hostile_names_stay_text_on_the_check_in_page(desk):
    client, event, _morning, _afternoon, _people = desk
    participant(event, 8, last='<img src=x onerror="alert(1)">', first="\"'><script>x</script>")
    html = client.get(f"/dashboard/events/{event.id}/checkin").get_data(as_text=True)
    assert "<img src=x" not in html and "<script>x" not in html
    assert "&lt;IMG SRC=X ONERROR=" in html


def test_the_check_in_page_in_english(desk):
    from flask_babel import refresh

    client, event, *_ = desk
    refresh()  # requests in a test share its app context, where Flask-Babel keeps the locale
    html = client.get(f"/dashboard/events/{event.id}/checkin?lang=en").get_data(as_text=True)
    assert "Search for a name" in html and 'data-text-unsaved="not saved"' in html
