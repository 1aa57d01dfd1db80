"""Sign-up throughput and latency: eventsvc under gunicorn next to the floor app, same run.

    .venv/bin/python bench/signup.py [--pg postgresql://postgres@127.0.0.1:5432/BENCHDB]
    make bench BENCH_ARGS="--pg ..."

One sign-up = GET the form (CSRF token and session cookie) + POST it (303). Each backend
(SQLite, and PostgreSQL when --pg is given) runs both apps with the same number of gunicorn
workers, in alternating rounds (ours, floor, ours, floor...), so that a noisy machine hurts both
alike; the figure to read is the ratio of medians. Only 127.0.0.1; every round is bounded in
requests and in time. The PostgreSQL database given is WIPED (its public schema is recreated).

Writes bench/out/signup-<time>.json and prints a Markdown summary for bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
SLUG = "bench"
SECRET = "bench-secret-key"


# --- servers ----------------------------------------------------------------------------------


class Gunicorn:
    def __init__(self, app: str, env: dict, workers: int, log: Path, config: Path | None):
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1024)
        listener.set_inheritable(True)
        self.port = listener.getsockname()[1]
        command = [sys.executable, "-m", "gunicorn"]
        if config:
            command += ["--config", str(config)]
        command += [
            "--bind",
            f"fd://{listener.fileno()}",
            "--workers",
            str(workers),
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            str(log),
            "--log-level",
            "warning",
            app,
        ]
        self.log = log
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            pass_fds=[listener.fileno()],
            stdin=subprocess.DEVNULL,
        )
        listener.close()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn {app} stopped: {log.read_text()}")
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit(f"gunicorn {app} did not answer")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


# --- databases --------------------------------------------------------------------------------


def prepare_eventsvc(uri: str, instance: Path) -> None:
    """Schema by the migrations, then one open event without capacity (every sign-up counts)."""
    from flask_migrate import upgrade
    from sqlalchemy import create_engine, text

    from eventsvc import create_app
    from eventsvc.demo import create_demo_event
    from eventsvc.extensions import db

    if uri.startswith("postgresql"):
        engine = create_engine(uri.replace("postgresql://", "postgresql+psycopg://", 1))
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": uri,
            "INSTANCE_PATH": str(instance),
            "SECRET_KEY": SECRET,
            "RATELIMIT_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade()
        event, _ = create_demo_event()
        event.slug, event.capacity = SLUG, None
        for part in event.parts:
            part.capacity = None
        db.session.commit()
        db.engine.dispose()


# --- load -------------------------------------------------------------------------------------


def run_round(
    port: int, label: str, signups: int, concurrency: int, limit_s: float, rate: float = 0
) -> dict:
    """`signups` sign-ups by `concurrency` browsers in parallel; stops early at `limit_s`. With
    `rate`, sign-up n starts at n / rate seconds (an offered load, as long as browsers are free),
    for the latency at a given throughput rather than at the peak."""
    lock = threading.Lock()
    todo = iter(range(signups))
    gets, posts, totals, errors = [], [], [], []
    deadline = time.monotonic() + limit_s
    start_at = time.perf_counter()

    def browser():
        while time.monotonic() < deadline:
            with lock:
                n = next(todo, None)
            if n is None:
                return
            if rate:
                time.sleep(max(0.0, start_at + n / rate - time.perf_counter()))
            started = time.perf_counter()
            status, headers, body = request(port, "GET", f"/e/{SLUG}")
            got = time.perf_counter()
            match = CSRF.search(body.decode())
            cookie = (headers.get("Set-Cookie") or "").split(";", 1)[0]
            form = {
                "csrf_token": match.group(1) if match else "",
                "first_name": "Camille",
                "last_name": f"Bench{n}",
                "organisation": "Banc d'essai",
                "email": f"{label}-{n}@bench.example.org",
                "full_day": "yes",
                "comment": "",
            }
            status, _, _ = request(
                port,
                "POST",
                f"/e/{SLUG}",
                body=urlencode(form),
                headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
            )
            done = time.perf_counter()
            with lock:
                if status != 303:
                    errors.append(status)
                gets.append(got - started)
                posts.append(done - got)
                totals.append(done - started)

    started = time.perf_counter()
    threads = [threading.Thread(target=browser) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {
        "signups": len(totals),
        "non_303": len(errors),
        "seconds": round(elapsed, 3),
        "signups_per_s": round(len(totals) / elapsed, 1),
        "get_ms": percentiles(gets),
        "post_ms": percentiles(posts),
        "signup_ms": percentiles(totals),
    }


def percentiles(values: list[float]) -> dict:
    if not values:
        return {}
    ordered = sorted(values)
    pick = lambda q: round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)  # noqa: E731
    return {"p50": pick(0.50), "p95": pick(0.95), "max": round(1000 * ordered[-1], 1)}


# --- main -------------------------------------------------------------------------------------


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total_kb = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(total_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "system": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def bench_backend(name, ours_uri, floor_database, args, workdir: Path) -> dict:
    instance = workdir / f"{name}-instance"
    prepare_eventsvc(ours_uri, instance)
    ours = Gunicorn(
        "eventsvc:create_app()",
        {
            "EVENTSVC_SQLALCHEMY_DATABASE_URI": ours_uri,
            "EVENTSVC_INSTANCE_PATH": str(instance),
            "EVENTSVC_SECRET_KEY": SECRET,
            "EVENTSVC_RATELIMIT_ENABLED": "false",
        },
        args.workers,
        workdir / f"{name}-eventsvc.log",
        ROOT / "gunicorn.conf.py",
    )
    servers = [("eventsvc", ours)]
    if args.without_form_cache:
        # The same eventsvc with the form class built on each request (before issue 19's cache).
        servers.append(
            (
                "eventsvc-nocache",
                Gunicorn(
                    "eventsvc:create_app()",
                    {
                        "EVENTSVC_SQLALCHEMY_DATABASE_URI": ours_uri,
                        "EVENTSVC_INSTANCE_PATH": str(instance),
                        "EVENTSVC_SECRET_KEY": SECRET,
                        "EVENTSVC_RATELIMIT_ENABLED": "false",
                        "EVENTSVC_SIGNUP_FORM_CACHE": "false",
                    },
                    args.workers,
                    workdir / f"{name}-eventsvc-nocache.log",
                    ROOT / "gunicorn.conf.py",
                ),
            )
        )
    floor = Gunicorn(
        "bench.floor_app:create_app()",
        {"BENCH_FLOOR_DATABASE": floor_database},
        args.workers,
        workdir / f"{name}-floor.log",
        None,
    )
    servers.append(("floor", floor))
    rounds = {label: [] for label, _server in servers}
    try:
        # Warm-up: imports, connection pools, template compilation.
        for _label, server in servers:
            run_round(server.port, f"warm-{name}", 20, 4, 30)
        for r in range(args.rounds):
            for label, server in servers:
                result = run_round(
                    server.port,
                    f"{name}-{label}-{r}",
                    args.signups,
                    args.concurrency,
                    args.limit,
                    args.rate,
                )
                rounds[label].append(result)
                print(
                    f"  {name} round {r} {label:8}: {result['signups_per_s']:7.1f} sign-ups/s "
                    f"post p50 {result['post_ms'].get('p50')} ms  non-303 {result['non_303']}",
                    flush=True,
                )
    finally:
        for _label, server in servers:
            server.stop()
    median = {k: statistics.median(r["signups_per_s"] for r in v) for k, v in rounds.items()}
    return {
        "rounds": rounds,
        "median_signups_per_s": median,
        "ratio": round(median["eventsvc"] / median["floor"], 3),
        "ratios": {k: round(v / median["floor"], 3) for k, v in median.items() if k != "floor"},
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
    }


def markdown(report: dict) -> str:
    m = report["machine"]
    lines = [
        f"Run {report['started']} — `{report['command']}`",
        "",
        f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB, Python {m['python']}, "
        f"{m['system']}; load average at start {m['load_average_at_start']}.",
        f"Settings: {report['settings']}",
        "",
        "| backend | app | sign-ups/s (median) | sign-up p50 / p95 ms | POST p50 / p95 ms | "
        "non-303 |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for backend, result in report["backends"].items():
        for app in result["rounds"]:
            rounds = result["rounds"][app]
            best = sorted(rounds, key=lambda r: r["signups_per_s"])[len(rounds) // 2]
            lines.append(
                f"| {backend} | {app} | {result['median_signups_per_s'][app]:.1f} | "
                f"{best['signup_ms']['p50']} / {best['signup_ms']['p95']} | "
                f"{best['post_ms']['p50']} / {best['post_ms']['p95']} | "
                f"{sum(r['non_303'] for r in rounds)} |"
            )
        for app, ratio in result.get("ratios", {"eventsvc": result["ratio"]}).items():
            lines.append(f"| {backend} | **ratio {app}** | **{ratio:.2f}** | | | |")
        lines.append(f"| {backend} | load average at end | {result.get('load_average_at_end')} |||")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pg", default=os.environ.get("BENCH_PG_URI"), help="PostgreSQL URI (wiped)"
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--signups", type=int, default=300, help="per round and app")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--rate", type=float, default=0, help="sign-ups per second offered (0: as fast as can be)"
    )
    parser.add_argument("--limit", type=float, default=60, help="seconds at most per round")
    parser.add_argument(
        "--without-form-cache",
        action="store_true",
        help="also run eventsvc with SIGNUP_FORM_CACHE off, in the same alternating rounds",
    )
    args = parser.parse_args()

    report = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "machine": machine(),
        "settings": {k: v for k, v in vars(args).items() if k != "pg"},
        "backends": {},
    }
    with tempfile.TemporaryDirectory(prefix="eventsvc-bench-") as tmp:
        workdir = Path(tmp)
        print("SQLite", flush=True)
        report["backends"]["sqlite"] = bench_backend(
            "sqlite",
            f"sqlite:///{workdir / 'eventsvc.sqlite3'}",
            str(workdir / "floor.sqlite3"),
            args,
            workdir,
        )
        if args.pg:
            print("PostgreSQL", flush=True)
            report["backends"]["postgresql"] = bench_backend(
                "postgresql", args.pg, args.pg, args, workdir
            )
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"signup-{report['started'].replace(':', '')}.json"
    path.write_text(json.dumps(report, indent=2))
    print()
    print(markdown(report))
    print(f"\n(raw figures: {path.relative_to(ROOT)})")


if __name__ == "__main__":
    main()
