"""How long the dashboard takes with 10,000 registrations: the registrations page (counts and a
page of the table) and the CSV and XLSX exports, through HTTP as an organiser gets them.

    .venv/bin/python bench/export_registrations.py            # SQLite in a temporary folder
    EVENTSVC_BENCH_DATABASE_URI=postgresql://postgres@127.0.0.1:5432/bench \
        .venv/bin/python bench/export_registrations.py        # an EMPTY PostgreSQL database

Run on demand, never in the test suite; write the figures in bench/RESULTS.md.
"""

from __future__ import annotations

import os
import re
import resource
import sys
import tempfile
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from eventsvc import create_app  # noqa: E402
from eventsvc.auth import service as auth  # noqa: E402
from eventsvc.events.models import Event, Part, Question, QuestionKind  # noqa: E402
from eventsvc.extensions import db  # noqa: E402
from eventsvc.registrations.models import Answer, Registration, registration_parts  # noqa: E402

COUNT = int(os.environ.get("BENCH_REGISTRATIONS", "10000"))
PASSWORD = "bench password, long enough"


def build(app) -> int:
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        zone_day = (datetime.now(UTC) + timedelta(days=30)).date()
        event = Event(slug="bench", title="Journée d'étude", status="open", timezone="Europe/Paris")
        paris = event.zone
        event.parts = [
            Part(
                label="Matin",
                starts_at=datetime.combine(zone_day, time(9, 30), paris),
                ends_at=datetime.combine(zone_day, time(12, 30), paris),
                position=0,
            ),
            Part(
                label="Après-midi",
                starts_at=datetime.combine(zone_day, time(14), paris),
                ends_at=datetime.combine(zone_day, time(17), paris),
                position=1,
            ),
        ]
        event.questions = [
            Question(label="Mes fonctions", kind=QuestionKind.TEXT, position=0),
            Question(
                label="Rôle",
                kind=QuestionKind.SINGLE_CHOICE,
                choices=["Facilitateur", "Curieux", "Expert"],
                position=1,
            ),
        ]
        user = auth.create_user("bench@example.org", PASSWORD)
        event.organisers = [user]
        db.session.add(event)
        db.session.commit()
        morning, afternoon = (part.id for part in event.parts)
        questions = [q.id for q in event.questions]
        now = datetime.now(UTC)
        rows = []
        for n in range(COUNT):
            email = f"personne.{n}@exemple-{n % 97}.fr"
            rows.append(
                {
                    "event_id": event.id,
                    "public_id": f"{n:032x}",
                    "token_digest": f"{n:064x}",
                    "first_name": f"Prénom{n}",
                    "last_name": ["Morvan", "Le Gall", "Quéré", "=HYPERLINK(1)"][n % 4] + str(n),
                    "organisation": f"Organisation {n % 300}",
                    "email_typed": email,
                    "email": email,
                    "email_key": email,
                    "full_day": n % 3 != 0,
                    "arrival_time": time(10, 45) if n % 6 == 0 else None,
                    "departure_time": None,
                    "comment": "Je serai présente seulement le matin." if n % 6 == 3 else "",
                    "status": "confirmed" if n % 20 else "waitlisted",
                    "locale": "fr",
                    "calendar_sequence": 0,
                    "created_at": now - timedelta(minutes=n),
                    "queued_at": now - timedelta(minutes=n),
                    "updated_at": now,
                    "cancelled_at": None,
                }
            )
        db.session.execute(insert(Registration), rows)
        ids = dict(
            db.session.execute(
                text("SELECT public_id, id FROM registrations WHERE event_id = :e"),
                {"e": event.id},
            ).all()
        )
        chosen, answers = [], []
        for n in range(COUNT):
            registration_id = ids[f"{n:032x}"]
            if n % 3 == 0:
                chosen.append({"registration_id": registration_id, "part_id": morning})
                if n % 2 == 0:
                    chosen.append({"registration_id": registration_id, "part_id": afternoon})
            answers.append(
                {
                    "registration_id": registration_id,
                    "question_id": questions[0],
                    "value": "Chargée de mission",
                }
            )
            answers.append(
                {
                    "registration_id": registration_id,
                    "question_id": questions[1],
                    "value": "Curieux",
                }
            )
        db.session.execute(insert(registration_parts), chosen)
        db.session.execute(insert(Answer), answers)
        db.session.commit()
        return event.id


def _read(response):
    """Consume a streamed body, so that the time counts every row."""
    response.get_data()
    return response


def timed(label: str, function):
    start = clock.perf_counter()
    result = function()
    elapsed = clock.perf_counter() - start
    print(f"{label:<48} {elapsed * 1000:8.0f} ms")
    return result


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        uri = os.environ.get("EVENTSVC_BENCH_DATABASE_URI") or f"sqlite:///{folder}/bench.sqlite3"
        app = create_app(
            {
                "INSTANCE_PATH": folder,
                "SQLALCHEMY_DATABASE_URI": uri,
                "SECRET_KEY": "bench",
                "WTF_CSRF_ENABLED": False,
                # The direct download, written in the request (bench/import_export_jobs.py
                # measures the export as a job, what eventsvc does above 5,000 rows).
                "EXPORT_JOB_THRESHOLD": 10**9,
            }
        )
        event_id = timed(f"build {COUNT} registrations", lambda: build(app))
        client = app.test_client()
        client.post("/login", data={"email": "bench@example.org", "password": PASSWORD})
        base = f"/dashboard/events/{event_id}/registrations"
        print(f"database: {app.config['SQLALCHEMY_DATABASE_URI'].split(':')[0]}")
        page = timed(
            "registrations page (counts + 50 rows by name)",
            lambda: _read(client.get(base, query_string={"sort": "name"})),
        )
        assert page.status_code == 200
        shown = re.search(r"sur (\d+) inscriptions", page.get_data(as_text=True)).group(1)
        assert int(shown) == COUNT, shown
        timed(
            "registrations page, last page, text filter",
            lambda: _read(client.get(base, query_string={"q": "organisation 1", "page": 9999})),
        )

        def first_chunk():
            response = client.get(base + ".csv", buffered=False)
            chunk = next(iter(response.response))
            response.close()
            return chunk

        csv_response = timed("CSV export: whole file", lambda: _read(client.get(base + ".csv")))
        timed("CSV export: first bytes sent", first_chunk)
        xlsx_response = timed("XLSX export: whole file", lambda: _read(client.get(base + ".xlsx")))
        lines = csv_response.data.count(b"\r\n")
        print(
            f"CSV: {len(csv_response.data) / 1e6:.1f} MB, {lines} lines; "
            f"XLSX: {len(xlsx_response.data) / 1e6:.1f} MB"
        )
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"peak memory of the process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
