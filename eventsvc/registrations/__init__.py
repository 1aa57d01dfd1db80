"""Sign-ups: the public form, the personal link, capacity and the waiting list."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wiring, from ``create_app``: people registered hear of their event's reschedule or
    cancellation (the receivers return who could not be written to); the mail worker composes
    their emails."""
    from .. import signals
    from ..mail import recipes
    from . import event_audience, notifications, operations

    signals.event_rescheduled.connect(operations.announce_event_change)
    signals.event_cancelled.connect(operations.announce_event_cancellation)
    # events asks how many people a change concerns (it may not import registrations).
    event_audience.wire()
    # The worker composes the registration emails queued as recipes (compose at delivery).
    recipes.register(notifications.RECIPE, notifications.compose_recipe)
    # Large exports and imports run as jobs (``eventsvc.jobs``) with a progress page.
    from flask_babel import lazy_gettext as _l

    from .. import jobs
    from . import export_job, import_job

    jobs.register_kind(
        app,
        export_job.JOB,
        jobs.Kind(
            run=export_job.run_job,
            title=_l("Export des inscriptions"),
            summary=export_job.job_summary,
            back=export_job.back,
            download=export_job.download,
        ),
    )
    jobs.register_kind(
        app,
        import_job.JOB,
        jobs.Kind(
            run=import_job.run_job,
            title=_l("Import des inscriptions"),
            summary=import_job.job_summary,
            back=import_job.back,
        ),
    )
