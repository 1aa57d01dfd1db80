"""Share of the confirmation email in a sign-up, in process: POSTs with and without composing it.

    .venv/bin/python bench/email_share.py

Alternating blocks of 40 sign-ups (SQLite, demo event, Flask test client); in the blocks
« without », ``notify.registered`` is replaced by a no-op. Medians of 5 blocks each, so the
comparison survives a loaded machine.
"""

from __future__ import annotations

import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def main() -> None:
    from flask_migrate import upgrade

    from eventsvc import create_app
    from eventsvc.demo import create_demo_event
    from eventsvc.extensions import db
    from eventsvc.registrations import notifications as notify

    folder = tempfile.mkdtemp(prefix="bench-email-share-")
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
        db.session.commit()
        path = f"/e/{event.slug}"
    client = app.test_client()
    real = notify.registered
    counter = iter(range(1_000_000))

    def block(count: int) -> tuple[float, float]:
        get = post = 0.0
        for _ in range(count):
            n = next(counter)
            started = time.perf_counter()
            token = CSRF.search(client.get(path).text).group(1)
            got = time.perf_counter()
            response = client.post(
                path,
                data={
                    "csrf_token": token,
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

    block(20)  # warm-up
    results = {"with the email": [], "without": []}
    for _ in range(5):
        notify.registered = real
        results["with the email"].append(block(40))
        notify.registered = lambda *args, **kwargs: None
        results["without"].append(block(40))
    notify.registered = real
    for name, blocks in results.items():
        get = statistics.median(g for g, _ in blocks)
        post = statistics.median(p for _, p in blocks)
        print(f"{name:15} GET {get:6.2f} ms  POST {post:6.2f} ms")


if __name__ == "__main__":
    main()
