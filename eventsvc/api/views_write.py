"""The API's writes (a write token only): sign up, change, cancel, check in.

A sign-up or a change goes through the public form's own checks (``registrations.forms``, fed the
JSON as if it had been typed) and the same operations as the form and the dashboard, so the rules
(email, capacity and waiting list, duplicates, emails sent) are the same whatever the way in.
Audit lines name the token's organiser and say « via l'API »."""

from __future__ import annotations

from functools import wraps

from flask import g, jsonify, request, url_for
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError
from werkzeug.datastructures import MultiDict

from ..attendance import operations as attendance
from ..attendance.service import AttendanceError
from ..audit import service as audit
from ..registrations import operations as registrations
from ..registrations import operations_manage as manage
from ..registrations.forms import EditRegistrationForm, SignupForm
from ..web import writes
from . import operation, reads, schemas
from . import operations as api_operations
from .problems import ApiProblem
from .views import found, organiser

# Form field -> the API's name for it (answers: q_<id> -> answers.<id>).
API_NAMES = {"parts": "part_ids"}
WRITE_PROBLEMS = (403, 404, 409, 422)


def write_token(view):
    @wraps(view)
    def checked(*args, **kwargs):
        if not g.api_token.can_write:
            raise ApiProblem(
                "forbidden", _l("Créez un jeton d'écriture pour inscrire, modifier ou pointer.")
            )
        return view(*args, **kwargs)

    return checked


def body(model: type[BaseModel]):
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise ApiProblem(
            "bad-request", _l("Envoyez un objet JSON (Content-Type: application/json).")
        )
    try:
        return model.model_validate(data)
    except ValidationError as error:
        raise ApiProblem("validation", errors=[_type_error(e) for e in error.errors()]) from None


def _type_error(error) -> dict:
    field = ".".join(str(part) for part in error["loc"])
    if error["type"] == "missing":
        detail = _l("Ce champ est obligatoire.")
    elif error["type"] == "extra_forbidden":
        detail = _l("Ce champ n'existe pas : vérifiez son nom.")
    else:
        detail = _l("Cette valeur n'a pas le type attendu (voir le document OpenAPI).")
    return {"field": field, "detail": detail}


def _form_data(values: dict) -> MultiDict:
    """The form's fields as a browser would send them."""
    data = MultiDict()
    for name in ("first_name", "last_name", "organisation", "email", "comment"):
        if values.get(name) is not None:
            data.add(name, values[name])
    data.add("full_day", "yes" if values.get("full_day", True) else "no")
    for part_id in values.get("part_ids") or []:
        data.add("parts", str(part_id))
    for name in ("arrival_time", "departure_time"):
        data.add(name, values.get(name) or "")
    for question_id, answer in (values.get("answers") or {}).items():
        for value in answer if isinstance(answer, list) else [answer]:
            data.add(f"q_{question_id}", value)
    return data


def _unknown_questions(event, answers: dict | None) -> list[dict]:
    """Answers to questions the event does not ask: said, not silently dropped."""
    asked = {str(question.id) for question in event.questions}
    return [
        {"field": f"answers.{key}", "detail": _l("Cet événement ne pose pas cette question.")}
        for key in (answers or {})
        if key not in asked
    ]


def _checked(form, errors: list[dict] = ()) -> None:
    if form.validate() and not errors:
        return
    errors = list(errors)
    for name, messages in form.errors.items():
        api_name = API_NAMES.get(name, name)
        if name.startswith("q_"):
            api_name = f"answers.{name[2:]}"
        errors.extend({"field": api_name, "detail": message} for message in messages)
    raise ApiProblem("validation", errors=errors)


def _refused(error) -> ApiProblem:
    if isinstance(error, registrations.AlreadyRegistered):
        return ApiProblem(
            "already-registered",
            _l("Une inscription existe déjà pour cette adresse (champ registration_id)."),
            extra={"registration_id": error.registration.public_id},
        )
    if isinstance(error, registrations.RegistrationClosed):
        return ApiProblem("conflict", _l("Les inscriptions à cet événement ne sont pas ouvertes."))
    if isinstance(error, registrations.NoRoom):
        return ApiProblem(
            "conflict",
            _l(
                "Il n'y a plus de place pour : %(parts)s.",
                parts=", ".join(p.label for p in error.parts),
            ),
        )
    if isinstance(error, registrations.RegistrationCancelled):
        return ApiProblem("conflict", _l("Cette inscription est annulée."))
    if isinstance(error, attendance.NotConfirmed):
        return ApiProblem(
            "conflict", _l("Seule une inscription confirmée peut être pointée présente.")
        )
    return ApiProblem("conflict", error.message)


def _registration_json(registration, status=200):
    result = jsonify(reads.registration_out(registration).model_dump(mode="json"))
    result.status_code = status
    return result


@operation(
    "POST", "/events/<int:event_id>/registrations",
    "Register someone (the public form's rules; the confirmation or waiting-list email is sent)",
    schemas.RegistrationOut, status=201, body=schemas.RegistrationIn, write=True,
    problems=WRITE_PROBLEMS,
)  # fmt: skip
@write_token
def create_registration(event_id: int):
    event = found(reads.event(organiser(), event_id))
    sent = body(schemas.RegistrationIn)
    form = SignupForm.for_event(event, formdata=_form_data(sent.model_dump()), meta={"csrf": False})
    _checked(form, _unknown_questions(event, sent.answers))
    with audit.via("api"), writes(flash_error=False, flash_unsent=False) as write:
        result = api_operations.register(
            event, form.to_command(), locale=sent.locale, actor=organiser()
        )
    if write.failed:
        raise _refused(write.error)
    created = _registration_json(result.registration, 201)
    created.headers["Location"] = url_for(
        ".get_registration", registration_id=result.registration.public_id
    )
    return created


@operation(
    "PATCH", "/registrations/<registration_id>",
    "Change names, parts, times, comment or answers (a confirmed person keeps their place)",
    schemas.RegistrationOut, body=schemas.RegistrationChangeIn, write=True,
    problems=WRITE_PROBLEMS,
)  # fmt: skip
@write_token
def change_registration(registration_id: str):
    registration = found(reads.registration(organiser(), registration_id))
    sent = body(schemas.RegistrationChangeIn)
    current = reads.registration_out(registration).model_dump()
    current["part_ids"] = [part.id for part in registration.chosen_parts]
    current["answers"] = {str(a["question_id"]): a["value"] for a in current["answers"]}
    current.update(sent.model_dump(exclude_unset=True))
    form = EditRegistrationForm.for_registration(
        registration, formdata=_form_data(current), meta={"csrf": False}
    )
    _checked(form, _unknown_questions(registration.event, sent.answers))
    with audit.via("api"), writes(flash_error=False, flash_unsent=False) as write:
        manage.edit(registration, form.identity(), form.to_change(), actor=organiser())
    if write.failed:
        raise _refused(write.error)
    return _registration_json(registration)


@operation(
    "POST", "/registrations/<registration_id>/cancel",
    "Cancel a registration (the freed place goes to the waiting list)",
    schemas.RegistrationOut, write=True, problems=(403, 404),
)  # fmt: skip
@write_token
def cancel_registration(registration_id: str):
    registration = found(reads.registration(organiser(), registration_id))
    with audit.via("api"), writes(flash_error=False, flash_unsent=False):
        manage.cancel(registration, actor=organiser())
    return _registration_json(registration)


@operation(
    "POST", "/events/<int:event_id>/check-ins",
    "Record that a confirmed person is present at a part (once check-in of the part is open)",
    schemas.CheckInOut, status=201, body=schemas.CheckInIn, write=True, problems=WRITE_PROBLEMS,
)  # fmt: skip
@write_token
def create_checkin(event_id: int):
    event = found(reads.event(organiser(), event_id))
    sent = body(schemas.CheckInIn)
    registration = reads.registration(organiser(), sent.registration_id)
    part = next((p for p in event.parts if p.id == sent.part_id), None)
    if registration is None or registration.event_id != event.id or part is None:
        field = (
            "part_id"
            if registration is not None and registration.event_id == event.id
            else ("registration_id")
        )
        raise ApiProblem(
            "validation",
            errors=[{"field": field, "detail": _l("Introuvable dans cet événement.")}],
        )
    with audit.via("api"), writes(flash_error=False, flash_unsent=False) as write:
        recorded = attendance.mark_present(registration, part, actor=organiser())
    if write.failed:
        error = write.error
        if isinstance(error, AttendanceError) and not isinstance(error, attendance.NotConfirmed):
            raise ApiProblem("conflict", str(error.message))
        raise _refused(error)
    checkin = reads.checkin_of(registration, part)
    result = jsonify(reads.checkin_out(checkin).model_dump(mode="json"))
    result.status_code = 201 if recorded else 200
    return result
