"""Issue 19: an export of 10,000 registrations and an import of 5,000 rows, as jobs.

    .venv/bin/python bench/import_export_jobs.py                     # SQLite in a temporary folder
    EVENTSVC_BENCH_DATABASE_URI=postgresql+psycopg://postgres@127.0.0.1:5432/NAME \\
        .venv/bin/python bench/import_export_jobs.py                 # PostgreSQL (schema dropped!)

In process, through the test client (the real views, login included) and the jobs runner (what
``flask jobs run`` and the delivery loop's thread do): the organiser's request time, then the job
from claim to done. The floor, in the same run: the same export written in the request (the direct
download, threshold raised) and the same import done in one transaction (``importing.commit``, what
the request did before), on another event. Run on demand; write the figures in bench/RESULTS.md.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from export_registrations import COUNT, PASSWORD, build  # noqa: E402
from flask import g  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from eventsvc import create_app  # noqa: E402
from eventsvc.events.models import Event, Part  # noqa: E402
from eventsvc.extensions import db  # noqa: E402
from eventsvc.jobs import runner  # noqa: E402
from eventsvc.jobs.models import Job  # noqa: E402
from eventsvc.registrations import importing  # noqa: E402
from eventsvc.registrations.models import Registration  # noqa: E402

ROWS = int(os.environ.get("BENCH_IMPORT_ROWS", "5000"))
HEADER = "Prénom,NOM,Organisation,Courriel,Je serai présent.e toute la journée,Commentaire libre\n"


def import_file(prefix: str) -> bytes:
    rows = "".join(
        f"Prénom{n},Nom{n},Organisation {n % 50},{prefix}{n}@import.example.org,Oui,\n"
        for n in range(ROWS)
    )
    return (HEADER + rows).encode()


def empty_event(slug: str) -> int:
    bench = db.session.scalars(select(Event).where(Event.slug == "bench")).one()
    event = Event(slug=slug, title=f"Import {slug}", status="open", timezone="Europe/Paris")
    event.parts = [
        Part(label=p.label, starts_at=p.starts_at, ends_at=p.ends_at, position=p.position)
        for p in bench.parts
    ]
    event.organisers = list(bench.organisers)
    db.session.add(event)
    db.session.commit()
    return event.id


def forget_user() -> None:
    g.pop("_login_user", None)


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.0f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        uri = os.environ.get("EVENTSVC_BENCH_DATABASE_URI") or f"sqlite:///{folder}/bench.sqlite3"
        app = create_app(
            {
                "INSTANCE_PATH": folder,
                "SQLALCHEMY_DATABASE_URI": uri,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                "RATELIMIT_ENABLED": False,
            }
        )
        # Requests share the bench's app context: each one loads its own user, as in production.
        app.before_request(forget_user)
        event_id = build(app)
        client = app.test_client()
        client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
        print(f"database: {uri.split(':')[0]}; load average {os.getloadavg()[0]:.2f}")
        base = f"/dashboard/events/{event_id}/registrations"
        with app.app_context():
            for kind in ("csv", "xlsx"):
                app.config["EXPORT_JOB_THRESHOLD"] = 10**9
                start = clock.perf_counter()
                direct = client.get(f"{base}.{kind}")
                direct.get_data()
                floor = clock.perf_counter() - start
                app.config["EXPORT_JOB_THRESHOLD"] = 5000
                start = clock.perf_counter()
                response = client.post(f"{base}.{kind}")
                request_time = clock.perf_counter() - start
                assert response.status_code == 303, response.status_code
                start = clock.perf_counter()
                assert runner.run_due() == 1
                job_time = clock.perf_counter() - start
                db.session.remove()
                job = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
                assert job.status == "done", job.error
                file = client.get(f"/dashboard/jobs/{job.id}/file")
                assert file.status_code == 200
                print(
                    f"export {kind.upper()} of {COUNT}: request {ms(request_time)}, job "
                    f"{ms(job_time)}; in the request (floor) {ms(floor)}; file "
                    f"{len(file.data) / 1e6:.1f} MB (same bytes as direct: "
                    f"{file.data == direct.data if kind == 'csv' else 'n/a (xlsx dates)'})"
                )
            # Import: the job (upload, preview, confirmation, then the job) against the same
            # rows imported in one transaction in process (the request's work before).
            job_event, floor_event = empty_event("import-job"), empty_event("import-floor")
            data = import_file("job")
            url = f"/dashboard/events/{job_event}/import"
            start = clock.perf_counter()
            uploaded = client.post(
                url,
                data={"file": (io.BytesIO(data), "gros.csv")},
                content_type="multipart/form-data",
            )
            upload_time = clock.perf_counter() - start
            preview_url = uploaded.headers["Location"]
            start = clock.perf_counter()
            client.get(preview_url).get_data()
            preview_time = clock.perf_counter() - start
            start = clock.perf_counter()
            response = client.post(preview_url, data={"action": "import"})
            confirm_time = clock.perf_counter() - start
            assert "/dashboard/jobs/" in response.headers["Location"], response.headers
            start = clock.perf_counter()
            assert runner.run_due() == 1
            job_time = clock.perf_counter() - start
            db.session.remove()
            job = db.session.scalars(select(Job).order_by(Job.id.desc())).first()
            assert job.status == "done", job.error
            imported = db.session.scalar(
                select(func.count(Registration.id)).where(Registration.event_id == job_event)
            )
            floor_data = import_file("floor")
            with app.test_request_context():
                event = db.session.get(Event, floor_event)
                start = clock.perf_counter()
                preview = importing.preview(event, floor_data)
                importing.commit(event, preview)
                db.session.commit()
                floor = clock.perf_counter() - start
            print(
                f"import of {ROWS} rows: upload {ms(upload_time)}, preview page "
                f"{ms(preview_time)}, confirmation (request) {ms(confirm_time)}, job "
                f"{ms(job_time)} ({imported} imported); one transaction in process (floor) "
                f"{ms(floor)}"
            )
        print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
