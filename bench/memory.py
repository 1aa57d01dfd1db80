"""Peak memory (RSS) of one gunicorn worker after 10,000 sign-ups, next to the floor app's.

One sync worker (so it serves every request) with worker recycling off (``--max-requests 0``,
through GUNICORN_CMD_ARGS, which wins over gunicorn.conf.py): growth is what a worker would keep.
Each of 8 browsers GETs the form once (session cookie, CSRF token), then POSTs sign-ups with new
addresses; every POST registers and composes the confirmation email with its calendar. VmRSS and
VmHWM (peak) are read from /proc after the warm-up and along the way.

    .venv/bin/python bench/memory.py [--signups 10000] [--pg postgresql://…/BENCHDB]

``--pg`` wipes that database's public schema.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

from signup import CSRF, ROOT, SECRET, SLUG, Gunicorn, prepare_eventsvc, request

CHECKPOINTS = (1_000, 5_000)


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    assert len(children) == 1, children
    return int(children[0])


def memory_mib(pid: int) -> dict[str, float]:
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = round(int(rest.split()[0]) / 1024, 1)
    return values


def load(server: Gunicorn, signups: int, label: str, concurrency: int = 8) -> list[tuple]:
    pid = worker_pid(server.process.pid)
    lock = threading.Lock()
    todo = iter(range(signups))
    done = [0]
    samples = []
    errors = []

    def browser(b: int) -> None:
        status, headers, body = request(server.port, "GET", f"/e/{SLUG}")
        token = CSRF.search(body.decode()).group(1) if CSRF.search(body.decode()) else "floor"
        cookie = (headers.get("Set-Cookie") or "").split(";", 1)[0]
        while True:
            with lock:
                n = next(todo, None)
            if n is None:
                return
            form = {
                "csrf_token": token,
                "first_name": "Camille",
                "last_name": f"Mémoire{n}",
                "organisation": "Banc d'essai",
                "email": f"{label}-{n}@bench.example.org",
                "full_day": "yes",
                "comment": "",
            }
            status, _, _ = request(
                server.port,
                "POST",
                f"/e/{SLUG}",
                body=urlencode(form),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
            )
            with lock:
                if status != 303:
                    errors.append(status)
                done[0] += 1
                if done[0] in CHECKPOINTS:
                    samples.append((done[0], memory_mib(pid)))

    started = time.perf_counter()
    threads = [threading.Thread(target=browser, args=(b,)) for b in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    samples.append((done[0], memory_mib(pid)))
    print(
        f"  {label}: {done[0]} sign-ups in {time.perf_counter() - started:.0f} s, "
        f"non-303: {len(errors)}",
        flush=True,
    )
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--signups", type=int, default=10_000)
    parser.add_argument("--pg", help="PostgreSQL URI of a scratch database (wiped)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-memory-"))
    ours_uri = args.pg or f"sqlite:///{workdir / 'eventsvc.sqlite3'}"
    floor_db = str(workdir / "floor.sqlite3")
    instance = workdir / "instance"
    prepare_eventsvc(ours_uri, instance)
    no_recycling = {"GUNICORN_CMD_ARGS": "--max-requests 0"}
    print(f"load average at the start: {os.getloadavg()}")
    results = {}
    for name, app, env, config in (
        (
            "eventsvc",
            "eventsvc:create_app()",
            {
                "EVENTSVC_SQLALCHEMY_DATABASE_URI": ours_uri,
                "EVENTSVC_INSTANCE_PATH": str(instance),
                "EVENTSVC_SECRET_KEY": SECRET,
                "EVENTSVC_RATELIMIT_ENABLED": "false",
            },
            ROOT / "gunicorn.conf.py",
        ),
        ("floor", "bench.floor_app:create_app()", {"BENCH_FLOOR_DATABASE": floor_db}, None),
    ):
        server = Gunicorn(app, {**env, **no_recycling}, 1, workdir / f"{name}.log", config)
        try:
            warm = load(server, 100, f"warm-{name}")
            results[name] = [(0, warm[-1][1])] + load(server, args.signups, name)
        finally:
            server.stop()
    print(f"load average at the end: {os.getloadavg()}")
    print(
        "| app | after warm-up (100) | "
        + " | ".join(f"after {n:,}" for n, _ in results["eventsvc"][1:])
        + " |"
    )
    for name, samples in results.items():
        cells = [f"{m['VmRSS']} MiB (peak {m['VmHWM']})" for _, m in samples]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
