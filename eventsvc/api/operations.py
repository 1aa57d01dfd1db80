"""The API's writes that are its own: a sign-up sent by an organiser's tool. The others (change,
cancel, check-in) are the dashboard's operations, called inside ``audit.via("api")``."""

from __future__ import annotations

from ..audit import service as audit
from ..auth.models import User
from ..events.models import Event
from ..registrations import operations


def register(
    event: Event, command: operations.SignupCommand, *, locale: str, actor: User
) -> operations.SignupResult:
    """The public form's rules: the registration window, capacity and waiting list, one
    registration per address (``AlreadyRegistered``), the confirmation email."""
    result = operations.register(event, command, locale=locale)
    audit.record(
        "registration.api_added",
        actor=actor,
        registration=result.registration,
        details={"email": command.email, "status": result.registration.status},
    )
    return result
