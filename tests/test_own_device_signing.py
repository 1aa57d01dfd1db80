"""Signing on one's own phone (issue 17): the part's code and window by function calls, then the
public pages /emargement (the email step answers the same for any address, the emailed link
expires and cannot be tampered with), the signature in the proof file with captured_by, and the
desk's signatures sent later with the time they were taken (taken_at)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import func, select

from eventsvc.attendance import own_device, rules_own_device, rules_proof, signing
from eventsvc.attendance.models import CheckIn, Signature
from eventsvc.audit.models import AuditEvent
from eventsvc.extensions import db
from eventsvc.mail import outbox
from eventsvc.mail.models import OutboxMessage

from .factories import csrf_token, event_form, happening_today, participant, post, under_way

STROKES = [[[0.1, 0.5, 0], [0.2, 0.4, 16], [0.3, 0.6, 32]], [[0.5, 0.5, 300], [0.7, 0.3, 320]]]
T0 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


# --- pure ----------------------------------------------------------------------------------------


def test_the_code_is_six_unambiguous_characters_fixed_by_the_key():
    code = rules_own_device.part_code("secret", 12)
    assert len(code) == 6 and set(code) <= set(rules_own_device.ALPHABET)
    assert code == rules_own_device.part_code("secret", 12)
    assert code != rules_own_device.part_code("secret", 13)
    assert code != rules_own_device.part_code("another", 12)
    assert not set("0O1IL2Z5S8B") & set(rules_own_device.ALPHABET)
    assert rules_own_device.normalised_code(" ab-c d ") == "ABCD"


@pytest.mark.parametrize(
    ("now", "moment"),
    [
        (T0 - timedelta(minutes=31), "before"),
        (T0 - timedelta(minutes=30), "open"),
        (T0 + timedelta(hours=3), "open"),
        (T0 + timedelta(hours=3, minutes=30), "open"),
        (T0 + timedelta(hours=3, minutes=31), "after"),
    ],
)
def test_the_window_around_the_part(now, moment):
    opens, closes = rules_own_device.window(T0, T0 + timedelta(hours=3), 30, 30)
    assert rules_own_device.moment(opens, closes, now) == moment


def test_a_devices_taken_at_within_bounds():
    refusal = rules_own_device.taken_at_refusal
    assert refusal(T0, T0 + timedelta(hours=1), earliest=T0 - timedelta(hours=1)) is None
    assert refusal(T0 + timedelta(minutes=1), T0, earliest=T0) is None  # clock skew
    assert refusal(T0 + timedelta(minutes=10), T0, earliest=T0) == "future"
    assert refusal(T0 - timedelta(minutes=1), T0, earliest=T0) == "too_early"


def test_taken_at_is_hashed_only_when_set():
    fields = {"id": 1, "strokes": STROKES, "received_at": "2026-12-05T09:00:00+00:00"}
    assert rules_proof.entry_hash(fields) == rules_proof.entry_hash({**fields, "taken_at": None})
    later = {**fields, "taken_at": "2026-12-05T08:55:00+00:00"}
    assert rules_proof.entry_hash(later) != rules_proof.entry_hash(fields)


# --- the operation, with explicit times ----------------------------------------------------------


@pytest.fixture
def signing_event(organiser_client):
    """An event under way asking for signatures; Anne for the whole day, Louise cancelled."""
    event = under_way(organiser_client.event)
    event.signature_mode = "participants"
    db.session.commit()
    anne = participant(event, 1, last="Durand", first="Anne")
    louise = participant(event, 2, last="Le Bras", first="Louise")
    louise.status = "cancelled"
    db.session.commit()
    return organiser_client, event, event.parts[0], anne, louise


def test_refused_outside_the_window(signing_event):
    _client, event, part, anne, louise = signing_event
    opens, closes = own_device.window_of(part)
    assert opens == part.starts_at - timedelta(minutes=30)
    before, after = opens - timedelta(seconds=1), closes + timedelta(seconds=1)
    for now, moment in ((before, "before"), (after, "after")):
        with pytest.raises(own_device.OutsideWindow) as refused:
            own_device.check_can_sign(anne, part, now)
        assert refused.value.moment == moment
    own_device.check_can_sign(anne, part, opens)
    own_device.check_can_sign(anne, part, closes)
    with pytest.raises(own_device.NotAttending):
        own_device.check_can_sign(louise, part, opens)
    event.sign_minutes_after = 0
    assert not own_device.can_sign(anne, part, part.ends_at + timedelta(seconds=1))


def test_the_code_finds_the_part(signing_event):
    _client, _event, part, _anne, _louise = signing_event
    code = own_device.code_of(part)
    assert own_device.part_by_code(code.lower()) == part
    assert own_device.part_by_code("AAAAAA" if code != "AAAAAA" else "CCCCCC") is None


# --- the pages -----------------------------------------------------------------------------------


def email_step(client, code, email):
    token = csrf_token(client, f"/emargement/{code}")
    return client.post(f"/emargement/{code}", data={"email": email, "csrf_token": token})


def sent_link() -> str:
    row = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).first()
    parsed = message_from_bytes(outbox.composed_bytes(row), policy=policy.default)
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    return re.search(r"https?://[^\s\"'<>]*/emargement/[A-Z0-9]{6}/s/[^\s\"'<>]+", text).group(0)


def test_the_email_step_answers_the_same_for_anyone(signing_event, app):
    client, _event, part, _anne, _louise = signing_event
    code = own_device.code_of(part)
    client.get("/dashboard/logout")
    answers = []
    for email in ("personne1@example.org", "inconnue@example.org", "personne2@example.org"):
        page = email_step(client, code, email)
        assert page.status_code == 200
        answers.append(page.get_data(True).replace(email, ""))
    assert answers[0] == answers[1] == answers[2]
    assert "un courriel vient d" in answers[0]
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1  # Anne's only
    [line] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "attendance.sign_link_sent")
    ).all()
    assert line.actor_label == "participant"


def test_signing_with_the_emailed_link_records_it_as_own_device(signing_event, app):
    client, event, part, anne, _louise = signing_event
    code = own_device.code_of(part)
    email_step(client, code, "personne1@example.org")
    link = sent_link()
    path = link.split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200 and 'id="sign-pad"' in page.get_data(True)
    token = csrf_token(client, "/" + path)
    answer = client.post(
        f"/{path}/sign.json",
        data=json.dumps({"strokes": STROKES, "duration_ms": 1500}),
        content_type="application/json",
        headers={"X-CSRFToken": token, "User-Agent": "Téléphone de test"},
    )
    assert answer.status_code == 200, answer.get_data(True)
    db.session.rollback()
    [signature] = db.session.scalars(select(Signature)).all()
    assert signature.captured_by == "own_device" and signature.user_agent == "Téléphone de test"
    assert signature.client_address and signature.taken_at is None
    assert db.session.scalar(select(func.count(CheckIn.id)).where(CheckIn.part_id == part.id)) == 1
    proof = signing.proof(part)
    [entry] = proof["entries"]
    assert entry["captured_by"] == "own_device" and rules_proof.verify(proof) == []
    line = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "attendance.signed")
    ).one()
    assert line.actor_label == "participant" and line.details["captured_by"] == "own_device"
    assert anne.id == signature.registration_id and event.id == part.event_id


def test_an_expired_or_tampered_link_is_refused(signing_event, app):
    client, _event, part, anne, _louise = signing_event
    code = own_device.code_of(part)
    good = own_device.link_token(anne, part)
    tampered = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    other_part = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=own_device.LINK_PURPOSE)
    wrong_part = other_part.dumps({"r": anne.id, "p": part.id + 1000})
    for token in (tampered, wrong_part, "nonsense"):
        page = client.get(f"/emargement/{code}/s/{token}")
        assert page.status_code == 403 and "a expiré" in page.get_data(True)
    # A link signed sixteen minutes ago: expired.
    old = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=own_device.LINK_PURPOSE)
    old.signer_kwargs = {}
    stamp = datetime.now(UTC) - timedelta(minutes=own_device.LINK_MINUTES + 1)
    signer = old.make_signer(own_device.LINK_PURPOSE)
    signer.get_timestamp = lambda: int(stamp.timestamp())
    expired = signer.sign(old.dump_payload({"r": anne.id, "p": part.id})).decode()
    assert own_device.registration_of_token(expired, part) is None
    page = client.get(f"/emargement/{code}/s/{expired}")
    assert page.status_code == 403
    assert own_device.registration_of_token(good, part) == anne


def test_the_personal_page_offers_signer_while_open(signing_event):
    client, _event, part, anne, _louise = signing_event
    from eventsvc.links import personal_url

    page = client.get(personal_url(anne).split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    html = page.get_data(True)
    assert "Signer — " in html and f"/emargement/{own_device.code_of(part)}/s/" in html


def test_the_code_page_shows_code_and_qr(signing_event):
    client, event, part, _anne, _louise = signing_event
    html = client.get(f"/dashboard/events/{event.id}/parts/{part.id}/sign-code").get_data(True)
    assert own_device.code_of(part) in html and "<svg" in html
    start = client.get(f"/emargement?code={own_device.code_of(part).lower()}")
    assert start.status_code == 302
    assert client.get("/emargement?code=XXXXXX").status_code == 200


# --- the desk's signatures sent later ------------------------------------------------------------


def desk_sign(client, event, part, person, **extra):
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin?part={part.id}")
    payload = {"part_id": part.id, "registration_id": person.id, "strokes": STROKES, **extra}
    return client.post(
        f"/dashboard/events/{event.id}/sign.json",
        data=json.dumps(payload),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


def test_a_desk_signature_sent_later_keeps_its_taken_at(organiser_client):
    event = happening_today(organiser_client.event)
    event.signature_mode = "participants"
    db.session.commit()
    anne = participant(event, 1, last="Durand", first="Anne")
    part = event.parts[0]
    now = datetime.now(UTC)
    future = (now + timedelta(hours=1)).isoformat()
    too_early = (part.starts_at - timedelta(days=2)).isoformat()
    for bad in (future, too_early, "yesterday", "2026-12-05T09:00:00"):
        answer = desk_sign(organiser_client, event, part, anne, taken_at=bad)
        assert answer.status_code == 422, bad
    taken = (now - timedelta(seconds=5)).isoformat()
    answer = desk_sign(organiser_client, event, part, anne, taken_at=taken)
    assert answer.status_code == 200 and answer.get_json()["taken_at"]
    db.session.rollback()
    [signature] = db.session.scalars(select(Signature)).all()
    assert abs((signature.taken_at - (now - timedelta(seconds=5))).total_seconds()) < 0.01
    assert signature.received_at >= signature.taken_at
    [entry] = signing.proof(part)["entries"]
    assert (
        entry["taken_at"] and entry["received_at"] and rules_proof.verify(signing.proof(part)) == []
    )


def test_the_margins_are_set_in_the_events_settings(organiser_client):
    client, event = organiser_client, organiser_client.event
    url = f"/dashboard/events/{event.id}/edit"
    answer = post(client, url, event_form(event, sign_minutes_before="45", sign_minutes_after="0"))
    assert answer.status_code in (302, 303)
    db.session.rollback()
    assert (event.sign_minutes_before, event.sign_minutes_after) == (45, 0)
    refused = post(client, url, event_form(event, sign_minutes_before="-5"))
    assert refused.status_code == 200 and "entre 0 et 720" in refused.get_data(True)
    db.session.rollback()
    assert event.sign_minutes_before == 45


def test_the_journal_says_the_signature_was_taken_on_ones_own_phone():
    from eventsvc.audit import service as audit
    from eventsvc.audit.sentences import Line, sentence

    details = {"part": "Matin", "signature": 3, "sha256": "ab" * 32, "captured_by": "own_device"}
    line = Line("attendance.signed", details, "participant", "Anne Durand")
    assert (
        "Anne Durand a signé sur son propre téléphone"
        in sentence(line, "fr", audit.ACTION_LABELS).render()
    )
