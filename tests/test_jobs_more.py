"""Issue 19, the rest of the long work as jobs: a message to a large audience, a large import, a
large export. Each resumes after its worker is killed halfway with nothing done twice (the
certificates' pattern: the worker dies mid-job, its lease runs out, another takes over), ends with
its result or its error on the organiser's page, and leaves its audit lines."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventsvc.audit.models import AuditEvent
from eventsvc.database import utcnow
from eventsvc.extensions import db
from eventsvc.jobs import runner
from eventsvc.jobs.models import Job
from eventsvc.mail.models import OutboxMessage
from eventsvc.messaging import background, operations
from eventsvc.messaging.models import Message
from eventsvc.registrations.models import RegistrationStatus

from .factories import (
    ORGANISER_PASSWORD,
    csrf_token,
    hidden_inputs,
    login,
    new_event,
    new_organiser,
    participant,
)

POLICY = runner.Policy(lease=timedelta(seconds=1), max_attempts=5)


class Killed(BaseException):
    """The worker's process ends here (like SIGKILL: nothing after it runs)."""


@pytest.fixture
def app_config(app_config):
    return {
        **app_config,
        "MESSAGING_JOB_THRESHOLD": 3,
        "IMPORT_JOB_THRESHOLD": 3,
        "EXPORT_JOB_THRESHOLD": 3,
    }


def organiser_of(app, event, email="claire@example.org"):
    user = new_organiser(email, events=[event] if event else ())
    client = app.test_client()
    login(client, email, ORGANISER_PASSWORD)
    client.user = user
    return client


def dies_at(monkeypatch, module, name, call: int):
    """``module.name`` raises Killed at its ``call``-th call."""
    original = getattr(module, name)
    calls = []

    def dying(*args, **kwargs):
        calls.append(1)
        if len(calls) == call:
            raise Killed
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, dying)
    return original


def crash_then_take_over(monkeypatch, module, name, call: int) -> None:
    """Run due jobs with a worker that dies at ``name``'s ``call``-th call, then let another
    worker take the job over once the lease has run out."""
    original = dies_at(monkeypatch, module, name, call)
    with pytest.raises(Killed):
        runner.run_due(POLICY)
    db.session.rollback()
    monkeypatch.setattr(module, name, original)
    assert runner.run_due(POLICY) == 0  # the lease still runs
    job = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
    job.claimed_at = utcnow() - timedelta(seconds=5)  # its worker died long enough ago
    db.session.commit()
    assert runner.run_due(POLICY) == 1


def audit_lines(action: str) -> list[AuditEvent]:
    db.session.rollback()
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# --- a message to a large audience -----------------------------------------------------------


def send_message(client, event, to="confirmed"):
    url = f"/dashboard/events/{event.id}/messages"
    data = {"to": to, "subject": "Plan d'accès", "body": "Le plan est joint."}
    preview = client.post(url, data={"csrf_token": csrf_token(client, url), **data})
    expected = hidden_inputs(preview.get_data(as_text=True))["expected"][0]
    return client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            **data,
            "expected": expected,
            "step": "send",
        },
    )


def test_a_small_audience_is_written_to_in_the_request(app):
    event = new_event()
    for n in (1, 2, 3):
        participant(event, n)
    db.session.commit()
    client = organiser_of(app, event)
    response = send_message(client, event)
    assert response.headers["Location"].endswith(f"/events/{event.id}/messages")
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 3
    assert db.session.scalar(select(func.count(Job.id))) == 0


def test_a_large_audience_is_a_job_that_resumes_after_a_crash(app, monkeypatch):
    event = new_event()
    people = [participant(event, n) for n in range(1, 8)]
    db.session.commit()
    client = organiser_of(app, event)
    monkeypatch.setattr(background, "BATCH", 2)
    response = send_message(client, event)
    job_url = response.headers["Location"]
    assert "/dashboard/jobs/" in job_url
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    # Someone cancels between the preview and the job's batch: they are not written to.
    people[6].status = RegistrationStatus.CANCELLED
    db.session.commit()
    crash_then_take_over(monkeypatch, operations, "queue_each", call=3)
    keys = db.session.scalars(select(OutboxMessage.key)).all()
    assert len(keys) == len(set(keys)) == 6  # each person once, nobody twice
    [message] = db.session.scalars(select(Message)).all()
    assert (message.recipients, message.unsent) == (6, 0)
    [line] = audit_lines("message.sent")
    assert line.actor_id == client.user.id and line.details["sent"] == 6
    html = client.get(job_url).get_data(as_text=True)
    assert "Message envoyé à 6 personnes." in html and "7 sur 7" in html
    assert "1 personne a annulé son inscription depuis l&#39;aperçu" in html
    assert "Retour aux messages" in html
    assert len(audit_lines("job.started")) == 1


def test_a_message_job_that_fails_tells_the_organiser(app):
    event = new_event()
    for n in range(1, 6):
        participant(event, n)
    db.session.commit()
    client = organiser_of(app, event)
    job_url = send_message(client, event).headers["Location"]
    db.session.execute(Message.__table__.delete())
    db.session.commit()
    assert runner.run_due(POLICY) == 1
    data = client.get(job_url + ".json").get_json()
    assert data["status"] == "failed" and "Ce message n'existe plus" in data["error"]
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    mallory = organiser_of(app, None, "mallory@example.org")
    assert mallory.get(job_url).status_code == 404
