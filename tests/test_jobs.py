"""Jobs (issue 19): queued in the caller's transaction, run by the workers with a heartbeat lease,
taken over and resumed after a worker killed with SIGKILL with nothing done twice, their progress,
result or error on the organiser's page (and no one else's)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from eventsvc.attendance import mailing, service
from eventsvc.audit.models import AuditEvent
from eventsvc.database import utcnow
from eventsvc.extensions import db
from eventsvc.jobs import runner
from eventsvc.jobs.models import Job, JobStatus
from eventsvc.mail.models import OutboxMessage

from . import jobs_app
from .factories import (
    ORGANISER_PASSWORD,
    csrf_token,
    login,
    move_to_the_past,
    new_organiser,
    participant,
)

LEASE = 1.5
POLICY = runner.Policy(lease=timedelta(seconds=LEASE), max_attempts=5)
ROOT = Path(__file__).parent.parent


@pytest.fixture
def app(app):
    jobs_app.register(app)
    return app


def queue(kind, organiser, event=None, **params) -> Job:
    job = runner.enqueue(kind, organiser=organiser, event=event, params=params)
    db.session.commit()
    return job


def job_row(job_id) -> Job:
    db.session.rollback()
    return db.session.get(Job, job_id)


def item_lines(job_id) -> list[int]:
    db.session.rollback()
    lines = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "test_job.item"))
    return sorted(line.details["item"] for line in lines if line.details["job"] == job_id)


def test_a_job_queued_in_a_transaction_that_rolls_back_does_not_exist(app, make_event):
    event = make_event()
    alice = new_organiser(events=[event])
    db.session.commit()
    runner.enqueue(jobs_app.SLOW, organiser=alice, event=event, params={"items": 1, "delay": 0})
    db.session.rollback()
    assert db.session.scalar(select(func.count(Job.id))) == 0
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "job.started")) == 0
    assert runner.run_due(POLICY) == 0


def test_a_job_runs_each_item_once_and_records_who_started_it(app, make_event):
    event = make_event()
    alice = new_organiser(events=[event])
    job = queue(jobs_app.SLOW, alice, event, items=4, delay=0)
    assert runner.run_due(POLICY) == 1
    done = job_row(job.id)
    assert (done.status, done.done, done.total, done.result) == ("done", 4, 4, {"items": 4})
    assert done.attempts == 1 and done.claimed_by is None and done.finished_at is not None
    assert item_lines(job.id) == [0, 1, 2, 3]
    started = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "job.started")).one()
    assert started.actor_id == alice.id and started.event_id == event.id
    assert started.details == {"job": job.id, "title": "Travail lent"}


def worker_process(app_config) -> subprocess.Popen:
    env = {
        **os.environ,
        "EVENTSVC_SQLALCHEMY_DATABASE_URI": app_config["SQLALCHEMY_DATABASE_URI"],
        "EVENTSVC_SECRET_KEY": "x",
        "EVENTSVC_INSTANCE_PATH": app_config["INSTANCE_PATH"],
        "EVENTSVC_JOBS_LEASE_SECONDS": str(LEASE),
    }
    command = [sys.executable, "-m", "flask", "--app", "tests.jobs_app:create_app", "jobs", "run"]
    return subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def wait_for(condition, timeout: float) -> float:
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < timeout, "timed out"
        time.sleep(0.05)
    return time.monotonic() - start


def test_a_job_survives_its_worker_killed_halfway_and_nothing_is_done_twice(
    app, app_config, make_event
):
    event = make_event()
    alice = new_organiser(events=[event])
    job = queue(jobs_app.SLOW, alice, event, items=12, delay=0.25)
    worker = worker_process(app_config)
    try:
        wait_for(lambda: job_row(job.id).done >= 3, timeout=60)
    finally:
        worker.send_signal(signal.SIGKILL)  # mid-job: some items recorded, one under way
        worker.communicate(timeout=10)
    killed_at = time.monotonic()
    stalled = job_row(job.id)
    assert stalled.status == JobStatus.RUNNING and 3 <= stalled.done < 12
    dead = stalled.claimed_by
    done_before = stalled.done
    assert item_lines(job.id) == list(range(done_before))
    # Its lease still runs: nobody takes it over yet.
    assert runner.run_due(POLICY) == 0
    # Once it has run out, another worker takes the job over and resumes where it stopped.
    wait_for(lambda: runner.run_due(POLICY) == 1, timeout=LEASE + 10)
    assert time.monotonic() - killed_at >= LEASE - 0.5
    finished = job_row(job.id)
    assert finished.status == JobStatus.DONE and finished.done == 12
    assert finished.result == {"items": 12} and finished.attempts == 2
    assert finished.claimed_by is None and dead
    assert item_lines(job.id) == list(range(12))  # every item once, none twice


def test_a_live_worker_keeps_its_job(app, app_config, make_event):
    """Items take longer than a third of the lease; the heartbeat with each item keeps the job
    from being taken over while its worker lives."""
    event = make_event()
    alice = new_organiser(events=[event])
    job = queue(jobs_app.SLOW, alice, event, items=6, delay=0.6)
    worker = worker_process(app_config)
    wait_for(lambda: job_row(job.id).status == JobStatus.RUNNING, timeout=60)
    while worker.poll() is None:
        assert runner.claim(POLICY, "other-worker") is None
        time.sleep(0.2)
    output = worker.communicate()
    assert worker.returncode == 0, output
    assert job_row(job.id).status == JobStatus.DONE
    assert item_lines(job.id) == list(range(6))


def test_a_job_interrupted_too_often_fails_with_a_message(app, make_event):
    event = make_event()
    alice = new_organiser(events=[event])
    job = queue(jobs_app.SLOW, alice, event, items=1, delay=0)
    row = job_row(job.id)
    row.status, row.attempts, row.claimed_at = JobStatus.RUNNING, 5, utcnow() - timedelta(hours=1)
    db.session.commit()
    assert runner.run_due(POLICY) == 0
    failed = job_row(job.id)
    assert failed.status == JobStatus.FAILED
    assert "interrompu 5 fois" in failed.error and f"n° {job.id}" in failed.error


def organiser(app, event, email):
    user = new_organiser(email, events=[event] if event else ())
    client = app.test_client()
    login(client, email, ORGANISER_PASSWORD)
    client.user = user
    return client


def test_a_failing_job_shows_its_error_to_the_organiser(app, make_event):
    event = make_event()
    client = organiser(app, event, "alice@example.org")
    expected = queue(jobs_app.FAILING, client.user, event)
    unexpected = queue(jobs_app.FAILING, client.user, event, unexpected=True)
    assert runner.run_due(POLICY) == 2
    html = client.get(f"/dashboard/jobs/{expected.id}").get_data(as_text=True)
    assert "Interrompu par une erreur." in html
    assert "Le fichier importé a disparu : déposez-le à nouveau." in html
    assert "1 sur 3" in html and "1 éléments faits" in html
    data = client.get(f"/dashboard/jobs/{unexpected.id}.json").get_json()
    assert data["status"] == "failed" and data["finished"] is True
    assert "erreur inattendue" in data["error"] and f"n° {unexpected.id}" in data["error"]
    assert "RuntimeError" not in data["error"]  # the detail is in the server's log
    # The event's dashboard lists its recent jobs, with the error.
    dashboard = client.get(f"/dashboard/events/{event.id}").get_data(as_text=True)
    assert "Travaux en arrière-plan" in dashboard
    assert f'href="/dashboard/jobs/{expected.id}"' in dashboard
    assert "Le fichier importé a disparu" in dashboard


def test_another_organisers_job_is_a_404(app, make_event):
    event = make_event()
    alice = organiser(app, event, "alice@example.org")
    job = queue(jobs_app.SLOW, alice.user, event, items=1, delay=0)
    mallory = organiser(app, None, "mallory@example.org")
    for url in (f"/dashboard/jobs/{job.id}", f"/dashboard/jobs/{job.id}.json"):
        assert mallory.get(url).status_code == 404
        assert alice.get(url).status_code == 200
    assert mallory.get(f"/dashboard/jobs/{job.id + 1}").status_code == 404
    # A co-organiser of the event sees it; without login, the login page.
    bob = organiser(app, event, "bob@example.org")
    assert bob.get(f"/dashboard/jobs/{job.id}.json").get_json()["status"] == "queued"
    assert app.test_client().get(f"/dashboard/jobs/{job.id}").status_code == 302


def test_the_certificates_job_shows_its_progress_then_resumes_after_a_crash(
    app, organiser_client, monkeypatch
):
    client = organiser_client
    event = client.event
    people = [participant(event, n) for n in (1, 2, 3)]
    for person in people:
        service.check_in(person, event.parts[0])
    move_to_the_past(event)
    db.session.commit()
    url = f"/dashboard/events/{event.id}/certificates/send"

    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    job_url = response.headers["Location"]
    # A second click while it waits joins the same job.
    again = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert again.headers["Location"] == job_url

    class Killed(BaseException):
        """The worker's process ends here (like SIGKILL: nothing after it runs)."""

    prepare = mailing._prepare
    calls = []

    def dies_at_the_second(event, registration):
        calls.append(registration.id)
        if len(calls) == 2:
            raise Killed
        return prepare(event, registration)

    monkeypatch.setattr(mailing, "_prepare", dies_at_the_second)
    with pytest.raises(Killed):
        runner.run_due(POLICY)
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 1
    data = client.get(job_url + ".json").get_json()
    assert (data["status"], data["done"], data["total"], data["count"]) == (
        "running",
        1,
        3,
        "1 sur 3",
    )
    html = client.get(job_url).get_data(as_text=True)
    assert '<progress id="job-progress" max="3" value="1">1 sur 3</progress>' in html
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in html
    assert "jobs.js" in html
    monkeypatch.setattr(mailing, "_prepare", prepare)
    assert runner.run_due(POLICY) == 0  # the lease still runs
    job = db.session.scalars(select(Job)).one()
    job.claimed_at = utcnow() - timedelta(seconds=LEASE + 1)  # its worker died long enough ago
    db.session.commit()
    assert runner.run_due(POLICY) == 1
    keys = db.session.scalars(select(OutboxMessage.key).order_by(OutboxMessage.key)).all()
    assert keys == sorted(f"certificate:{person.id}" for person in people)
    html = client.get(job_url).get_data(as_text=True)
    assert "3 attestations envoyées par courriel." in html and "3 sur 3" in html
    assert "Retour aux présences" in html and "refresh" not in html
    sent = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "attendance.certificates_sent")
    ).one()
    assert sent.details == {"queued": 3, "already_sent": 0}
    assert sent.actor_id == client.user.id


def test_the_delivery_loop_runs_due_jobs_in_a_thread_beside_delivery(app, make_event):
    event = make_event()
    alice = new_organiser(events=[event])
    job = queue(jobs_app.SLOW, alice, event, items=2, delay=0)
    runner.run_in_background()
    app.extensions[runner.THREAD].join(30)
    assert job_row(job.id).status == JobStatus.DONE
    assert item_lines(job.id) == [0, 1]
