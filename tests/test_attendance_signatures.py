"""Signatures at the welcome desk (issue 17): the strokes and the proof chain by function calls
(rules_proof), then the JSON endpoints of static/signature.js, the proof file, the signed sheet
and the « certificat de réalisation »."""

from __future__ import annotations

import copy
import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from eventsvc.attendance import documents, rules_proof, signing
from eventsvc.attendance.models import CheckIn, Signature
from eventsvc.audit.models import AuditEvent
from eventsvc.extensions import db

from .factories import (
    ORGANISER_PASSWORD,
    csrf_token,
    event_form,
    happening_today,
    login,
    move_to_the_past,
    participant,
    pdf_text,
    post,
)

STROKES = [[[0.1, 0.5, 0], [0.2, 0.4, 16], [0.3, 0.6, 32]], [[0.5, 0.5, 300], [0.7, 0.3, 320]]]


# --- pure: strokes -------------------------------------------------------------------------------


def test_strokes_are_checked_and_rounded():
    cleaned = rules_proof.clean_strokes([[[0.123456, 0.5, 1.7], [1, 0, 2]], [], [[0, 1, 3]] * 3])
    assert cleaned == [[[0.1235, 0.5, 1], [1.0, 0.0, 2]], [[0.0, 1.0, 3]] * 3]


@pytest.mark.parametrize(
    "raw",
    [
        "not a list",
        {"x": 1},
        [[[0.1, 0.2]]],  # two numbers
        [[[0.1, "0.2", 3]] * 5],  # text
        [[[0.1, True, 3]] * 5],  # a boolean is not a number
        [[[1.5, 0.2, 3]] * 5],  # off the pad
        [[[0.1, 0.2, -1]] * 5],
        [[[0.1, 0.2, 3]] * 2],  # too few points
        [],
        [[[0.1, 0.2, 3]]] * (rules_proof.MAX_STROKES + 1),
        [[[0.1, 0.2, 3]] * (rules_proof.MAX_POINTS + 1)],
    ],
)
def test_what_is_not_a_signature_is_refused(raw):
    with pytest.raises(rules_proof.StrokesError):
        rules_proof.clean_strokes(raw)


def test_svg_points_in_the_pads_view_box():
    assert rules_proof.svg_points([[[0, 0, 0], [1, 1, 5]]]) == ["0.0,0.0 300.0,100.0"]


# --- pure: the proof chain -----------------------------------------------------------------------


def entry(number: int) -> dict:
    fields = {
        "id": number,
        "part_id": 7,
        "registration_id": 100 + number,
        "strokes": STROKES,
        "received_at": f"2026-12-05T09:0{number}:00+00:00",
    }
    return {**fields, "hash": rules_proof.entry_hash(fields)}


def a_proof() -> dict:
    return rules_proof.build({"part": {"id": 7}}, [entry(1), entry(2), entry(3)])


def test_a_proof_verifies_and_its_chain_follows():
    proof = a_proof()
    assert rules_proof.verify(proof) == []
    first, second = proof["entries"][:2]
    assert first["chain"] == rules_proof.sha256(first["hash"])
    assert second["chain"] == rules_proof.sha256(first["chain"] + second["hash"])
    assert proof["head"] == proof["entries"][-1]["chain"]
    assert rules_proof.digest(proof) == rules_proof.digest(copy.deepcopy(proof))


def test_a_changed_entry_shows():
    proof = a_proof()
    proof["entries"][1]["strokes"] = [[[0.9, 0.9, 0]] * 5]
    assert rules_proof.verify(proof) == ["entry 2: fields do not match its hash"]
    # Its hash recomputed too: then the chain breaks.
    proof["entries"][1]["hash"] = rules_proof.entry_hash(proof["entries"][1])
    assert "entry 2: chain broken" in rules_proof.verify(proof)


def test_a_removed_entry_shows():
    proof = a_proof()
    del proof["entries"][1]
    assert rules_proof.verify(proof) == ["entry 2: chain broken"]
    last_removed = a_proof()
    del last_removed["entries"][-1]
    assert rules_proof.verify(last_removed) == ["head is not the last entry's chain"]


# --- the desk ------------------------------------------------------------------------------------


@pytest.fixture
def signing_desk(organiser_client):
    """Check-in open today, signatures of participants and trainers asked; Anne DURAND and
    Louise LE BRAS registered for the whole day."""
    event = happening_today(organiser_client.event)
    event.signature_mode = "participants_and_trainers"
    event.organiser_name = "Claire Martin"
    db.session.commit()
    anne = participant(event, 1, last="Durand", first="Anne")
    louise = participant(event, 2, last="Le Bras", first="Louise")
    return organiser_client, event, event.parts[0], anne, louise


def post_json(client, url, payload, token):
    return client.post(
        url,
        data=json.dumps(payload),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )


def sign(client, event, part, person, strokes=STROKES):
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin?part={part.id}")
    payload = {
        "part_id": part.id,
        "registration_id": person.id,
        "strokes": strokes,
        "duration_ms": 2100,
    }
    return post_json(client, f"/dashboard/events/{event.id}/sign.json", payload, token)


def count(model, *where) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(model.id)).where(*where))


def test_the_page_offers_the_pad_only_when_signatures_are_asked(signing_desk):
    client, event, part, _anne, _louise = signing_desk
    page = client.get(f"/dashboard/events/{event.id}/checkin?part={part.id}").get_data(True)
    assert "signature.js" in page and 'id="sign-pad"' in page and "Effacer" in page
    assert "Contre-signature de la partie" in page and "proof.json" in page
    event.signature_mode = "none"
    db.session.commit()
    page = client.get(f"/dashboard/events/{event.id}/checkin?part={part.id}").get_data(True)
    assert "signature.js" not in page and "sign-pad" not in page


def test_check_in_and_signature_are_recorded_together(signing_desk):
    client, event, part, anne, _louise = signing_desk
    answer = sign(client, event, part, anne)
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    assert data["ok"] and data["present"] and data["counts"]["present"] == 1
    db.session.rollback()
    signature = db.session.get(Signature, data["signature_id"])
    assert signature.registration_id == anne.id and signature.strokes == STROKES
    assert signature.duration_ms == 2100 and signature.captured_by == "organiser_device"
    assert signature.recorded_by == client.user.email
    assert signature.sha256 == rules_proof.entry_hash(signing.fields_of(signature))
    assert count(CheckIn, CheckIn.registration_id == anne.id, CheckIn.part_id == part.id) == 1
    lines = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "attendance.signed")
    ).all()
    assert len(lines) == 1 and lines[0].details["sha256"] == signature.sha256
    page = client.get(f"/dashboard/events/{event.id}/checkin?part={part.id}").get_data(True)
    assert "a signé à" in page


@pytest.mark.parametrize(
    ("strokes", "message"),
    [
        ("[[0.1", "liste de tracés"),
        ([[[0.1, 0.2, 3]] * (rules_proof.MAX_POINTS + 1)], "trop de points"),
        ([[[0.1, 0.2, 3]]], "vide ou trop courte"),
        ([[["x", 0.2, 3]] * 6], "n'est pas valide"),
    ],
)
def test_bad_strokes_are_refused_with_a_message_and_nothing_recorded(
    signing_desk, strokes, message
):
    client, event, part, anne, _louise = signing_desk
    answer = sign(client, event, part, anne, strokes)
    assert answer.status_code == 400
    assert message in answer.get_json()["error"]
    assert count(Signature) == 0 and count(CheckIn) == 0


def test_unreadable_json_is_a_400(signing_desk):
    client, event, _part, _anne, _louise = signing_desk
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin")
    answer = client.post(
        f"/dashboard/events/{event.id}/sign.json",
        data="{not json",
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 400 and "illisibles" in answer.get_json()["error"]


def test_no_signature_when_the_event_asks_none(signing_desk):
    client, event, part, anne, _louise = signing_desk
    event.signature_mode = "none"
    db.session.commit()
    assert sign(client, event, part, anne).status_code == 409
    assert count(Signature) == 0


def test_signing_again_supersedes_and_keeps_both(signing_desk):
    client, event, part, anne, _louise = signing_desk
    first = sign(client, event, part, anne).get_json()["signature_id"]
    second = sign(client, event, part, anne, [[[0.2, 0.2, 0]] * 6]).get_json()["signature_id"]
    db.session.rollback()
    earlier, later = db.session.get(Signature, first), db.session.get(Signature, second)
    assert earlier.superseded_by_id == later.id and later.supersedes_id == earlier.id
    assert earlier.strokes == STROKES  # never overwritten
    assert count(CheckIn) == 1
    actions = db.session.scalars(
        select(AuditEvent.details).where(AuditEvent.action == "attendance.signed")
    ).all()
    assert [line["supersedes"] for line in actions] == [None, first]
    proof = client.get(f"/dashboard/events/{event.id}/parts/{part.id}/proof.json").get_json()
    assert [e["id"] for e in proof["entries"]] == [first, second]
    assert proof["entries"][0]["superseded_by"] == second
    assert rules_proof.verify(proof) == []


def test_countersignature_and_the_proof_file(signing_desk):
    client, event, part, anne, louise = signing_desk
    sign(client, event, part, anne)
    sign(client, event, part, louise)
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin?part={part.id}")
    url = f"/dashboard/events/{event.id}/countersign.json"
    nameless = {"part_id": part.id, "name": " ", "strokes": STROKES}
    assert post_json(client, url, nameless, token).status_code == 422
    payload = {
        "part_id": part.id,
        "name": "Paul Formateur",
        "role": "Formateur",
        "strokes": STROKES,
    }
    answer = post_json(client, url, payload, token)
    assert answer.status_code == 200, answer.get_json()
    response = client.get(f"/dashboard/events/{event.id}/parts/{part.id}/proof.json")
    assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
    proof = response.get_json()
    assert rules_proof.verify(proof) == []
    kinds = [(e["kind"], e["signer"]) for e in proof["entries"]]
    assert kinds[-1] == ("countersignature", "Paul Formateur")
    assert [k for k, _ in kinds] == ["participant", "participant", "countersignature"]
    page = client.get(f"/dashboard/events/{event.id}/checkin?part={part.id}").get_data(True)
    assert "Contre-signée par Paul Formateur" in page
    overview = client.get(f"/dashboard/events/{event.id}/attendance").get_data(True)
    assert f"/parts/{part.id}/proof.json" in overview


def test_another_organiser_gets_404(app, signing_desk, make_event, make_organiser):
    _client, event, part, anne, _louise = signing_desk
    make_organiser("bob@example.org", events=[make_event(slug="bob")])
    bob = app.test_client()
    login(bob, "bob@example.org", ORGANISER_PASSWORD)
    token = csrf_token(bob, "/dashboard/")
    payload = {"part_id": part.id, "registration_id": anne.id, "strokes": STROKES}
    assert (
        post_json(bob, f"/dashboard/events/{event.id}/sign.json", payload, token).status_code == 404
    )
    payload = {"part_id": part.id, "name": "X", "strokes": STROKES}
    countersign = post_json(bob, f"/dashboard/events/{event.id}/countersign.json", payload, token)
    assert countersign.status_code == 404
    assert bob.get(f"/dashboard/events/{event.id}/parts/{part.id}/proof.json").status_code == 404
    assert count(Signature) == 0 and count(CheckIn) == 0


# --- paper ---------------------------------------------------------------------------------------


def test_the_sheet_after_the_part_draws_the_signatures_and_prints_the_proof_hash(signing_desk):
    client, event, part, anne, louise = signing_desk
    sign(client, event, part, anne)
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin?part={part.id}")
    payload = {
        "part_id": part.id,
        "name": "Paul Formateur",
        "role": "Formateur",
        "strokes": STROKES,
    }
    post_json(client, f"/dashboard/events/{event.id}/countersign.json", payload, token)
    # Before the part has ended (moved to tomorrow): the sheet as today, blank.
    move_to_the_past(event, days=-1)
    before = client.get(f"/dashboard/events/{event.id}/parts/{part.id}/sheet").get_data(True)
    assert "<polyline" not in before and "empreinte SHA-256" not in before
    move_to_the_past(event, days=2)
    html = client.get(f"/dashboard/events/{event.id}/parts/{part.id}/sheet").get_data(True)
    assert html.count("<polyline") == 2 * len(STROKES)  # Anne's and the countersignature
    assert "Contre-signé par Paul Formateur" in html
    proof = client.get(f"/dashboard/events/{event.id}/parts/{part.id}/proof.json").get_json()
    digest = rules_proof.digest(proof)
    assert digest in html
    response = client.get(f"/dashboard/events/{event.id}/parts/{part.id}/sheet.pdf")
    assert response.status_code == 200
    _pages, texts = pdf_text(response.data)
    assert digest in "".join(texts).replace("\n", "").replace(" ", "")
    content = PdfReader(io.BytesIO(response.data)).pages[0].get_contents().get_data()
    assert content.count(b" l") + content.count(b"\nl") > 4  # line segments drawn: vectors
    assert louise  # not signed: no drawing on her row
    assert "Signature de Louise" not in html


def test_the_certificate_states_the_signed_parts(app, signing_desk):
    client, event, part, anne, louise = signing_desk
    sign(client, event, part, anne)
    # Louise is checked in without a signature (a tap): no signed part, no certificate.
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin?part={part.id}")
    tap = {"part_id": part.id, "registration_id": louise.id, "present": True}
    assert (
        post_json(client, f"/dashboard/events/{event.id}/checkin.json", tap, token).status_code
        == 200
    )
    move_to_the_past(event, days=1)
    db.session.rollback()
    with app.test_request_context():
        anne_certificate = documents.certificate(anne)
        assert anne_certificate.signed
        assert [p.label for p in anne_certificate.periods] == [part.label]
        assert documents.certificate(louise) is None
    response = client.get(f"/dashboard/events/{event.id}/certificates.pdf")
    assert response.status_code == 200
    _pages, texts = pdf_text(response.data)
    assert len(texts) == 1 and "Certificat de réalisation" in texts[0]


def test_the_setting_on_the_event_form(organiser_client):
    client, event = organiser_client, organiser_client.event
    page = client.get(f"/dashboard/events/{event.id}/edit").get_data(True)
    assert "Émargement à l'accueil" in page and 'value="participants_and_trainers"' in page
    answer = post(
        client,
        f"/dashboard/events/{event.id}/edit",
        event_form(event, signature_mode="participants"),
    )
    assert answer.status_code in (302, 303)
    db.session.rollback()
    assert event.signature_mode == "participants"
    line = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "event.updated")
        .order_by(AuditEvent.id.desc())
    ).first()
    assert "signature_mode" in line.details["changes"]


def test_deeply_nested_json_is_a_400_not_a_500(signing_desk):
    client, event, _part, _anne, _louise = signing_desk
    token = csrf_token(client, f"/dashboard/events/{event.id}/checkin")
    answer = client.post(
        f"/dashboard/events/{event.id}/sign.json",
        data="[" * 100_000,
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert answer.status_code == 400


def test_an_unknown_setting_is_refused_next_to_the_field(organiser_client):
    client, event = organiser_client, organiser_client.event
    form = event_form(event, signature_mode="everyone")
    answer = post(client, f"/dashboard/events/{event.id}/edit", form)
    assert answer.status_code == 200
    db.session.rollback()
    assert event.signature_mode == "none"


def test_the_journal_says_signatures_in_sentences(app):
    from flask_babel import force_locale, gettext

    from eventsvc.audit import service as audit
    from eventsvc.audit.sentences import Line, sentence

    details = {"part": "Matin", "signature": 3, "sha256": "ab" * 32, "supersedes": None}
    first = Line("attendance.signed", details, "claire@example.org", "Anne Durand")
    assert sentence(first, "fr", audit.ACTION_LABELS).render() == (
        "Anne Durand a signé et est pointé·e présent·e pour « Matin » (signature n° 3, "
        "empreinte abababababababab…), par claire@example.org"
    )
    again = Line("attendance.signed", {**details, "signature": 4, "supersedes": 3}, "", "Anne")
    assert "a signé à nouveau" in sentence(again, "fr", audit.ACTION_LABELS).render()
    counter = Line(
        "attendance.countersigned",
        {"part": "Matin", "name": "Paul", "signature": 5, "sha256": "cd" * 32},
    )
    with app.test_request_context(), force_locale("en"):
        english = sentence(counter, "en", audit.ACTION_LABELS).render(gettext, "en")
    assert english.startswith("Part “Matin” countersigned by Paul (signature no. 5")


def test_the_command_line_verifies_a_proof_file(app, signing_desk, tmp_path):
    client, event, part, anne, louise = signing_desk
    sign(client, event, part, anne)
    sign(client, event, part, louise)
    proof = client.get(f"/dashboard/events/{event.id}/parts/{part.id}/proof.json").get_json()
    good = tmp_path / "proof.json"
    good.write_text(json.dumps(proof), encoding="utf-8")
    runner = app.test_cli_runner()
    result = runner.invoke(args=["attendance", "verify-proof", str(good)])
    assert result.exit_code == 0, result.output
    assert rules_proof.digest(proof) in result.output and "OK: 2 signature(s)" in result.output
    del proof["entries"][0]
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(proof), encoding="utf-8")
    result = runner.invoke(args=["attendance", "verify-proof", str(bad)])
    assert result.exit_code == 1 and "entry 1: chain broken" in result.output
