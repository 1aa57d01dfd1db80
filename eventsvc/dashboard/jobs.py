"""A job's progress page and its JSON (``eventsvc.jobs``): the organiser who started it and the
other organisers of its event see it; anyone else gets the 404 of a job that does not exist."""

from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from ..events import service as events
from ..exports import tabular
from ..jobs import files, queries
from ..jobs.models import Job
from ..security import download
from ..web import found, render
from . import bp


def organiser_job(job_id: int) -> Job:
    job = found(queries.get(job_id))
    if job.organiser_id == current_user.id:
        return job
    if job.event_id is not None and events.find_for_organiser(job.event_id, current_user):
        return job
    return found(None)


@bp.get("/jobs/<int:job_id>")
def job(job_id: int):
    """Without JavaScript the page reloads itself while the job runs (``<noscript>`` meta
    refresh); with it, ``jobs.js`` polls the JSON and moves the bar."""
    job = organiser_job(job_id)
    return render("job.html", job=queries.view(job))


@bp.get("/jobs/<int:job_id>.json")
def job_json(job_id: int):
    return jsonify(queries.view(organiser_job(job_id)).as_json())


@bp.get("/jobs/<int:job_id>/file")
def job_file(job_id: int):
    """The file a job wrote (a large export): to the job's readers only, while it is kept."""
    job = organiser_job(job_id)
    path = found(files.path_of(job) if job.status == "done" else None)
    result = job.result or {}
    mimetype = tabular.XLSX_TYPE if result.get("format") == "xlsx" else "text/csv"
    return download(
        path.read_bytes(), mimetype=mimetype, filename=result.get("filename") or path.name
    )
