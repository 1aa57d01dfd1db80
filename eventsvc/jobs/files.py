"""Files a job writes for the organiser to download (a large export): kept under the instance
path's ``job-files`` directory, named in the job's result (``result["file"]``), served only to
the job's page's readers (``dashboard.job_file``), removed after ``EXPORT_FILE_HOURS`` or when
the kind replaces them (the event's next export)."""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from flask import current_app

DIRECTORY = "job-files"


def directory() -> Path:
    path = Path(current_app.instance_path) / DIRECTORY
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_name(job, extension: str) -> str:
    """A name nobody guesses (the route checks the reader anyway)."""
    return f"job-{job.id}-{secrets.token_hex(8)}.{extension}"


def path_of(job) -> Path | None:
    """The job's file if it still exists and is not too old; else None (and an expired one is
    removed)."""
    name = (job.result or {}).get("file")
    if not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    path = directory() / name
    if not path.is_file():
        return None
    if _expired(path):
        path.unlink(missing_ok=True)
        return None
    return path


def remove(job) -> None:
    if path := path_of(job):
        path.unlink(missing_ok=True)


def remove_stale() -> int:
    """Files past their keeping time, and half-written ones a dead worker left (``.part``)."""
    count = 0
    for path in directory().iterdir():
        if path.is_file() and _expired(path):
            path.unlink(missing_ok=True)
            count += 1
    return count


def _expired(path: Path) -> bool:
    hours = float(current_app.config["EXPORT_FILE_HOURS"])
    return time.time() - path.stat().st_mtime > hours * 3600
