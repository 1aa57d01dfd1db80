"""Messages from the organiser to the people signed up to an event: the audience (all confirmed,
the waiting list, one part's attendees, the registrations page's filter), the email around the
organiser's text, the sending through the outbox and the list of what was sent."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wiring, from ``create_app``: a message to a large audience is queued by a job."""
    from flask_babel import lazy_gettext as _l

    from .. import jobs
    from . import background, operations

    jobs.register_kind(
        app,
        operations.JOB,
        jobs.Kind(
            run=background.run_job,
            title=_l("Envoi d'un message aux participants"),
            summary=background.job_summary,
            back=background.back,
        ),
    )
