"""Dashboard endpoints of the signatures taken at the welcome desk (the event's
``signature_mode``): the JSON posts of static/signature.js (a participant signs: check-in and
signature together; the trainer countersigns the part) and the proof file of a part. The work is
done by ``signing``. Registered on the dashboard's blueprint by ``dashboard/__init__.py``."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup

from ..common import qr_codes
from ..database import utcnow
from ..events.lookups import organiser_event
from ..events.models import Event, Part
from ..extensions import db
from ..links import external_url
from ..registrations.models import Registration
from ..security import download
from ..web import OrganiserPages, actor, message_text, writes
from . import own_device, rules_own_device, rules_proof, service, signing
from .organiser import _counts, _int, _json_error, _json_part, _not_open, _refusal, part_of

pages = OrganiserPages("attendance_signatures")

MAX_BODY = 200_000  # bytes: a signature at its largest (rules_proof.MAX_POINTS) is well under


def _payload() -> dict | None:
    """The posted JSON object; None when too large or not an object."""
    if request.content_length is not None and request.content_length > MAX_BODY:
        return None
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY:
        return None
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return data if isinstance(data, dict) else None


def _capture(taken_at: datetime | None = None) -> signing.Capture:
    return signing.Capture(
        recorded_by=actor().email,
        client_address=request.remote_addr or "",
        user_agent=request.user_agent.string or "",
        taken_at=taken_at,
    )


def _taken_at(data: dict, part: Part):
    """(the device's « taken at », None) for a signature kept offline and sent later, (None, None)
    when not given, or (None, the 422 answer) when not a time or out of bounds: in the future,
    or before the part's check-in opened."""
    raw = data.get("taken_at")
    if raw is None:
        return None, None
    try:
        taken_at = datetime.fromisoformat(raw) if isinstance(raw, str) else None
    except ValueError:
        taken_at = None
    if taken_at is not None and taken_at.tzinfo is None:
        taken_at = None
    if taken_at is not None:
        earliest = service.checkin_opens_at(part)
        if rules_own_device.taken_at_refusal(taken_at, utcnow(), earliest) is None:
            return taken_at.astimezone(UTC), None
    return None, _json_error(
        _(
            "L'heure de la signature donnée par l'appareil n'est pas plausible (dans le futur ou "
            "avant l'ouverture de l'accueil) : vérifiez l'heure de la tablette."
        ),
        422,
    )


def _strokes(data: dict):
    """(strokes, None) or (None, the 400 answer with its message)."""
    try:
        return rules_proof.clean_strokes(data.get("strokes")), None
    except rules_proof.StrokesError as error:
        return None, _json_error(message_text(error.message), 400)


def _bad_payload():
    return _json_error(
        _("La signature n'a pas pu être lue (données illisibles ou trop volumineuses)."), 400
    )


def _not_asked():
    return _json_error(_("Cet événement ne demande pas de signature à l'accueil."), 409)


@pages.route("/events/<int:event_id>/sign.json", methods=["POST"])
def sign_json(event_id: int):
    """{"part_id", "registration_id", "strokes": [[[x, y, t], …], …], "duration_ms"} → the
    person checked in and their signature recorded, together."""
    event = organiser_event(event_id)
    data = _payload()
    if data is None:
        return _bad_payload()
    part = _json_part(event, data)
    if part is None:
        return _json_error(_("Cette partie n'existe pas dans cet événement."), 404)
    registration_id = _int(data.get("registration_id"))
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.event_id != event.id:
        return _json_error(_("Cette personne n'est pas inscrite à cet événement."), 404)
    if not signing.asks_signatures(event):
        return _not_asked()
    strokes, refusal = _strokes(data)
    if refusal is not None:
        return refusal
    taken_at, refusal = _taken_at(data, part)
    if refusal is not None:
        return refusal
    with writes(flash_error=False) as write:
        signature = signing.sign(
            registration,
            part,
            strokes,
            duration_ms=rules_proof.clean_duration(data.get("duration_ms")),
            capture=_capture(taken_at),
            actor=actor(),
        )
    if write.failed:
        return _json_error(_refusal(write.error, registration), 409)
    return jsonify(
        ok=True,
        registration_id=registration.id,
        part_id=part.id,
        present=True,
        signature_id=signature.id,
        sha256=signature.sha256,
        taken_at=signature.taken_at.isoformat() if signature.taken_at else None,
        message=_(
            "%(name)s a signé et est pointé·e présent·e — %(part)s",
            name=registration.display_name,
            part=part.label,
        ),
        counts=_counts(event, part),
    )


@pages.route("/events/<int:event_id>/countersign.json", methods=["POST"])
def countersign_json(event_id: int):
    """{"part_id", "name", "role", "strokes", "duration_ms"} → the part countersigned."""
    event = organiser_event(event_id)
    data = _payload()
    if data is None:
        return _bad_payload()
    part = _json_part(event, data)
    if part is None:
        return _json_error(_("Cette partie n'existe pas dans cet événement."), 404)
    if not signing.asks_countersignature(event):
        return _not_asked()
    name = data.get("name").strip() if isinstance(data.get("name"), str) else ""
    role = data.get("role").strip() if isinstance(data.get("role"), str) else ""
    if not name or len(name) > 200 or len(role) > 200:
        return _json_error(
            _("Indiquez le nom de la personne qui contre-signe (200 caractères au plus)."),
            422,
            errors={"name": [_("Indiquez un nom.")]},
        )
    strokes, refusal = _strokes(data)
    if refusal is not None:
        return refusal
    with writes(flash_error=False) as write:
        signature = signing.countersign(
            part,
            strokes,
            name=name,
            role=role,
            duration_ms=rules_proof.clean_duration(data.get("duration_ms")),
            capture=_capture(),
            actor=actor(),
        )
    if write.failed:
        return _json_error(_not_open(part), 409)  # the only refusal left: check-in not open
    return jsonify(
        ok=True,
        part_id=part.id,
        signature_id=signature.id,
        sha256=signature.sha256,
        message=_("Partie « %(part)s » contre-signée par %(name)s", part=part.label, name=name),
    )


@pages.route("/events/<int:event_id>/parts/<int:part_id>/proof.json", methods=["GET"])
def proof_json(event_id: int, part_id: int):
    """Every signature of the part with its fields, hash and chain (rules_proof)."""
    event: Event = organiser_event(event_id)
    part: Part = part_of(event, part_id)
    body = json.dumps(signing.proof(part), ensure_ascii=False, indent=1, sort_keys=True)
    return download(
        body,
        mimetype="application/json",
        filename=f"preuve-signatures-{event.slug}-{part.id}.json",
    )


@pages.route("/events/<int:event_id>/parts/<int:part_id>/sign-code", methods=["GET"])
def sign_code(event_id: int, part_id: int):
    """The part's code for signing on one's own phone, large and as a QR code: shown on a screen
    or printed at the door."""
    event: Event = organiser_event(event_id)
    part: Part = part_of(event, part_id)
    code = own_device.code_of(part)
    link = external_url("public.own_sign", code=code)
    opens, closes = own_device.window_of(part)
    qr = Markup(qr_codes.inline_svg(link, label=_("QR code de la page de signature")))  # noqa: S704
    return render_template(
        "dashboard/sign_code.html",
        event=event,
        part=part,
        code=code,
        link=link,
        qr=qr,
        opens=opens,
        closes=closes,
        asked=signing.asks_signatures(event),
    )
