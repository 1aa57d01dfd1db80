"""Where a sign-up's time goes, without HTTP: eventsvc and the floor through Flask's test client,
and how long a sign-up holds its event's lock.

    .venv/bin/python bench/inprocess.py [--profile] [--pg postgresql://.../BENCHDB] [--threads N]

Prints milliseconds per GET and per POST for both apps (SQLite in a temporary folder, or the
PostgreSQL database given, whose public schema is WIPED), and the time each eventsvc sign-up held
the event's registration lock: from the end of the lock's ``UPDATE events ... registration_lock``
to the end of the ``COMMIT`` (SQLAlchemy events, installed here only), p50 / p95 / max. With
``--threads N``, N browsers sign up at once (one test client each), so that sign-ups queue on the
lock as they do under gunicorn. With --profile, the 30 costliest functions of 100 eventsvc
sign-ups (cProfile, by internal time).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import sys
import tempfile
import threading
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


class LockClock:
    """Times each transaction from the registration lock's UPDATE to its COMMIT."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.holds: list[float] = []
        self.statements: list[int] = []
        event.listen(engine, "after_cursor_execute", self._executed)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)

    def _executed(self, connection, cursor, statement, parameters, context, executemany):
        info = connection.info
        if "lock_taken" in info:
            info["lock_statements"] += 1
        elif statement.lstrip().upper().startswith("UPDATE EVENTS SET REGISTRATION_LOCK"):
            info["lock_taken"] = time.perf_counter()
            info["lock_statements"] = 0

    def _commit(self, connection):
        # "commit" fires before the COMMIT is sent: time it from the pool's point of view by
        # finishing in the after-commit hook of the connection's DBAPI call.
        taken = connection.info.pop("lock_taken", None)
        if taken is not None:
            connection.info["lock_pending"] = taken

    def _rollback(self, connection):
        connection.info.pop("lock_taken", None)
        connection.info.pop("lock_pending", None)

    def finished(self, connection) -> None:
        taken = connection.info.pop("lock_pending", None)
        if taken is not None:
            self.holds.append(time.perf_counter() - taken)
            self.statements.append(connection.info.pop("lock_statements", 0))

    def summary(self) -> str:
        if not self.holds:
            return "no locked section timed"
        ordered = sorted(self.holds)

        def pick(q: float) -> float:
            return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]

        statements = sorted(self.statements)[len(self.statements) // 2]
        return (
            f"lock held p50 {pick(0.5):.2f} ms, p95 {pick(0.95):.2f} ms, "
            f"max {1000 * ordered[-1]:.2f} ms over {len(ordered)} sign-ups; "
            f"{statements} statements after the lock (median)"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--sort", default="tottime", help="cProfile order: tottime, cumulative...")
    parser.add_argument("--pg", help="a PostgreSQL URL (postgresql://...): its schema is WIPED")
    parser.add_argument("--threads", type=int, default=1, help="browsers signing up at once")
    parser.add_argument("--signups", type=int, default=300)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="eventsvc-inprocess-")

    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from eventsvc import create_app
    from eventsvc.demo import create_demo_event
    from eventsvc.extensions import db

    uri = f"sqlite:///{folder}/eventsvc.sqlite3"
    if args.pg:
        uri = args.pg.replace("postgresql://", "postgresql+psycopg://", 1)
        engine = create_engine(uri)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": uri,
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
        clock = timed_commits(db.engine)
    os.environ["BENCH_FLOOR_DATABASE"] = f"{folder}/floor.sqlite3"
    from bench.floor_app import create_app as create_floor

    ours, floor = app.test_client(), create_floor().test_client()
    sign_ups(ours, path, 0, 20)  # warm-up
    sign_ups(floor, "/e/floor", 0, 20)
    clock.holds.clear()
    clock.statements.clear()
    print(f"load average {os.getloadavg()[0]:.2f}, {'PostgreSQL' if args.pg else 'SQLite'}")
    if args.threads > 1:
        per_thread = args.signups // args.threads
        started = time.perf_counter()
        threads = [
            threading.Thread(
                target=sign_ups, args=(app.test_client(), path, 10_000 * (t + 1), per_thread)
            )
            for t in range(args.threads)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        rate = per_thread * args.threads / elapsed
        print(f"eventsvc  {args.threads} threads: {rate:.1f} sign-ups/s")
    else:
        for name, client, url in (("eventsvc", ours, path), ("floor", floor, "/e/floor")):
            get, post = sign_ups(client, url, 1000, args.signups)
            print(f"{name:9} GET {get:.2f} ms, POST {post:.2f} ms")
    print(clock.summary())
    print(f"load average {os.getloadavg()[0]:.2f}")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        sign_ups(ours, path, 5000, 100)
        profiler.disable()
        pstats.Stats(profiler).sort_stats(args.sort).print_stats(30)


def timed_commits(engine) -> LockClock:
    """A LockClock whose hold ends once the DBAPI COMMIT has returned."""
    clock = LockClock(engine)
    dialect = engine.dialect
    original = dialect.do_commit
    holding = threading.local()

    from sqlalchemy import event

    @event.listens_for(engine, "commit")
    def before(connection):
        holding.connection = connection

    def do_commit(dbapi_connection):
        original(dbapi_connection)
        connection = getattr(holding, "connection", None)
        if connection is not None:
            holding.connection = None
            clock.finished(connection)

    dialect.do_commit = do_commit
    return clock


if __name__ == "__main__":
    main()
