"""The sign-up form's class is kept per process under the event's id and ``updated_at`` (issue
19): a change to a part or a question moves ``updated_at`` (also for the API's updated_since), so
the next page shows the change; an event's older class is dropped."""

from __future__ import annotations

from datetime import timedelta

from eventsvc.database import utcnow
from eventsvc.events import operations_parts as parts
from eventsvc.events.models import QuestionKind
from eventsvc.extensions import db
from eventsvc.registrations import forms

from .factories import new_event, new_organiser, sign_up


def backdated(event):
    event.updated_at = utcnow() - timedelta(hours=1)
    db.session.commit()
    return event.updated_at


def test_part_and_question_changes_move_the_events_updated_at(app):
    event = new_event()
    alice = new_organiser(events=[event])
    db.session.commit()
    changes = [
        lambda: parts.add_question(event, parts.QuestionData("Régime"), actor=alice),
        lambda: parts.update_question(
            event.questions[0], parts.QuestionData("Régime alimentaire"), actor=alice
        ),
        lambda: parts.add_question(event, parts.QuestionData("Atelier"), actor=alice),
        lambda: parts.move_question(event.questions[1], -1, actor=alice),
        lambda: parts.delete_question(event.questions[0], actor=alice),
        lambda: parts.move_part(event.parts[1], -1, actor=alice),
    ]
    for change in changes:
        before = backdated(event)
        change()
        db.session.commit()
        assert event.updated_at > before


def test_the_form_class_is_kept_and_dropped_when_a_question_changes(app):
    event = new_event()
    alice = new_organiser(events=[event])
    db.session.commit()
    first = forms.SignupForm.class_for(event)
    assert forms.SignupForm.class_for(event) is first
    client = app.test_client()
    assert "Votre régime" not in client.get(f"/e/{event.slug}").get_data(as_text=True)
    question = parts.add_question(
        event, parts.QuestionData("Votre régime", QuestionKind.TEXT), actor=alice
    )
    db.session.commit()
    second = forms.SignupForm.class_for(event)
    assert second is not first and question.id in {q.id for q in second._questions}
    assert [k for k in forms._CLASSES if k[0] is forms.SignupForm and k[1] == event.id] == [
        (forms.SignupForm, event.id, event.updated_at)
    ]
    assert "Votre régime" in client.get(f"/e/{event.slug}").get_data(as_text=True)
    parts.update_question(question, parts.QuestionData("Vos allergies"), actor=alice)
    db.session.commit()
    page = client.get(f"/e/{event.slug}").get_data(as_text=True)
    assert "Vos allergies" in page and "Votre régime" not in page


def test_a_sign_up_leaves_the_event_and_its_form_class_as_they_are(app):
    event = new_event()
    db.session.commit()
    before = backdated(event)
    first = forms.SignupForm.class_for(event)
    sign_up(event, 1)
    db.session.commit()
    db.session.refresh(event)
    assert event.updated_at == before
    assert forms.SignupForm.class_for(event) is first
