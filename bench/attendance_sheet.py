"""How long a 300-person sign-in sheet takes to render to PDF (WeasyPrint), and certificates.

    .venv/bin/python bench/attendance_sheet.py            # SQLite in a temporary folder
    BENCH_PEOPLE=600 .venv/bin/python bench/attendance_sheet.py

In process (no HTTP: the PDF rendering is the cost). Run on demand, never in the test suite;
write the figures in bench/RESULTS.md.
"""

from __future__ import annotations

import io
import math
import os
import statistics
import sys
import tempfile
import time as clock
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from pypdf import PdfReader  # noqa: E402

from eventsvc import create_app  # noqa: E402
from eventsvc.attendance import documents, service, signing  # noqa: E402
from eventsvc.events.models import Event, EventStatus, Part  # noqa: E402
from eventsvc.extensions import db  # noqa: E402
from eventsvc.registrations import operations as registrations  # noqa: E402

PEOPLE = int(os.environ.get("BENCH_PEOPLE", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
LAST_NAMES = ["Durand", "Le Bras", "Éloi", "Morvan", "Tanguy", "Quéré", "Benali", "Kergoat"]


def build() -> Event:
    paris = ZoneInfo("Europe/Paris")
    day = (datetime.now(UTC) + timedelta(days=14)).date()
    event = Event(
        slug="bench",
        title="Journée d'étude (bench)",
        venue_name="Salle du conseil",
        venue_commune="Dinan-Exemple",
        organiser_name="Codev Exemple",
        organiser_email="codev@example.org",
        status=EventStatus.OPEN,
    )
    event.parts = [
        Part(
            label="Matin",
            starts_at=datetime.combine(day, time(9, 30), paris),
            ends_at=datetime.combine(day, time(12, 30), paris),
            position=0,
        ),
        Part(
            label="Après-midi",
            starts_at=datetime.combine(day, time(14), paris),
            ends_at=datetime.combine(day, time(17), paris),
            position=1,
        ),
    ]
    db.session.add(event)
    db.session.commit()
    for n in range(PEOPLE):
        email = f"personne{n}@example.org"
        registrations.register(
            event,
            registrations.SignupCommand(
                first_name=f"Prénom{n}",
                last_name=f"{LAST_NAMES[n % len(LAST_NAMES)]} {n:03d}",
                organisation=f"Organisation n° {n % 40}",
                email_typed=email,
                email=email,
                email_key=email,
                full_day=True,
            ),
            locale="fr",
            send_email=False,
        )
    db.session.commit()
    return event


# A hand-written name: 3 strokes of 40 points, normalised to the pad (rules_proof).
SIGNATURE = [
    [
        [
            round(0.05 + 0.3 * stroke + 0.25 * i / 40, 4),
            round(0.5 + 0.3 * math.sin(i / 3 + stroke), 4),
            stroke * 800 + i * 16,
        ]
        for i in range(40)
    ]
    for stroke in range(3)
]


def timed(function) -> tuple[float, bytes]:
    times, result = [], b""
    for _ in range(ROUNDS):
        start = clock.perf_counter()
        result = function()
        times.append(clock.perf_counter() - start)
    return statistics.median(times), result


def pages(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


def main() -> None:
    folder = tempfile.mkdtemp(prefix="eventsvc-bench-")
    app = create_app(
        {
            "INSTANCE_PATH": folder,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context(), app.test_request_context():
        upgrade()
        event = build()
        morning = event.parts[0]
        rows = []
        seconds, pdf = timed(lambda: documents.sheet_pdf(event, [morning]))
        rows.append((f"sheet, 1 part, {PEOPLE} people, blank", seconds, pages(pdf), len(pdf)))
        seconds, html = timed(lambda: documents.sheet_html(event, [morning]).encode())
        rows.append((f"sheet HTML only (print page), {PEOPLE} people", seconds, 0, len(html)))
        for registration in service.expected_at(event, morning)[::2]:
            service.check_in(registration, morning)
            service.check_in(registration, event.parts[1])
        db.session.commit()
        seconds, pdf = timed(lambda: documents.sheet_pdf(event, [morning]))
        rows.append(
            (f"sheet, 1 part, {PEOPLE} people, half checked in", seconds, pages(pdf), len(pdf))
        )
        seconds, pdf = timed(lambda: documents.sheet_pdf(event))
        rows.append((f"sheets, 2 parts, {PEOPLE} people each", seconds, pages(pdf), len(pdf)))
        # Certificates exist once the event is over: the same people, a month earlier.
        for part in event.parts:
            part.starts_at -= timedelta(days=30)
            part.ends_at -= timedelta(days=30)
        db.session.commit()
        attendees = service.attendees(event)
        seconds, pdf = timed(lambda: documents.certificates_pdf(event, attendees[:1]))
        rows.append(("one certificate", seconds, pages(pdf), len(pdf)))
        seconds, pdf = timed(lambda: documents.certificates_pdf(event, attendees))
        rows.append((f"{len(attendees)} certificates in one PDF", seconds, pages(pdf), len(pdf)))
        # Issue 17: the same part signed by everyone on the pad, printed after it (each signature
        # drawn as SVG polylines, 3 strokes of 40 points: a hand-written name), countersigned.
        event.signature_mode = "participants_and_trainers"
        capture = signing.Capture(recorded_by="bench@example.org", user_agent="bench")
        for registration in service.expected_at(event, morning):
            signing._record(morning, registration, SIGNATURE, 4200, capture)
        signing._record(morning, None, SIGNATURE, 3000, capture, signer_name="Paul Formateur")
        db.session.commit()
        seconds, pdf = timed(lambda: documents.sheet_pdf(event, [morning]))
        rows.append((f"signed sheet, 1 part, {PEOPLE} signatures", seconds, pages(pdf), len(pdf)))
    print(f"{'document':<48} {'seconds (median)':>17} {'pages':>6} {'bytes':>9}")
    for name, seconds, page_count, size in rows:
        print(f"{name:<48} {seconds:>17.2f} {page_count:>6} {size:>9}")


if __name__ == "__main__":
    main()
