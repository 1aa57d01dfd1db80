"""Bodies (issue 18): pouvoirs on the reply slip, their lapse when the holder excuses themselves,
the organiser's pages (settings, members, paper pouvoirs, late convocation, quorum at check-in)
and the presence block of the minutes as HTML, text and Word."""

from __future__ import annotations

import io
from datetime import timedelta

from docx import Document
from sqlalchemy import select

from eventsvc.attendance import service as attendance
from eventsvc.audit.models import AuditEvent
from eventsvc.extensions import db
from eventsvc.invitations import bodies
from eventsvc.invitations.models import Invitation
from eventsvc.invitations.models_bodies import BodyMember, Pouvoir
from eventsvc.mail.models import OutboxMessage

from .factories import (
    ORGANISER_PASSWORD,
    body_with_members,
    error_for,
    happening_today,
    login,
    meeting_invited,
    new_event,
    new_organiser,
    post_form,
    starting_in,
)


def organiser(app, event, email="alice@example.org"):
    user = new_organiser(email, events=[event] if event else [])
    client = app.test_client()
    login(client, email, ORGANISER_PASSWORD)
    client.user = user
    return client


def a_meeting(app, n=5, **settings):
    event = new_event(title="Réunion du bureau")
    client = organiser(app, event)
    bureau, members = body_with_members(client.user, n, **settings)
    meeting, sent = meeting_invited(event, client.user, bureau, members)
    return event, client, bureau, meeting, sent


def yes(client, invitation):
    response = client.post(
        invitation.path + "/participer",
        data={"csrf_token": _token(client, invitation.path), "full_day": "yes"},
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]


def excuse(client, invitation):
    response = client.post(
        invitation.path + "/excuse",
        data={"csrf_token": _token(client, invitation.path), "message": ""},
    )
    assert response.status_code == 303


def _token(client, path):
    from .factories import csrf_token

    return csrf_token(client, path)


def give(client, invitation, holder_id):
    return client.post(
        invitation.path + "/pouvoir",
        data={"csrf_token": _token(client, invitation.path), "holder": str(holder_id)},
    )


def actions():
    return [a.action for a in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def test_an_excused_member_gives_a_pouvoir_from_a_list_and_the_rules_hold(app):
    _event, _, _bureau, _meeting, sent = a_meeting(app)
    one, two, three, four, _five = sent
    member = app.test_client()
    page = member.get(one.path).get_data(as_text=True)
    assert "Donner pouvoir à un autre membre" in page
    assert 'name="holder"' not in page  # not excused yet: no choice offered
    excuse(member, one)
    page = member.get(one.path).get_data(as_text=True)
    assert '<select id="holder" name="holder"' in page
    assert "Mme Prénom1 Membre01" not in page.split('name="holder"')[1].split("</select>")[0]
    # Oneself, or anyone not a member (a crafted id): refused next to the field, in French.
    response = give(member, one, one.contact_id)
    assert response.status_code == 200
    assert error_for(response.get_data(as_text=True), "holder") == (
        "Choisissez un membre dans la liste."
    )
    assert give(member, one, 999999).status_code == 200
    assert db.session.scalar(select(Pouvoir)) is None
    assert give(member, one, two.contact_id).status_code == 303
    db.session.expire_all()
    assert bodies.pouvoir_of(one).holder_contact_id == two.contact_id
    assert "Vous avez donné pouvoir à Mme Prénom2 Membre02" in member.get(one.path).get_data(
        as_text=True
    )
    # Member 3, excused: member 2 is full (one pouvoir each), member 1 gave theirs.
    excuse(member, three)
    select_html = member.get(three.path).get_data(as_text=True).split('name="holder"')[1]
    options = select_html.split("</select>")[0]
    assert "Membre02" not in options and "Membre01" not in options and "Membre04" in options
    response = give(member, three, two.contact_id)
    assert response.status_code == 200
    assert "Choisissez un membre dans la liste." in response.get_data(as_text=True)
    # The rules behind the list, server side, whatever the form offers.
    from eventsvc.invitations import pouvoirs

    meeting = bodies.meeting_of(one.event)
    for holder, message in ((two, "détient déjà"), (one, "a lui-même donné")):
        try:
            pouvoirs.give(meeting, db.session.get(Invitation, three.id), holder.contact)
        except pouvoirs.PouvoirRefused as refused:
            assert message in str(refused.message)
        else:
            raise AssertionError("accepted")
    db.session.rollback()
    # A member who has not excused themselves cannot give one.
    response = give(member, four, two.contact_id)
    assert response.status_code == 200
    # Revocable until the meeting starts.
    response = member.post(
        one.path + "/pouvoir/revoquer", data={"csrf_token": _token(member, one.path)}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert bodies.pouvoir_of(one) is None
    assert actions().count("pouvoir.given") == 1 and "pouvoir.revoked" in actions()


def test_no_pouvoir_once_the_meeting_started(app):
    event, _, _, _, sent = a_meeting(app)
    one, two = sent[:2]
    member = app.test_client()
    excuse(member, one)
    starting_in(event, -1)
    page = member.get(one.path).get_data(as_text=True)
    assert "La réunion a commencé" in page
    response = give(member, one, two.contact_id)
    assert response.status_code == 200
    assert "La réunion a commencé" in response.get_data(as_text=True)
    assert db.session.scalar(select(Pouvoir)) is None


def test_a_holder_who_excuses_themselves_loses_it_and_the_giver_is_told(app):
    _event, _, _, _, sent = a_meeting(app)
    one, two = sent[:2]
    member = app.test_client()
    excuse(member, one)
    assert give(member, one, two.contact_id).status_code == 303
    yes(member, two)
    excuse(member, two)
    db.session.expire_all()
    pouvoir = db.session.scalar(select(Pouvoir))
    assert pouvoir.lapsed_at is not None and bodies.pouvoir_of(one) is None
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.key == f"pouvoir_lapsed:{pouvoir.id}")
    )
    assert mail is not None and mail.recipient == "membre1@example.org"
    assert "Votre pouvoir est à redonner" in mail.subject
    assert "pouvoir.lapsed" in actions()
    # Member 1 may now choose member 3; member 2 is no longer offered.
    options = member.get(one.path).get_data(as_text=True).split('name="holder"')[1]
    assert "Membre02" not in options.split("</select>")[0]
    assert give(member, one, sent[2].contact_id).status_code == 303


def test_representation_stays_distinct(app):
    _event, _, _, _, sent = a_meeting(app)
    page = app.test_client().get(sent[0].path).get_data(as_text=True)
    assert "Je me ferai représenter par…" in page and "Donner pouvoir" in page


def test_body_settings_members_and_scoping(app):
    client = organiser(app, None)
    bureau, members = body_with_members(client.user, 3)
    url = f"/dashboard/contacts/lists/{bureau.id}/body"
    response = post_form(
        client,
        url,
        {
            "is_body": "y",
            "quorum_kind": "fixed",
            "quorum_number": "",
            "max_pouvoirs": "2",
            "notice_days": "5",
        },
    )
    assert response.status_code == 200
    assert error_for(response.get_data(as_text=True), "quorum_number") == (
        "Indiquez le nombre de membres du quorum."
    )
    response = post_form(
        client,
        url,
        {
            "is_body": "y",
            "quorum_kind": "fixed",
            "quorum_number": "2",
            "pouvoirs_count": "y",
            "max_pouvoirs": "2",
            "notice_days": "5",
        },
    )
    assert response.status_code == 303
    body = bodies.body_of(bureau)
    assert (body.quorum_number, body.pouvoirs_count, body.max_pouvoirs, body.notice_days) == (
        2,
        True,
        2,
        5,
    )
    member_url = f"/dashboard/contacts/lists/{bureau.id}/members/{members[0].id}"
    response = post_form(
        client,
        member_url,
        {"function": "Président", "office_start": "2026-01-01", "office_end": "2025-01-01"},
    )
    assert response.status_code == 200, response.status_code
    assert error_for(response.get_data(as_text=True), "office_end") == (
        "La fin du mandat vient après son début."
    )
    response = post_form(client, member_url, {"function": "Président <b>", "in_office": ""})
    assert response.status_code == 303
    row = db.session.get(BodyMember, (bureau.id, members[0].id))
    assert row.function == "Président <b>" and row.in_office is False
    page = client.get(url).get_data(as_text=True)
    assert "Président &lt;b&gt;" in page and "pas en exercice" in page
    # Another organiser: 404 on every page of this list.
    other = organiser(app, None, email="bob@example.org")
    assert other.get(url).status_code == 404
    assert other.get(member_url).status_code == 404


def test_quorum_paper_pouvoirs_and_the_presence_block(app):
    event, client, bureau, meeting, sent = a_meeting(app, n=5)
    one, two, three, four, five = sent
    member = app.test_client()
    for invitation in (two, three, four):
        yes(member, invitation)
    excuse(member, one)
    # Member 5 sends a representative (« représenté par »), distinct from a pouvoir.
    response = member.post(
        five.path + "/representation",
        data={
            "csrf_token": _token(member, five.path),
            "rep_first_name": "Jean",
            "rep_last_name": "Adjoint",
            "rep_email": "jean.adjoint@example.org",
        },
    )
    assert response.status_code == 303
    # The organiser records member 1's paper pouvoir to member 2.
    url = f"/dashboard/events/{event.id}/meeting"
    page = client.get(url).get_data(as_text=True)
    assert "3 présents sur 5 en exercice" in page and "quorum atteint" in page
    response = client.post(
        url + "/pouvoirs",
        data={
            "csrf_token": _token(client, url),
            "giver": str(one.id),
            "holder": str(one.contact_id),
        },
    )
    assert response.status_code == 200
    assert "vous donner pouvoir à vous-même" in response.get_data(as_text=True)
    response = client.post(
        url + "/pouvoirs",
        data={
            "csrf_token": _token(client, url),
            "giver": str(one.id),
            "holder": str(two.contact_id),
        },
    )
    assert response.status_code == 303
    pouvoir = db.session.scalar(select(Pouvoir))
    assert pouvoir.source == "paper"
    # Check-in: members 2 and 3 come; the desk shows the quorum live.
    happening_today(event)
    for invitation in (two, three):
        attendance.check_in(db.session.get(Invitation, invitation.id).registration, event.parts[0])
    db.session.commit()
    desk = client.get(f"/dashboard/events/{event.id}/checkin").get_data(as_text=True)
    assert 'id="panel-quorum"' in desk
    assert "2 présents sur 5 en exercice" in desk and "quorum non atteint (3 requis)" in desk
    # A tap on the desk (JSON) brings the quorum back with the counts: member 4 arrives.
    url_json = f"/dashboard/events/{event.id}/checkin.json"
    registration = db.session.get(Invitation, four.id).registration
    tap = {"part_id": event.parts[0].id, "registration_id": registration.id, "present": True}
    token = _token(client, f"/dashboard/events/{event.id}/checkin")
    answer = client.post(url_json, json=tap, headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert "3 présents sur 5 en exercice" in answer.json["counts"]["panels"]["quorum"]
    assert "quorum atteint" in answer.json["counts"]["panels"]["quorum"]
    attendance.undo_check_in(registration, event.parts[0])
    db.session.commit()
    # The presence block.
    text = client.get(f"/dashboard/events/{event.id}/minutes.txt").get_data(as_text=True)
    assert "Présents : Mme Prénom2 Membre02 (Maire) ; Mme Prénom3 Membre03 (Maire)" in text
    assert (
        "Excusés ayant donné pouvoir : Mme Prénom1 Membre01 (pouvoir à Mme Prénom2 Membre02)"
        in text
    )
    assert "Excusés : —" in text
    assert "Représentés : Mme Prénom5 Membre05 (Maire), représenté·e par Jean Adjoint" in text
    assert "Absents : Mme Prénom4 Membre04 (Maire)" in text
    assert "Le quorum (3) n'est pas atteint : 2 membres présents sur 5 en exercice." in text
    assert "3 voix disponibles (présents et pouvoirs)." in text
    html = client.get(f"/dashboard/events/{event.id}/minutes").get_data(as_text=True)
    assert "Excusés ayant donné pouvoir" in html
    docx = client.get(f"/dashboard/events/{event.id}/presence.docx")
    assert docx.status_code == 200
    document = Document(io.BytesIO(docx.data))
    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "Réunion du bureau"
    assert (
        "Excusés ayant donné pouvoir : Mme Prénom1 Membre01 (pouvoir à Mme Prénom2 Membre02)"
        in paragraphs
    )
    assert "Le quorum (3) n'est pas atteint : 2 membres présents sur 5 en exercice." in paragraphs
    # With the pouvoirs counted (the statutes say so): 2 + 1 = 3, reached.
    bodies.body_of(bureau).pouvoirs_count = True
    db.session.commit()
    text = client.get(f"/dashboard/events/{event.id}/minutes.txt").get_data(as_text=True)
    assert (
        "Le quorum (3) est atteint avec 2 membres présents et 1 pouvoir sur 5 en exercice." in text
    )
    # Another organiser: 404 on the meeting's pages.
    other = organiser(app, None, email="bob@example.org")
    for path in ("/meeting", "/minutes", "/minutes.txt", "/presence.docx"):
        assert other.get(f"/dashboard/events/{event.id}{path}").status_code == 404


def test_organiser_revokes_a_pouvoir_before_the_meeting(app):
    event, client, _bureau, _meeting, sent = a_meeting(app)
    one, two = sent[:2]
    member = app.test_client()
    excuse(member, one)
    assert give(member, one, two.contact_id).status_code == 303
    url = f"/dashboard/events/{event.id}/meeting"
    assert "Mme Prénom2 Membre02" in client.get(url).get_data(as_text=True)
    response = client.post(
        url + "/pouvoirs/revoke", data={"csrf_token": _token(client, url), "giver": str(one.id)}
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert bodies.pouvoir_of(one) is None


def test_a_late_convocation_asks_for_confirmation_before_anything_is_sent(app):
    event = new_event(title="Conseil")
    starting_in(event, 48)  # the meeting in two days; five clear days needed
    client = organiser(app, event)
    bureau, _members = body_with_members(client.user, 2, notice_days=5)
    bodies.set_meeting(event, bodies.body_of(bureau), actor=client.user)
    db.session.commit()
    url = f"/dashboard/events/{event.id}/invitations/invite"
    data = {"lists": [str(bureau.id)], "confirmed": "1"}
    response = post_form(client, url, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "La convocation devait partir au plus tard le" in html
    due = bodies.notice_due(bodies.meeting_of(event))
    assert due == event.days[0] - timedelta(days=6)
    assert db.session.scalar(select(Invitation)) is None
    response = post_form(client, url, {**data, "late_ok": "1"})
    assert response.status_code == 303
    assert len(db.session.scalars(select(Invitation)).all()) == 2
    assert "meeting.late_notice_confirmed" in actions()


def test_a_meeting_page_sets_the_body(app):
    event = new_event()
    client = organiser(app, event)
    bureau, _ = body_with_members(client.user, 2)
    url = f"/dashboard/events/{event.id}/meeting"
    assert post_form(client, url, {"body": str(bureau.id)}).status_code == 303
    assert bodies.meeting_of(event).list_id == bureau.id
    # Somebody else's list cannot be chosen.
    other = new_organiser("bob@example.org")
    theirs = body_with_members(other, 1, name="Autre")[0]
    response = post_form(client, url, {"body": str(theirs.id)})
    assert response.status_code == 200
    assert error_for(response.get_data(as_text=True), "body") == (
        "Choisissez une instance dans la liste."
    )


def test_the_demo_has_a_bureau_of_five_mayors(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0  # once only
    [body] = db.session.scalars(select(bodies.Body)).all()
    assert body.notice_days == 5 and len(bodies.in_office(body)) == 5


def test_the_command_line_refuses_a_late_convocation_without_late(app):
    event = new_event(slug="conseil", title="Conseil")
    starting_in(event, 48)
    owner = new_organiser("alice@example.org", events=[event])
    bureau, _members = body_with_members(owner, 2, notice_days=3)
    bodies.set_meeting(event, bodies.body_of(bureau), actor=owner)
    db.session.commit()
    runner = app.test_cli_runner()
    refused = runner.invoke(args=["invitations", "send", "conseil", "Bureau", "--yes"])
    assert "La convocation devait partir au plus tard le" in refused.output
    assert db.session.scalar(select(Invitation)) is None
    sent = runner.invoke(args=["invitations", "send", "conseil", "Bureau", "--yes", "--late"])
    assert sent.exit_code == 0, sent.output
    assert len(db.session.scalars(select(Invitation)).all()) == 2
    assert "meeting.late_notice_confirmed" in actions()


def test_before_any_check_in_the_block_is_a_forecast_of_who_has_not_answered(app):
    """Before the meeting nobody is « absent » yet: members who have not replied are listed as
    « Sans réponse »; once someone is checked in, those not there are « Absents »."""
    event, client, _bureau, _meeting, sent = a_meeting(app, n=3)
    yes(app.test_client(), sent[0])
    text = client.get(f"/dashboard/events/{event.id}/minutes.txt").get_data(as_text=True)
    assert "Sans réponse : Mme Prénom2 Membre02" in text and "Absents" not in text
    html = client.get(f"/dashboard/events/{event.id}/minutes").get_data(as_text=True)
    assert "prévision d&#39;après les réponses" in html or "prévision d'après les réponses" in html
    registration = db.session.get(Invitation, sent[0].id).registration
    attendance.check_in(registration, event.parts[0])
    db.session.commit()
    text = client.get(f"/dashboard/events/{event.id}/minutes.txt").get_data(as_text=True)
    assert "Absents : Mme Prénom2 Membre02" in text and "Sans réponse" not in text
