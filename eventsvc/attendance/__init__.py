"""The day itself: check-in per part, sign-in sheets (feuilles d'émargement), certificates."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wiring, from ``create_app``: certificates are emailed by a job (``eventsvc.jobs``)."""
    from flask import url_for
    from flask_babel import gettext as _
    from flask_babel import lazy_gettext as _l

    from .. import jobs
    from . import mailing

    def back(job):
        return url_for("dashboard.attendance", event_id=job.event_id), _("Retour aux présences")

    jobs.register_kind(
        app,
        mailing.JOB,
        jobs.Kind(
            run=mailing.run_job,
            title=_l("Envoi des attestations par courriel"),
            summary=mailing.job_summary,
            back=back,
        ),
    )
