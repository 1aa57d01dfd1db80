"""Dashboard pages of the distance table: the organisation's (one per instance), read by every
organiser, replaced by administrators only (upload, preview, then confirmation)."""

from __future__ import annotations

import logging
import secrets
import time
from pathlib import Path

from flask import current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from ..common import csv_reading
from ..extensions import db
from ..web import actor, render
from . import distances
from .distance_table import DistancierError
from .organiser_common import by, pages, say
from .organiser_forms import DistanceConfirmForm, DistanceUploadForm

log = logging.getLogger(__name__)

UPLOAD_MAX_AGE = 24 * 3600  # an unconfirmed distance table upload is dropped after a day
UPLOAD_NAME_LENGTH = 32  # secrets.token_hex(16)


def _upload_dir() -> Path:
    folder = Path(current_app.instance_path) / "distance-uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _keep_upload(data: bytes) -> str:
    """Keep the file between the preview and the confirmation (any process can confirm it)."""
    folder = _upload_dir()
    now = time.time()
    for old in folder.glob("*.csv"):
        if now - old.stat().st_mtime > UPLOAD_MAX_AGE:
            old.unlink(missing_ok=True)
    name = secrets.token_hex(UPLOAD_NAME_LENGTH // 2)
    (folder / f"{name}.csv").write_bytes(data)
    return name


def _upload_path(name: str) -> Path | None:
    if len(name or "") != UPLOAD_NAME_LENGTH or not all(c in "0123456789abcdef" for c in name):
        return None
    path = _upload_dir() / f"{name}.csv"
    return path if path.is_file() else None


def _not_an_admin():
    """Replacing the shared distance table changes every organiser's claims: administrators only.

    The page offers the upload to administrators only; anyone else posting gets this answer.
    """
    if current_user.is_admin:
        return None
    flash(_("Seul un administrateur peut remplacer le distancier."), "error")
    return redirect(url_for(".distance_table"), code=303)


@pages.route("/compensation/distances", methods=["GET", "POST"])
def distance_table():
    if request.method == "POST" and (refused := _not_an_admin()):
        return refused
    form = DistanceUploadForm()
    preview = problem = None
    confirm_form = DistanceConfirmForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            preview = distances.preview_import(data)
        except DistancierError as error:
            problem = say(error)
        else:
            confirm_form.upload.data = _keep_upload(data)
    commune = (request.args.get("commune") or "").strip()
    pairs = distances.pairs(commune or None)
    return render(
        "compensation/distances.html",
        form=form,
        limits=csv_reading.DISTANCES,
        preview=preview,
        problem=problem,
        confirm_form=confirm_form,
        commune=commune,
        pairs=pairs[:500],
        shown_all=len(pairs) <= 500,
        total=distances.count(),
        last_replacement=distances.last_replacement(),
    )


@pages.route("/compensation/distances/confirm", methods=["POST"])
def confirm_distance_table():
    if refused := _not_an_admin():
        return refused
    form = DistanceConfirmForm()
    path = _upload_path(form.upload.data or "") if form.validate_on_submit() else None
    if path is None:
        flash(_("Ce fichier n'est plus disponible : choisissez-le à nouveau."), "error")
        return redirect(url_for(".distance_table"), code=303)
    try:
        preview = distances.preview_import(path.read_bytes())
    except DistancierError as error:
        flash(say(error), "error")
        return redirect(url_for(".distance_table"), code=303)
    count = distances.replace_table(preview.table, actor=actor())
    db.session.commit()
    path.unlink(missing_ok=True)
    log.info("distance table replaced by %s: %d pairs", by(), count)
    flash(
        ngettext(
            "Distancier remplacé : %(num)d trajet.",
            "Distancier remplacé : %(num)d trajets.",
            count,
        ),
        "success",
    )
    return redirect(url_for(".distance_table"), code=303)
