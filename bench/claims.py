"""How long claims take for a large event: compute, validate, batch, export (on demand).

    .venv/bin/python bench/claims.py [PEOPLE] [DATABASE_URI]

Builds a throwaway database (SQLite in a temporary folder unless a URI is given; a PostgreSQL
database given here is emptied first), one study day with PEOPLE participants (default 300) all
checked in and declared as drivers, then times each step. Results go in bench/RESULTS.md by hand.
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from eventsvc import create_app  # noqa: E402
from eventsvc.attendance import service as attendance  # noqa: E402
from eventsvc.compensation import batches, claim_operations, claims, declarations  # noqa: E402
from eventsvc.compensation.declarations import DeclarationInput  # noqa: E402
from eventsvc.compensation.rules import TransportMode  # noqa: E402
from eventsvc.database import normalise_database_uri  # noqa: E402
from eventsvc.extensions import db  # noqa: E402
from eventsvc.registrations import operations as registrations  # noqa: E402


def timed(label: str, results: list, function):
    start = time.perf_counter()
    value = function()
    results.append((label, time.perf_counter() - start))
    return value


def _dashboard_page(app, event):
    """GET of the organiser's claims page (every claim with its checks), logged in."""
    from eventsvc.auth import service as auth
    from tests.factories import login

    user = auth.create_user("bench@example.org", "une phrase de passe assez longue")
    event.organisers.append(user)
    db.session.commit()
    client = app.test_client()
    login(client, "bench@example.org", "une phrase de passe assez longue")

    def get():
        response = client.get(f"/dashboard/events/{event.id}/compensation")
        assert response.status_code == 200, response.status_code

    return get


def main(people: int, uri: str | None) -> None:
    folder = Path(tempfile.mkdtemp(prefix="eventsvc-bench-"))
    if uri:
        uri = normalise_database_uri(uri)
        engine = create_engine(uri)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        uri = f"sqlite:///{folder / 'bench.sqlite3'}"
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": uri,
            "INSTANCE_PATH": str(folder),
            "SECRET_KEY": "bench",
            "TESTING": True,
        }
    )
    with app.app_context():
        upgrade()
        from tests.factories import study_day

        event = study_day(date(2024, 5, 2))
        for n in range(people):
            email = f"p{n}@example.org"
            result = registrations.register(
                event,
                registrations.SignupCommand(
                    first_name=f"P{n}",
                    last_name="Bench",
                    organisation="",
                    email_typed=email,
                    email=email,
                    email_key=email,
                    full_day=True,
                ),
                locale="fr",
                enforce_window=False,
                send_email=False,
            )
            declarations.save(
                result.registration,
                DeclarationInput(
                    origin=f"Commune {n % 40}",
                    transport=TransportMode.CAR_DRIVER,
                    fiscal_horsepower=5 + n % 4,
                    round_trip_km=Decimal(20 + n % 90),
                ),
            )
            for part in event.parts:
                attendance.check_in(result.registration, part)
        db.session.commit()
        results: list[tuple[str, float]] = []
        timed("compute_event", results, lambda: claims.compute_event(event))
        db.session.commit()
        timed("compute_event again", results, lambda: claims.compute_event(event))
        db.session.commit()
        page = _dashboard_page(app, event)
        timed("claims page (drafts)", results, page)
        found = claims.claims_of(event)
        timed(
            "validate_many",
            results,
            lambda: claim_operations.validate_many(found, by="bench", accept_checks=True),
        )
        db.session.commit()
        batch = timed(
            "create_batch",
            results,
            lambda: batches.create_batch("bench", date(2024, 4, 1), date(2024, 6, 30)),
        )
        db.session.commit()
        timed("claims page (validated)", results, page)
        export = timed("export rows", results, lambda: batches.export(batch))
        timed("write xlsx", results, export.xlsx)
        timed("write csv", results, export.csv)
        backend = db.engine.dialect.name
    print(f"{people} people, {backend}:")
    for label, seconds in results:
        print(f"  {label:<22} {seconds:7.2f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 300, sys.argv[2] if len(sys.argv) > 2 else None)
