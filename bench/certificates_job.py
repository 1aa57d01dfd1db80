"""300 certificates emailed (issue 19): the organiser's request, and the job until it finishes.

    .venv/bin/python bench/certificates_job.py                       # SQLite in a temporary folder
    BENCH_DATABASE_URI=postgresql+psycopg://postgres@127.0.0.1:5432/NAME \\
        .venv/bin/python bench/certificates_job.py                   # PostgreSQL (schema dropped!)
    BENCH_PEOPLE=600 .venv/bin/python bench/certificates_job.py

In process, through the test client (the real view, CSRF and login included) and the jobs runner
(what ``flask jobs run`` and the delivery loop's thread do). The floor, in the same run: the same
PDFs and messages composed in a loop with no database write, the bare work a job cannot avoid.
Run on demand, never in the test suite; write the figures in bench/RESULTS.md.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import time as clock
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from attendance_sheet import build  # noqa: E402
from flask import g  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402

from eventsvc import create_app  # noqa: E402
from eventsvc.attendance import documents, mailing, service  # noqa: E402
from eventsvc.auth import service as auth  # noqa: E402
from eventsvc.extensions import db  # noqa: E402
from eventsvc.jobs import runner  # noqa: E402
from eventsvc.jobs.models import Job  # noqa: E402
from eventsvc.mail.models import OutboxMessage  # noqa: E402

PASSWORD = "correct horse battery staple 42"


def fresh_postgres(uri: str) -> None:
    engine = create_engine(uri)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def forget_user() -> None:
    g.pop("_login_user", None)


def main() -> None:
    folder = tempfile.mkdtemp(prefix="eventsvc-bench-")
    uri = os.environ.get("BENCH_DATABASE_URI") or f"sqlite:///{folder}/bench.sqlite3"
    if uri.startswith("postgresql"):
        fresh_postgres(uri)
    app = create_app(
        {
            "INSTANCE_PATH": folder,
            "SQLALCHEMY_DATABASE_URI": uri,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    # Requests share the bench's app context: each one loads its own user, as in production.
    app.before_request(forget_user)
    with app.app_context():
        upgrade()
        with app.test_request_context():
            event = build()
            for registration in service.expected_at(event, event.parts[0]):
                service.check_in(registration, event.parts[0])
            for part in event.parts:
                part.starts_at -= timedelta(days=30)
                part.ends_at -= timedelta(days=30)
            user = auth.create_user("bench@example.org", PASSWORD)
            event.organisers.append(user)
            db.session.commit()
            people = mailing.recipients(event)
            start = clock.perf_counter()
            for registration in people:
                mailing.compose(registration, documents.certificates_pdf(event, [registration]))
            floor = clock.perf_counter() - start
            event_id = event.id
        db.session.remove()
        client = app.test_client()
        login = client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
        assert login.status_code in (302, 303), login.status_code
        start = clock.perf_counter()
        response = client.post(f"/dashboard/events/{event_id}/certificates/send")
        request_time = clock.perf_counter() - start
        assert response.status_code == 303 and "/dashboard/jobs/" in response.headers["Location"]
        start = clock.perf_counter()
        assert runner.run_due() == 1
        job_time = clock.perf_counter() - start
        db.session.remove()
        job = db.session.scalars(select(Job)).one()
        queued = db.session.scalar(select(func.count(OutboxMessage.id)))
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        result = re.search(r"(\d+) attestations envoyées par courriel", page)
    dialect = "PostgreSQL" if uri.startswith("postgresql") else "SQLite"
    print(f"{dialect}, {len(people)} attendees, job {job.status}, {queued} messages queued")
    print(f"request (POST, queue the job, 303):  {request_time * 1000:8.1f} ms")
    print(f"job, claim to done:                  {job_time:8.2f} s")
    print(f"floor (PDF + message, no writes):    {floor:8.2f} s")
    print(f"job / floor:                         {job_time / floor:8.2f}")
    print(f"page says: {result.group(0) if result else '?'}")


if __name__ == "__main__":
    main()
