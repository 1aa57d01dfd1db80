"""Dashboard endpoints of the check-in codes (``common.tokens.checkin_code``): the code scanned
on the check-in page by static/scan.js (camera) or typed by hand, looked up as JSON, and the same
lookup without JavaScript (a plain form that leads to the person in the desk's list). Neither
writes: the check-in itself is the desk's usual tap (``organiser.checkin_json``, or the signature
pad's ``sign.json``), audited there. Registered on the dashboard's blueprint by
``dashboard/__init__.py``."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from ..common import tokens
from ..events.lookups import organiser_event
from ..events.models import Event, Part
from ..extensions import db
from ..registrations.models import Registration, RegistrationStatus
from ..web import OrganiserPages
from . import service, signing
from .organiser import _json_error, _json_part, _not_open, _payload, part_of

pages = OrganiserPages("attendance_scan")

MAX_CODE = 80  # characters: a genuine code is about 30


@dataclass(frozen=True)
class Found:
    """What a code names at this event's desk: the person, or why not (a message to show)."""

    registration: Registration | None
    refusal: str | None = None
    status: int = 200


def look_up(event: Event, code: str) -> Found:
    """The confirmed registration of this event that the code names, else a plain refusal: a
    forged or mistyped code, another event's code, a registration cancelled, waiting or erased."""
    read = tokens.read_checkin_code(code, current_app.config["SECRET_KEY"])
    if read is None:
        return Found(
            None, _("Ce code n'est pas un code d'accueil valide (mal lu ou falsifié)."), 422
        )
    event_id, registration_id = read
    if event_id != event.id:
        return Found(None, _("Ce code est celui d'un autre événement."), 409)
    registration = db.session.get(Registration, registration_id)
    if (
        registration is None
        or registration.event_id != event.id
        or registration.anonymised_at is not None
    ):
        return Found(None, _("Cette inscription n'existe plus."), 404)
    name = registration.display_name
    if registration.status == RegistrationStatus.CANCELLED:
        return Found(None, _("L'inscription de %(name)s est annulée.", name=name), 409)
    if registration.status != RegistrationStatus.CONFIRMED:
        return Found(
            None, _("%(name)s est sur liste d'attente : inscription non confirmée.", name=name), 409
        )
    return Found(registration)


def _person(event: Event, part: Part, registration: Registration) -> dict:
    row = next((r for r in service.desk(event, part) if r.registration.id == registration.id), None)
    signatures = signing.current_signatures(part) if signing.asks_signatures(event) else None
    return {
        "registration_id": registration.id,
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "organisation": registration.organisation,
        "present": bool(row and row.present),
        "expected": bool(row and row.expected),
        "signed": signatures is not None and registration.id in signatures,
        "tap_url": url_for(
            ".checkin_tap", event_id=event.id, part_id=part.id, registration_id=registration.id
        ),
    }


@pages.route("/events/<int:event_id>/checkin/code.json", methods=["POST"])
def checkin_code_json(event_id: int):
    """{"part_id", "code"} → the person and the part, to confirm with one tap. Writes nothing."""
    event = organiser_event(event_id)
    data = _payload()
    part = _json_part(event, data)
    if part is None:
        return _json_error(_("Cette partie n'existe pas dans cet événement."), 404)
    code = data.get("code")
    if not isinstance(code, str) or len(code) > MAX_CODE:
        return _json_error(
            _("Ce code n'est pas un code d'accueil valide (mal lu ou falsifié)."), 422
        )
    found = look_up(event, code)
    if found.registration is None:
        return _json_error(found.refusal, found.status)
    if not service.checkin_is_open(part):
        return _json_error(_not_open(part), 409)
    person = _person(event, part, found.registration)
    return jsonify(
        ok=True,
        part_id=part.id,
        part_label=part.label,
        person=person,
        message=_("%(name)s — %(part)s", name=found.registration.display_name, part=part.label),
    )


@pages.route("/events/<int:event_id>/checkin/<int:part_id>/code", methods=["POST"])
def checkin_code_form(event_id: int, part_id: int):
    """Without JavaScript: the typed code leads to the person in the list (one tap to confirm)."""
    event = organiser_event(event_id)
    part = part_of(event, part_id)
    found = look_up(event, request.form.get("code", "")[:MAX_CODE])
    if found.registration is None:
        flash(found.refusal, "error")
        return redirect(url_for(".checkin", event_id=event.id, part=part.id), code=303)
    person = found.registration
    flash(
        _("Code d'accueil de %(name)s : touchez son nom pour confirmer.", name=person.display_name),
        "success",
    )
    query = f"{person.first_name} {person.last_name}"
    return redirect(
        url_for(".checkin", event_id=event.id, part=part.id, q=query, _anchor=f"r{person.id}"),
        code=303,
    )
