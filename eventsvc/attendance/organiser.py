"""Dashboard pages for the day itself: the attendance overview and the check-in page (plain
forms, enhanced by static/checkin.js through two JSON endpoints). Sign-in sheets, certificates
and the attendance export are in ``organiser_documents``. The work is done by ``manage`` and
``service``. Registered on the dashboard's blueprint by ``dashboard/__init__.py``."""

from __future__ import annotations

from flask import abort, flash, jsonify, make_response, redirect, request, url_for
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from .. import signals
from ..common.query_args import ID_MAX, arg_int, bounded_int
from ..database import utcnow
from ..events.forms import ConfirmForm
from ..events.lookups import organiser_event
from ..events.models import Event, Part
from ..extensions import db
from ..i18n import clock, weekday_date
from ..jobs import runner
from ..registrations.lookups import organiser_registration
from ..registrations.models import Registration
from ..security import CAMERA_PERMISSIONS_POLICY
from ..web import OrganiserPages, actor, render, writes
from . import badges, documents, mailing, operations, rules, service, signing
from .forms import WalkInForm

pages = OrganiserPages("attendance")


def part_of(event: Event, part_id) -> Part:
    """A part of this event, else 404."""
    part = db.session.get(Part, part_id) if isinstance(part_id, int) else None
    if part is None or part.event_id != event.id:
        abort(404)
    return part


def current_part(event: Event) -> Part | None:
    """The part under way (or next, or last) by the clock, in the event's zone."""
    if not event.parts:
        return None
    chosen = rules.current_part(
        [rules.PartTime(p.id, p.local_start, p.local_end) for p in event.parts],
        utcnow().astimezone(event.zone),
    )
    return next(p for p in event.parts if p.id == chosen)


def _chosen_part(event: Event) -> Part | None:
    part_id = arg_int("part")
    return part_of(event, part_id) if part_id is not None else current_part(event)


def _matches(row: service.DeskRow, query: str) -> bool:
    person = row.registration
    haystack = rules.folded(f"{person.first_name} {person.last_name} {person.organisation}")
    return all(word in haystack for word in rules.folded(query).split())


def _expected(error, kind: type):
    """The refusal this page answers in its own words; any other still fails loudly."""
    if not isinstance(error, kind):
        raise error
    return error


# Overview


@pages.route("/events/<int:event_id>/attendance", methods=["GET"])
def attendance(event_id: int):
    event = organiser_event(event_id)
    return render(
        "attendance.html",
        event=event,
        figures=service.figures(event),
        attendees=service.attendees(event),
        certificate_refusals=documents.certificate_refusals(event),
        certified=documents.certified(event),
        is_over=service.event_is_over(event),
        current=current_part(event),
        openings=[(part, _opening(part)) for part in event.parts],
        sending=runner.active(mailing.JOB, event.id),
        badge_people=badges.people(event),
    )


def _opening(part: Part) -> str:
    """For the overview: « l'accueil ouvre le … », « … ouvre la veille, … » or « accueil
    ouvert »."""
    if service.checkin_is_open(part):
        return _("accueil ouvert")
    opens_at = service.checkin_opens_at(part)
    if part.event.checkin_opens_evening_before:
        return _(
            "l'accueil ouvre la veille, le %(day)s à %(time)s",
            day=weekday_date(opens_at),
            time=clock(opens_at),
        )
    return _(
        "l'accueil ouvre le %(day)s à %(time)s", day=weekday_date(opens_at), time=clock(opens_at)
    )


# Check-in page


@pages.route("/events/<int:event_id>/checkin", methods=["GET"])
def checkin(event_id: int):
    event = organiser_event(event_id)
    return _desk_page(event, _chosen_part(event), request.args.get("q", "").strip())


def _desk_page(event: Event, part: Part | None, query: str, walk_in_form: WalkInForm | None = None):
    is_open = part is not None and service.checkin_is_open(part)
    rows = service.desk(event, part) if is_open else []
    shown = [row for row in rows if _matches(row, query)] if query else rows
    response = make_response(
        render(
            "checkin.html",
            event=event,
            part=part,
            colour=_colour(event, part),
            is_open=is_open,
            not_open=None if part is None or is_open else _not_open(part),
            query=query,
            rows=shown,
            total=len(rows),
            present=sum(1 for row in rows if row.present),
            expected=sum(1 for row in rows if row.expected and not row.registration.walk_in),
            form=ConfirmForm(),
            walk_in_form=walk_in_form or WalkInForm(formdata=None).fresh(),
            panels=signals.returned(signals.checkin_panels.send(event)),
            **_signature_context(event, part if is_open else None),
        )
    )
    response.headers["Permissions-Policy"] = CAMERA_PERMISSIONS_POLICY  # the code scanner
    return response


def _signature_context(event: Event, part: Part | None) -> dict:
    """What the pad needs (static/signature.js): the signatures in force by person (None when
    the event asks for none), and the part's countersignature."""
    if part is None or not signing.asks_signatures(event):
        return {"signatures": None, "countersign_asked": False, "countersignature": None}
    return {
        "signatures": signing.current_signatures(part),
        "countersign_asked": signing.asks_countersignature(event),
        "countersignature": signing.countersignature(part),
    }


# The band of each part: colour classes by the part's place in the event (the label is always
# written next to it, the colour only helps to see at a glance that the part changed).
PART_COLOURS = 6


def _colour(event: Event, part: Part | None) -> int:
    return event.parts.index(part) % PART_COLOURS if part is not None else 0


def _back_to_desk(event: Event, part: Part, anchor: str | None = None):
    query = request.form.get("q", "").strip() or None
    return redirect(
        url_for(".checkin", event_id=event.id, part=part.id, q=query, _anchor=anchor), code=303
    )


@pages.route("/events/<int:event_id>/checkin/<int:part_id>/<int:registration_id>", methods=["POST"])
def checkin_tap(event_id: int, part_id: int, registration_id: int):
    """Without JavaScript: one button per person, in a form of its own."""
    event = organiser_event(event_id)
    part = part_of(event, part_id)
    registration = organiser_registration(event, registration_id)
    present = request.form.get("present") != "0"
    with writes(flash_error=False) as write:
        _tap(registration, part, present)
    if write.failed:
        flash(_refusal(write.error, registration), "error")
    else:
        flash(_tapped(registration, part, present), "success")
    return _back_to_desk(event, part, f"r{registration.id}")


@pages.route("/events/<int:event_id>/checkin/<int:part_id>/walk-in", methods=["POST"])
def checkin_walk_in(event_id: int, part_id: int):
    event = organiser_event(event_id)
    part = part_of(event, part_id)
    form = WalkInForm()
    if not service.checkin_is_open(part):
        flash(_not_open(part), "error")
        return _back_to_desk(event, part)
    if form.validate_on_submit():
        registration = _walk_in(event, part, form)
        if registration is not None:
            flash(_walked_in(registration, part), "success")
            return _back_to_desk(event, part, f"r{registration.id}")
    # The page again, the form refilled with its messages next to the fields.
    return _desk_page(event, part, "", walk_in_form=form)


def _tap(registration: Registration, part: Part, present: bool) -> bool:
    if present:
        return operations.mark_present(registration, part, actor=actor())
    return operations.mark_absent(registration, part, actor=actor())


def _walk_in(event: Event, part: Part, form: WalkInForm) -> Registration | None:
    """The person added and committed; None (a message next to the email) when refused."""
    with writes(form, flash_error=False) as write:
        registration = operations.add_walk_in(
            event,
            part,
            first_name=form.first_name.data,
            last_name=form.last_name.data,
            organisation=form.organisation.data or "",
            email=form.email_value,
            actor=actor(),
            request_id=form.request_id_value,
        )
    if write.failed:
        _expected(write.error, service.AttendanceError)
        if isinstance(write.error, operations.CheckInNotOpen):
            flash(_not_open(part), "error")
            return None
        form.email.errors.append(
            _(
                "Une inscription existe déjà avec cette adresse : cherchez la personne par son "
                "nom dans la liste et marquez-la présente."
            )
        )
        return None
    return registration


def _tapped(registration: Registration, part: Part, present: bool) -> str:
    """The confirmation of a tap names the part it went to."""
    if present:
        return _(
            "%(name)s pointé·e présent·e — %(part)s",
            name=registration.display_name,
            part=part.label,
        )
    return _(
        "%(name)s : présence annulée — %(part)s", name=registration.display_name, part=part.label
    )


def _walked_in(registration: Registration, part: Part) -> str:
    return _(
        "%(name)s ajouté·e sur place et pointé·e présent·e — %(part)s",
        name=registration.display_name,
        part=part.label,
    )


def _not_open(part: Part) -> str:
    opens_at = service.checkin_opens_at(part)
    if part.event.checkin_opens_evening_before:
        return _(
            "L'accueil de la partie « %(part)s » ouvre la veille, le %(day)s à %(time)s.",
            part=part.label,
            day=weekday_date(opens_at),
            time=clock(opens_at),
        )
    return _(
        "L'accueil de la partie « %(part)s » ouvre le %(day)s à %(time)s.",
        part=part.label,
        day=weekday_date(opens_at),
        time=clock(opens_at),
    )


def _not_confirmed(registration: Registration) -> str:
    return _(
        "L'inscription de %(name)s n'est pas confirmée : confirmez-la depuis la liste des "
        "inscriptions, puis marquez la personne présente.",
        name=registration.display_name,
    )


def _refusal(error, registration: Registration) -> str:
    """A tap refused: check-in not open yet, or a registration that is not confirmed."""
    if isinstance(error, operations.CheckInNotOpen):
        return _not_open(error.part)
    _expected(error, operations.NotConfirmed)
    return _not_confirmed(registration)


# The JSON endpoints of static/checkin.js (CSRF token in the X-CSRFToken header)


def _json_error(message: str, status: int, **extra):
    return jsonify(ok=False, error=message, **extra), status


def _payload() -> dict:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _int(value) -> int | None:
    """An id from the check-in page's JSON; anything else (or past the column's range) is None."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return bounded_int(value, minimum=0, maximum=ID_MAX) if isinstance(value, str) else None


def _json_part(event: Event, data: dict) -> Part | None:
    part_id = _int(data.get("part_id"))
    part = db.session.get(Part, part_id) if part_id is not None else None
    return part if part is not None and part.event_id == event.id else None


@pages.route("/events/<int:event_id>/checkin.json", methods=["POST"])
def checkin_json(event_id: int):
    """{"part_id", "registration_id", "present": true|false} → the state recorded.

    Idempotent: the same tap sent twice (a retry, another phone) leaves one check-in."""
    event = organiser_event(event_id)
    data = _payload()
    part = _json_part(event, data)
    if part is None:
        return _json_error(_("Cette partie n'existe pas dans cet événement."), 404)
    registration_id = _int(data.get("registration_id"))
    registration = db.session.get(Registration, registration_id) if registration_id else None
    if registration is None or registration.event_id != event.id:
        return _json_error(_("Cette personne n'est pas inscrite à cet événement."), 404)
    if not isinstance(data.get("present"), bool):
        return _json_error("present: true or false", 400)
    present = data["present"]
    with writes(flash_error=False) as write:
        changed = _tap(registration, part, present)
    if write.failed:
        return _json_error(_refusal(write.error, registration), 409)
    return jsonify(
        ok=True,
        registration_id=registration.id,
        part_id=part.id,
        present=present,
        changed=changed,
        message=_tapped(registration, part, present),
        counts=_counts(event, part),
    )


@pages.route("/events/<int:event_id>/walk-in.json", methods=["POST"])
def walk_in_json(event_id: int):
    """{"part_id", "first_name", "last_name", "organisation", "email"} → the person added."""
    event = organiser_event(event_id)
    data = _payload()
    part = _json_part(event, data)
    if part is None:
        return _json_error(_("Cette partie n'existe pas dans cet événement."), 404)
    if not service.checkin_is_open(part):
        return _json_error(_not_open(part), 409)
    fields = {
        name: data[name] if isinstance(data.get(name), str) else ""
        for name in ("first_name", "last_name", "organisation", "email", "request_id")
    }
    form = WalkInForm(formdata=MultiDict(fields), meta={"csrf": False})
    registration = _walk_in(event, part, form) if form.validate() else None
    if registration is None:
        errors = {name: [str(e) for e in field.errors] for name, field in form._fields.items()}
        return _json_error(
            _("Vérifiez les champs signalés."),
            422,
            errors={name: messages for name, messages in errors.items() if messages},
        )
    return jsonify(
        ok=True,
        registration_id=registration.id,
        part_id=part.id,
        last_name=registration.last_name,
        first_name=registration.first_name,
        organisation=registration.organisation,
        tap_url=url_for(
            ".checkin_tap", event_id=event.id, part_id=part.id, registration_id=registration.id
        ),
        message=_walked_in(registration, part),
        counts=_counts(event, part),
    )


def _counts(event: Event, part: Part) -> dict:
    rows = service.desk(event, part)
    counts: dict = {
        "present": sum(1 for row in rows if row.present),
        "expected": sum(1 for row in rows if row.expected and not row.registration.walk_in),
    }
    panels = signals.returned(signals.checkin_panels.send(event))
    if panels:  # what other domains show on the desk (a body's quorum), refreshed with the counts
        counts["panels"] = {name: str(html) for name, html in panels}
    return counts
