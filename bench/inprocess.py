"""Where a sign-up's time goes, without HTTP: eventsvc and the floor through Flask's test client.

    .venv/bin/python bench/inprocess.py [--profile]

Prints milliseconds per GET and per POST for both apps (SQLite in a temporary folder); with
--profile, the 30 costliest functions of 100 eventsvc sign-ups (cProfile, by internal time).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def sign_ups(client, path: str, first: int, count: int) -> tuple[float, float]:
    """`count` sign-ups; returns the mean ms of the GETs and of the POSTs."""
    get = post = 0.0
    for n in range(first, first + count):
        started = time.perf_counter()
        match = CSRF.search(client.get(path).text)
        got = time.perf_counter()
        response = client.post(
            path,
            data={
                "csrf_token": match.group(1) if match else "",
                "first_name": "Camille",
                "last_name": f"Bench{n}",
                "email": f"p{n}@bench.example.org",
                "full_day": "yes",
            },
        )
        assert response.status_code == 303, response.status_code
        post += time.perf_counter() - got
        get += got - started
    return 1000 * get / count, 1000 * post / count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime", help="cProfile order: tottime, cumulative...")
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="eventsvc-inprocess-")

    from flask_migrate import upgrade

    from eventsvc import create_app
    from eventsvc.demo import create_demo_event
    from eventsvc.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/eventsvc.sqlite3",
            "INSTANCE_PATH": folder,
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        event, _ = create_demo_event()
        event.capacity = None
        for part in event.parts:
            part.capacity = None
        db.session.commit()
        path = f"/e/{event.slug}"
    os.environ["BENCH_FLOOR_DATABASE"] = f"{folder}/floor.sqlite3"
    from bench.floor_app import create_app as create_floor

    ours, floor = app.test_client(), create_floor().test_client()
    sign_ups(ours, path, 0, 20)  # warm-up
    sign_ups(floor, "/e/floor", 0, 20)
    for name, client, url in (("eventsvc", ours, path), ("floor", floor, "/e/floor")):
        get, post = sign_ups(client, url, 1000, 300)
        print(f"{name:9} GET {get:.2f} ms, POST {post:.2f} ms")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        sign_ups(ours, path, 5000, 100)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(30)


if __name__ == "__main__":
    main()
