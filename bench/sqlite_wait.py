"""How long a SQLite writer waits for the write lock beyond the time it is held (issue 19).

    .venv/bin/python bench/sqlite_wait.py            # 4 processes × 300 transactions each
    BENCH_PROCESSES=8 BENCH_HOLD_MS=2 .venv/bin/python bench/sqlite_wait.py

Each process (as gunicorn's workers are) repeats: take the write lock, insert a row, hold the lock
``BENCH_HOLD_MS`` (the work of a sign-up's locked section), commit, then ``BENCH_OUTSIDE_MS`` of
work outside the lock. Compared, in the same run:
SQLite's own busy handler (``PRAGMA busy_timeout``: it sleeps 1, 2, 5 … up to 100 ms between
tries) and ``eventsvc.database.begin_immediate`` (polls from 0.2 ms up to 2 ms). Reported: the
wait for the lock (p50, p95, max), and transactions per second. Run on demand; write the figures
in bench/RESULTS.md.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from eventsvc.database import begin_immediate  # noqa: E402

PROCESSES = int(os.environ.get("BENCH_PROCESSES", "4"))
TRANSACTIONS = int(os.environ.get("BENCH_TRANSACTIONS", "300"))
HOLD = float(os.environ.get("BENCH_HOLD_MS", "1")) / 1000
# The rest of a request, outside the lock (rendering, HTTP): without it the process that commits
# takes the lock straight back and the others starve, which real workers do not do.
OUTSIDE = float(os.environ.get("BENCH_OUTSIDE_MS", "3")) / 1000


def connect(path: str) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, timeout=30)
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    return connection


def writer(path: str, mode: str, start, queue) -> None:
    connection = connect(path)
    waits = []
    start.wait()
    for n in range(TRANSACTIONS):
        asked = time.perf_counter()
        if mode == "busy handler":
            connection.execute("BEGIN IMMEDIATE")
        else:
            begin_immediate(connection, 30)
        waits.append(time.perf_counter() - asked)
        connection.execute("INSERT INTO rows (n) VALUES (?)", (n,))
        time.sleep(HOLD)
        connection.execute("COMMIT")
        time.sleep(OUTSIDE)
    queue.put(waits)


def run(mode: str) -> tuple[list[float], float]:
    folder = tempfile.mkdtemp(prefix="eventsvc-sqlite-wait-")
    path = f"{folder}/bench.sqlite3"
    connect(path).execute("CREATE TABLE rows (id INTEGER PRIMARY KEY, n INTEGER)")
    start, queue = multiprocessing.Event(), multiprocessing.Queue()
    workers = [
        multiprocessing.Process(target=writer, args=(path, mode, start, queue))
        for _ in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    start.set()
    waits = [wait for _ in workers for wait in queue.get()]
    for worker in workers:
        worker.join()
    return waits, PROCESSES * TRANSACTIONS / (time.perf_counter() - began)


def main() -> None:
    print(
        f"{PROCESSES} processes × {TRANSACTIONS} transactions, lock held {HOLD * 1000:.1f} ms, "
        f"{OUTSIDE * 1000:.1f} ms outside it"
    )
    print(
        f"{'mode':<14} {'wait mean ms':>12} {'p50':>6} {'p95':>6} {'p99':>7} {'max':>7} {'tx/s':>6}"
    )
    for mode in ("busy handler", "poll", "busy handler", "poll"):
        waits, rate = run(mode)
        waits.sort()
        p50 = statistics.median(waits) * 1000
        p95 = waits[int(len(waits) * 0.95)] * 1000
        p99 = waits[int(len(waits) * 0.99)] * 1000
        mean = statistics.fmean(waits) * 1000
        print(
            f"{mode:<14} {mean:>12.2f} {p50:>6.2f} {p95:>6.2f} {p99:>7.1f} "
            f"{waits[-1] * 1000:>7.1f} {rate:>6.0f}"
        )


if __name__ == "__main__":
    main()
