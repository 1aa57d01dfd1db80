"""Signing on one's own phone (issue 17): the part's code (rules_own_device.part_code, nothing
stored), the part found from a typed code, the short-lived signed link sent by email, and the
signature itself through ``signing.sign`` (the same audited operation as the desk), captured as
« own_device ». Functions flush; the caller commits."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import func, select

from ..audit import service as audit
from ..database import utcnow
from ..events.models import Event, EventStatus, Part
from ..extensions import db
from ..links import external_url
from ..mail import outbox
from ..mail.compose import finish, to_person
from ..registrations.models import Registration, RegistrationStatus
from . import rules_own_device as rules
from . import service, signing
from .models import Signature

LINK_PURPOSE = "own-device-signature"
LINK_MINUTES = 15  # the emailed link signs for this long
# Parts looked at when a code is typed: those not ended two days ago nor starting in more than
# sixty (a code is an HMAC, not a column; the page still says « not yet » or « closed »).
LOOK_BEHIND, LOOK_AHEAD = timedelta(days=2), timedelta(days=60)


class OutsideWindow(service.AttendanceError):
    """Own-phone signing of the part is not open (``moment``: before or after)."""

    def __init__(self, part: Part, moment: str):
        super().__init__(f"signing {moment}")
        self.part = part
        self.moment = moment


class NotAttending(service.AttendanceError):
    """Not a confirmed registration of this part."""


def code_of(part: Part) -> str:
    return rules.part_code(current_app.config["SECRET_KEY"], part.id)


def window_of(part: Part) -> tuple[datetime, datetime]:
    event = part.event
    return rules.window(
        part.starts_at, part.ends_at, event.sign_minutes_before, event.sign_minutes_after
    )


def moment_of(part: Part, now: datetime | None = None) -> str:
    opens, closes = window_of(part)
    return rules.moment(opens, closes, now or utcnow())


def part_by_code(typed: str, now: datetime | None = None) -> Part | None:
    """The part whose code this is, among the parts near ``now`` of events asking for
    signatures and not cancelled."""
    code = rules.normalised_code(typed)
    if len(code) != rules.CODE_LENGTH:
        return None
    now = now or utcnow()
    candidates = db.session.scalars(
        select(Part.id)
        .join(Event, Event.id == Part.event_id)
        .where(
            Event.signature_mode != "none",
            Event.status != EventStatus.CANCELLED,
            Part.ends_at >= now - LOOK_BEHIND,
            Part.starts_at <= now + LOOK_AHEAD,
        )
    )
    secret = current_app.config["SECRET_KEY"]
    for part_id in candidates:  # ids only: 2,000 parts near now take about 17 ms (SQLite)
        if rules.same_code(rules.part_code(secret, part_id), code):
            return db.session.get(Part, part_id)
    return None


def attends(registration: Registration, part: Part) -> bool:
    return (
        registration.event_id == part.event_id
        and registration.status == RegistrationStatus.CONFIRMED
        and part in registration.attended_parts
    )


def check_can_sign(registration: Registration, part: Part, now: datetime | None = None) -> None:
    if not signing.asks_signatures(part.event):
        raise signing.SignaturesNotAsked("signatures not asked")
    if not attends(registration, part):
        raise NotAttending(registration.status)
    moment = moment_of(part, now)
    if moment != "open":
        raise OutsideWindow(part, moment)


def can_sign(registration: Registration, part: Part, now: datetime | None = None) -> bool:
    try:
        check_can_sign(registration, part, now)
    except service.AttendanceError:
        return False
    return True


def open_parts(registration: Registration, now: datetime | None = None) -> list[Part]:
    """The person's parts open for signing on their phone now (the « Signer » button)."""
    return [p for p in registration.attended_parts if can_sign(registration, p, now)]


def by_email(part: Part, email: str) -> Registration | None:
    """The confirmed registration of this part under this address, if any."""
    email = (email or "").strip().lower()
    if not email:
        return None
    candidates = db.session.scalars(
        select(Registration).where(
            Registration.event_id == part.event_id,
            func.lower(Registration.email) == email,
            Registration.status == RegistrationStatus.CONFIRMED,
        )
    )
    return next((r for r in candidates if attends(r, part)), None)


# The emailed link


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=LINK_PURPOSE)


def link_token(registration: Registration, part: Part) -> str:
    return _serializer().dumps({"r": registration.id, "p": part.id})


def registration_of_token(token: str, part: Part) -> Registration | None:
    """The registration an emailed link signs for, None when tampered, expired or of another
    part."""
    try:
        data = _serializer().loads(token, max_age=LINK_MINUTES * 60)
    except BadData:
        return None
    if not isinstance(data, dict) or data.get("p") != part.id:
        return None
    number = data.get("r")
    registration = db.session.get(Registration, number) if isinstance(number, int) else None
    return registration if registration is not None and attends(registration, part) else None


# Signing


def sign(
    registration: Registration,
    part: Part,
    strokes: list,
    *,
    duration_ms: int | None,
    client_address: str,
    user_agent: str,
) -> Signature:
    """The person's signature from their own phone and their check-in, in the desk's audited
    operation (signing.sign), while the part's signing window is open."""
    check_can_sign(registration, part)
    capture = signing.Capture(
        recorded_by="participant",
        client_address=client_address,
        user_agent=user_agent,
        captured_by="own_device",
    )
    return signing.sign(
        registration,
        part,
        strokes,
        duration_ms=duration_ms,
        capture=capture,
        actor=None,
        actor_label=audit.PARTICIPANT,
    )


def send_link(registration: Registration, part: Part, link: str) -> None:
    """The email with the short-lived link that signs, in the person's language, and its audit
    line. The caller answers the same whether or not this was called."""
    event = part.event
    message = to_person(
        registration,
        event,
        "own_sign_link",
        _l("Votre lien pour signer : %(title)s", title=event.title),
        registration=registration,
        part=part,
        link=link,
        minutes=LINK_MINUTES,
        event_url=external_url("public.event_page", slug=event.slug),
    )
    stamp = utcnow().strftime("%Y%m%d%H%M%S%f")
    outbox.enqueue(
        f"own-sign:{part.id}:{registration.id}:{stamp}",
        finish(message, registration.locale or "fr"),
    )
    audit.record(
        "attendance.sign_link_sent",
        actor_label=audit.PARTICIPANT,
        registration=registration,
        details={"part": part.label},
    )
