"""Issue 19, the rest of the long work as jobs: a message to a large audience, a large import, a
large export. Each resumes after its worker is killed halfway with nothing done twice (the
certificates' pattern: the worker dies mid-job, its lease runs out, another takes over), ends with
its result or its error on the organiser's page, and leaves its audit lines."""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from eventsvc.audit.models import AuditEvent
from eventsvc.database import utcnow
from eventsvc.exports import tabular
from eventsvc.extensions import db
from eventsvc.jobs import files, runner
from eventsvc.jobs.models import Job
from eventsvc.mail.models import OutboxMessage
from eventsvc.messaging import background, operations
from eventsvc.messaging.models import Message
from eventsvc.registrations import export, export_job, import_job, importing
from eventsvc.registrations import operations as registrations
from eventsvc.registrations.models import Registration, RegistrationStatus, SignupImport

from .factories import (
    ORGANISER_PASSWORD,
    command,
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


def crash_then_take_over(monkeypatch, module, name, call: int, between=None) -> None:
    """Run due jobs with a worker that dies at ``name``'s ``call``-th call, then (after
    ``between()``) let another worker take the job over once the lease has run out."""
    original = dies_at(monkeypatch, module, name, call)
    with pytest.raises(Killed):
        runner.run_due(POLICY)
    db.session.rollback()
    monkeypatch.setattr(module, name, original)
    if between is not None:
        between()
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


# --- a large export ------------------------------------------------------------------------------


def start_export(client, event, extension="csv", query=""):
    url = f"/dashboard/events/{event.id}/registrations.{extension}{query}"
    page = client.get(url)
    assert page.status_code == 200 and "Préparer le fichier" in page.get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 303
    return response.headers["Location"]


def test_a_small_export_is_downloaded_at_once(app):
    event = new_event()
    participant(event, 1)
    db.session.commit()
    client = organiser_of(app, event)
    response = client.get(f"/dashboard/events/{event.id}/registrations.csv")
    assert response.mimetype == "text/csv" and "personne1@example.org" in response.text


def test_a_large_export_is_a_file_on_the_jobs_page_that_resumes_after_a_crash(app, monkeypatch):
    event = new_event()
    for n in range(1, 8):
        participant(event, n, organisation='=HYPERLINK("http://x")' if n == 3 else "ACME")
    db.session.commit()
    client = organiser_of(app, event)
    direct = client.get(f"/dashboard/events/{event.id}/registrations.csv?delimiter=comma")
    assert direct.mimetype == "text/html"  # too large for the request: the page that offers a job
    monkeypatch.setattr(export_job, "BATCH", 2)
    query = f"?delimiter=comma&sort=name&order=desc&part={event.parts[0].id}&status=confirmed"
    job_url = start_export(client, event, query=query)
    crash_then_take_over(monkeypatch, export, "rows", call=3)
    html = client.get(job_url).get_data(as_text=True)
    assert "7 inscriptions dans le fichier." in html and "7 sur 7" in html
    job = db.session.scalars(select(Job)).one()
    assert (job.attempts, job.done) == (2, 7)
    link = f"/dashboard/jobs/{job.id}/file"
    assert f'href="{link}"' in html and "Télécharger le fichier CSV" in html
    download = client.get(link)
    assert download.headers["Cache-Control"] == "no-store"
    assert f"inscriptions-{event.slug}.csv" in download.headers["Content-Disposition"]
    text = download.data.decode("utf-8-sig")
    lines = text.strip().split("\r\n")
    assert len(lines) == 8  # the header and each person once, after the restart
    assert sum("personne3@example.org" in line for line in lines) == 1
    assert "'=HYPERLINK" in text and ',"=HYPERLINK' not in text  # formula made inert
    assert text == direct_csv(app, event, query)  # same filter, order and neutralising
    # Nobody else gets the file; the event's next export removes it.
    mallory = organiser_of(app, None, "mallory@example.org")
    assert mallory.get(link).status_code == 404
    [line] = audit_lines("registrations.exported")
    assert line.actor_id == client.user.id and line.details == {"rows": 7, "format": "CSV"}
    start_export(client, event, "xlsx")
    assert client.get(link).status_code == 404
    assert runner.run_due(POLICY) == 1
    xlsx = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
    data = client.get(f"/dashboard/jobs/{xlsx.id}/file")
    assert data.mimetype == tabular.XLSX_TYPE and data.data[:2] == b"PK"
    assert len(list(files.directory().iterdir())) == 1


def direct_csv(app, event, query) -> str:
    """The same export written in the request (threshold raised)."""
    app.config["EXPORT_JOB_THRESHOLD"] = 10_000
    try:
        client = organiser_of(app, event, "bob@example.org")
        return client.get(f"/dashboard/events/{event.id}/registrations.csv{query}").data.decode(
            "utf-8-sig"
        )
    finally:
        app.config["EXPORT_JOB_THRESHOLD"] = 3


def test_an_export_file_expires(app):
    event = new_event()
    for n in range(1, 6):
        participant(event, n)
    db.session.commit()
    client = organiser_of(app, event)
    start_export(client, event)
    assert runner.run_due(POLICY) == 1
    job = db.session.scalars(select(Job)).one()
    path = files.path_of(job)
    old = time.time() - 25 * 3600
    os.utime(path, (old, old))
    assert client.get(f"/dashboard/jobs/{job.id}/file").status_code == 404
    assert not path.exists()
    assert "Le fichier n&#39;est plus disponible" in client.get(f"/dashboard/jobs/{job.id}").text


def test_an_export_job_that_fails_tells_the_organiser(app, monkeypatch):
    event = new_event()
    for n in range(1, 6):
        participant(event, n)
    db.session.commit()
    client = organiser_of(app, event)
    job_url = start_export(client, event)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(tabular, "iter_csv", full_disk)
    assert runner.run_due(POLICY) == 1
    data = client.get(job_url + ".json").get_json()
    assert data["status"] == "failed" and "erreur inattendue" in data["error"]
    assert list(files.directory().iterdir()) == []  # no half-written file left


# --- a large import ------------------------------------------------------------------------------

HEADER = "Prénom,NOM,Organisation,Courriel,Je serai présent.e toute la journée,Commentaire libre\n"


def import_file(people: range) -> bytes:
    rows = "".join(f"P{n},Nom{n},Org,p{n}@example.org,Oui,\n" for n in people)
    return (HEADER + rows).encode()


def upload_and_import(client, event, data: bytes):
    url = f"/dashboard/events/{event.id}/import"
    uploaded = client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "file": (io.BytesIO(data), "gros.csv")},
        content_type="multipart/form-data",
    )
    preview = uploaded.headers["Location"]
    response = client.post(
        preview, data={"csrf_token": csrf_token(client, preview), "action": "import"}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def test_a_large_import_is_a_job_that_resumes_after_a_crash(app, monkeypatch):
    event = new_event()
    db.session.commit()
    client = organiser_of(app, event)
    monkeypatch.setattr(import_job, "BATCH", 2)
    job_url = upload_and_import(client, event, import_file(range(1, 8)))
    assert "/dashboard/jobs/" in job_url
    # A second click on « Importer » joins the same job.
    preview = f"/dashboard/events/{event.id}/import/{db.session.scalar(select(SignupImport.id))}"
    again = client.post(
        preview, data={"csrf_token": csrf_token(client, preview), "action": "import"}
    )
    assert again.headers["Location"] == job_url
    assert db.session.scalar(select(func.count(Registration.id))) == 0
    assert db.session.scalar(select(SignupImport)).content  # kept until the job ends
    # Someone on the file signs up by themselves while the job runs, before it reaches them.
    crash_then_take_over(
        monkeypatch,
        importing,
        "import_row",
        call=4,
        between=lambda: sign_up_as(event, "p6@example.org"),
    )
    emails = sorted(db.session.scalars(select(Registration.email)))
    assert emails == sorted(f"p{n}@example.org" for n in range(1, 8))  # each once
    html = client.get(job_url).get_data(as_text=True)
    assert "6 inscriptions importées depuis gros.csv" in html and "7 sur 7" in html
    assert "p6@example.org s&#39;est inscrit·e depuis l&#39;aperçu" in html
    assert "Aucun message n&#39;a été envoyé." in html
    kept = db.session.scalar(select(SignupImport))
    assert kept.content == b"" and kept.imported_count == 6 and kept.imported_at is not None
    [line] = audit_lines("import.committed")
    assert line.actor_id == client.user.id and line.details["imported"] == 6
    assert len(audit_lines("registration.imported")) == 6


def sign_up_as(event, email):
    registrations.register(event, command(99, email=email, email_key=email), locale="fr")
    db.session.commit()


def test_an_import_job_whose_file_is_gone_tells_the_organiser(app):
    event = new_event()
    db.session.commit()
    client = organiser_of(app, event)
    job_url = upload_and_import(client, event, import_file(range(1, 6)))
    db.session.execute(SignupImport.__table__.delete())
    db.session.commit()
    assert runner.run_due(POLICY) == 1
    data = client.get(job_url + ".json").get_json()
    assert data["status"] == "failed"
    assert data["error"] == "Le fichier importé a disparu : déposez-le à nouveau."
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_a_small_import_stays_in_the_request(app):
    event = new_event()
    db.session.commit()
    client = organiser_of(app, event)
    landing = upload_and_import(client, event, import_file(range(1, 4)))
    assert landing.endswith(f"/events/{event.id}/registrations")
    assert db.session.scalar(select(func.count(Registration.id))) == 3
