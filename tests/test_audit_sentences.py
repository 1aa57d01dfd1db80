"""The event's journal as sentences (issue 15): the renderer by function calls, in French and
English, every action the code records, and the page."""

from __future__ import annotations

import re
from pathlib import Path

from flask_babel import force_locale, gettext
from sqlalchemy import select

from eventsvc.audit import service as audit
from eventsvc.audit.models import AuditEvent
from eventsvc.audit.sentences import SENTENCES, Line, sentence
from eventsvc.extensions import db
from eventsvc.registrations import operations

from .factories import command

SOURCE = Path(__file__).parent.parent / "eventsvc"
ACTION = r'"((?:[a-z_]+)\.(?:[a-z_]+))"'


def recorded_actions() -> set[str]:
    """Every action name the code hands to the audit log."""
    found = set(audit.ACTION_LABELS)
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r"(?:record|_audit)\(\s*(?:batch,\s*)?" + ACTION, text))
        found.update(re.findall(r"(?:record|_record)\(\s*" + ACTION + r"\s+if", text))
        for pair in re.findall(ACTION + r" if \w+ else " + ACTION, text):
            found.update(pair)
    return found


def french(line: Line) -> str:
    return sentence(line, "fr", audit.ACTION_LABELS).render()


def english(app, line: Line) -> str:
    with app.test_request_context(), force_locale("en"):
        return sentence(line, "en", audit.ACTION_LABELS).render(gettext, "en")


def test_every_recorded_action_has_its_sentence():
    actions = recorded_actions()
    assert {"attendance.checked_in", "contact.unsubscribed", "batch.paid"} <= actions
    assert sorted(actions - set(SENTENCES)) == []


def test_a_check_in_names_the_person_the_part_and_who_did_it(app):
    line = Line(
        "attendance.checked_in",
        {"part": "Matin"},
        "claire.martin@example.org",
        "Léa Bernard",
    )
    assert (
        french(line)
        == "Léa Bernard pointé·e présent·e pour « Matin », par claire.martin@example.org"
    )
    assert english(app, line) == "Léa Bernard checked in for “Matin”, by claire.martin@example.org"


def test_changes_read_with_field_labels_and_humanised_values(app):
    line = Line(
        "registration.updated",
        {
            "changes": {
                "full_day": [True, False],
                "parts": [["Matin", "Après-midi"], ["Après-midi"]],
                "arrival_time": [None, "14:30:00"],
                "status": ["waitlisted", "confirmed"],
            }
        },
        "claire.martin@example.org",
        "Léa Bernard",
    )
    assert french(line) == (
        "Inscription de Léa Bernard modifiée : toute la journée : oui → non ; parties : Matin, "
        "Après-midi → Après-midi ; heure d'arrivée : (vide) → 14:30 ; statut : sur liste "
        "d'attente → confirmée, par claire.martin@example.org"
    )
    assert english(app, line) == (
        "Léa Bernard's registration changed: whole day: yes → no; parts: Matin, Après-midi → "
        "Après-midi; arrival time: (empty) → 14:30; status: on the waiting list → confirmed, by "
        "claire.martin@example.org"
    )


def test_dates_are_in_the_readers_language(app):
    line = Line(
        "event.duplicated",
        {"copy": "atelier-2032", "first_day": "2032-03-01"},
        audit.COMMAND_LINE,
    )
    assert french(line) == (
        "Événement dupliqué : la copie « atelier-2032 » commence le 1er mars 2032, en ligne de "
        "commande"
    )
    assert english(app, line) == (
        "Event duplicated: the copy “atelier-2032” starts on March 1, 2032, from the command line"
    )
    moment = Line(
        "event.updated",
        {"changes": {"registration_closes_at": [None, "2031-06-10T18:00:00+02:00"]}},
        "alice@example.org",
    )
    assert "clôture des inscriptions : (vide) → 10 juin 2031, 18:00" in french(moment)
    assert "registrations close: (empty) → June 10, 2031, 18:00" in english(app, moment)


def test_the_participants_own_doing_and_money(app):
    signed_up = Line("registration.signed_up", {"status": "waitlisted"}, audit.PARTICIPANT, "Léa B")
    assert french(signed_up) == (
        "Léa B s'est inscrit·e par le formulaire public (sur liste d'attente)"
    )
    cancelled = Line("registration.cancelled", {"from": "confirmed"}, audit.PARTICIPANT, "Léa B")
    assert french(cancelled) == (
        "Inscription de Léa B annulée (elle était confirmée), par la personne elle-même"
    )
    validated = Line("claim.validated", {"claim": 3, "total": "49.27"}, "a@example.org", "Léa B")
    assert french(validated) == "Indemnité de Léa B validée : 49,27\u00a0€, par a@example.org"
    assert english(app, validated) == "Léa B's claim validated: 49.27\u00a0€, by a@example.org"


def test_an_unknown_action_still_reads(app):
    line = Line("registration.bulk_resent", {"count": 3, "first_day": "2031-06-12"}, "a@x.org")
    assert french(line) == (
        "registration.bulk_resent (count : 3 ; premier jour : 12 juin 2031), par a@x.org"
    )
    known = Line("event.cancelled_twice", {}, "a@x.org")
    assert french(known) == "event.cancelled_twice, par a@x.org"


def test_a_line_about_someone_without_a_name():
    line = Line("registration.confirmed_from_waitlist", {}, "a@x.org")
    assert french(line) == "une personne confirmé·e depuis la liste d'attente, par a@x.org"


def test_the_journal_page_reads_as_sentences_and_escapes_what_people_typed(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    signup = operations.register(
        event,
        command(1, first_name="<b>Léa</b>", last_name="Bernard", email="lea@example.org"),
        locale="fr",
    )
    part = event.parts[0]
    audit.record(
        "attendance.checked_in",
        actor=client.user,
        registration=signup.registration,
        details={"part": part.label},
    )
    audit.record(
        "event.status_changed",
        actor=client.user,
        event=event,
        details={"from": "draft", "to": "open"},
    )
    db.session.commit()
    html = client.get(f"/dashboard/events/{event.id}/audit").get_data(as_text=True)
    assert "&lt;b&gt;Léa&lt;/b&gt; Bernard pointé·e présent·e pour « Matin », par " in html
    assert "<b>Léa</b>" not in html
    assert "Statut de l&#39;événement : brouillon → ouvert aux inscriptions" in html
    assert "status : " not in html and "first_day" not in html
    english_page = client.get(
        f"/dashboard/events/{event.id}/audit", query_string={"lang": "en"}
    ).get_data(as_text=True)
    assert "Event status: draft → open for registration" in english_page
    assert "&lt;b&gt;Léa&lt;/b&gt; Bernard checked in for “Matin”, by " in english_page
    assert db.session.scalar(select(AuditEvent.id).limit(1)) is not None
