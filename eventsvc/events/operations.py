"""What organisers do to their events: create, edit, duplicate, open, close, cancel. Parts and
questions are in ``operations_parts``, co-organisers in ``organisers``. Every change is written to
the audit log in the same transaction; functions flush, the caller commits.

A change that moves the event (its times, parts or venue) once people have signed up asks for
confirmation first (:class:`ConfirmationNeeded`, which says how many people it concerns), then
calls ``service.event_rescheduled`` once, so that their calendars follow. How many people are
registered is a question for the registrations domain, which sits above events: it answers
through ``events.audience`` (a read it registers at wiring time), so that events never imports
it and the confirmation still names how many registrations the change concerns.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, fields
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import service as audit
from ..auth.models import User
from ..common.errors import DomainError
from ..extensions import db
from . import service
from .models import Event, EventStatus, Part, Question
from .queries import active_registrations, needs_confirmation

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 80


class ManageError(DomainError):
    """A refusal with a message for the organiser."""


class SlugTaken(ManageError):
    pass


class StatusRefused(ManageError):
    pass


class ConfirmationNeeded(Exception):  # noqa: N818 - a question to the organiser, not a failure
    """The change moves an event people have signed up to: ask the organiser first."""

    def __init__(self, registrations: int):
        super().__init__(str(registrations))
        self.registrations = registrations


@dataclass
class EventData:
    """The fields of the event form."""

    title: str
    slug: str
    description: str = ""
    venue_name: str = ""
    venue_address: str = ""
    venue_commune: str = ""
    timezone: str = "Europe/Paris"
    capacity: int | None = None
    registration_opens_at: datetime | None = None
    registration_closes_at: datetime | None = None
    organiser_name: str = ""  # also the signatory of the certificates of attendance
    organiser_email: str = ""
    organiser_role: str = ""  # the signatory's role, printed on certificates
    lunch_provided: bool = False
    compensation_offered: bool = False
    compensation_scale: str = ""  # a scale family (compensation.catalogue.families())
    checkin_opens_evening_before: bool = False
    signature_mode: str = "none"  # attendance.models.SignatureMode
    sign_minutes_before: int = 30  # own-phone signing opens this long before a part
    sign_minutes_after: int = 30  # and closes this long after it
    reminder_hours_before: int | None = 24  # the participants' reminder (eventsvc.reminders)
    reminder_text: str | None = None
    embed_opens_new_tab: bool = False
    # The organiser's text in the confirmation and the invitation (Markdown subset), or None.
    confirmation_text: str | None = None
    invitation_text: str | None = None

    @classmethod
    def of(cls, event: Event) -> EventData:
        return cls(**{f.name: getattr(event, f.name) for f in fields(cls)})


# Fields whose change moves the event in people's calendars.
MOVING_FIELDS = ("venue_name", "venue_address", "venue_commune", "timezone")


def slugify(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
    return slug[:SLUG_MAX].rstrip("-") or "evenement"


def unique_slug(base: str) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is free."""
    base = slugify(base)
    taken = set(
        db.session.scalars(
            select(Event.slug).where((Event.slug == base) | Event.slug.like(base + "-%"))
        )
    )
    if base not in taken:
        return base
    number = 2
    while f"{base[: SLUG_MAX - 6]}-{number}" in taken:
        number += 1
    return f"{base[: SLUG_MAX - 6]}-{number}"


# Events


def create_event(
    data: EventData,
    *,
    day: date,
    start: time,
    end: time,
    lunch_break: tuple[time, time] | None,
    actor: User,
) -> Event:
    """A draft event with one part, or a morning and an afternoon around ``lunch_break``."""
    _check_slug_free(data.slug)
    event = Event(status=EventStatus.DRAFT)
    _apply(event, data)
    zone = ZoneInfo(data.timezone)
    if lunch_break:
        event.parts = [
            Part(
                label="Matin",
                starts_at=datetime.combine(day, start, zone),
                ends_at=datetime.combine(day, lunch_break[0], zone),
                position=0,
            ),
            Part(
                label="Après-midi",
                starts_at=datetime.combine(day, lunch_break[1], zone),
                ends_at=datetime.combine(day, end, zone),
                position=1,
            ),
        ]
    else:
        event.parts = [
            Part(
                label=data.title[:120],
                starts_at=datetime.combine(day, start, zone),
                ends_at=datetime.combine(day, end, zone),
                position=0,
            )
        ]
    event.organisers = [actor]
    db.session.add(event)
    db.session.flush()
    audit.record(
        "event.created", actor=actor, event=event, details={"title": data.title, "slug": data.slug}
    )
    return event


def update_event(
    event: Event,
    data: EventData,
    *,
    actor: User | None = None,
    actor_label: str | None = None,
    confirmed: bool = False,
) -> bool:
    """Apply the form; returns whether the event moved (times or venue). Who changes it is named
    as for :func:`audit.record` (an organiser, or ``actor_label=audit.COMMAND_LINE``)."""
    before = EventData.of(event)
    if data.slug != event.slug:
        if event.status != EventStatus.DRAFT:
            raise StatusRefused(
                _l(
                    "L'adresse de la page ne change plus une fois les inscriptions ouvertes : "
                    "les liens déjà envoyés ne marcheraient plus."
                ),
                field="slug",
            )
        _check_slug_free(data.slug)
    moved = any(getattr(before, name) != getattr(data, name) for name in MOVING_FIELDS)
    if moved:
        ask_confirmation(event, confirmed)
    if data.timezone != before.timezone:
        # The organiser typed wall-clock times: keep them in the new zone.
        zone = ZoneInfo(data.timezone)
        for part in event.parts:
            part.starts_at = part.local_start.replace(tzinfo=zone)
            part.ends_at = part.local_end.replace(tzinfo=zone)
    _apply(event, data)
    db.session.flush()
    diff = audit.changes(before.__dict__, data.__dict__)
    if diff:
        audit.record(
            "event.updated",
            actor=actor,
            actor_label=actor_label,
            event=event,
            details={"changes": diff},
        )
    if moved:
        rescheduled(event, actor, {"changes": diff}, actor_label=actor_label)
    return moved


def set_status(event: Event, status: str, *, actor: User) -> None:
    """Open or close registrations, or put an event with no registration back to draft."""
    if event.status == EventStatus.CANCELLED:
        raise StatusRefused(
            _l("Cet événement est annulé : dupliquez-le pour en organiser un nouveau.")
        )
    if status not in (EventStatus.DRAFT, EventStatus.OPEN, EventStatus.CLOSED):
        raise StatusRefused(_l("Ce statut n'existe pas."))
    if status == EventStatus.OPEN and not event.parts:
        raise StatusRefused(_l("Ajoutez au moins une partie avant d'ouvrir les inscriptions."))
    if status == EventStatus.DRAFT and active_registrations(event):
        raise StatusRefused(
            _l(
                "Des personnes sont inscrites : fermez les inscriptions plutôt que de repasser "
                "l'événement en brouillon."
            )
        )
    if status == event.status:
        return
    previous = event.status
    event.status = status
    db.session.flush()
    audit.record(
        "event.status_changed", actor=actor, event=event, details={"from": previous, "to": status}
    )


def cancel_event(event: Event, *, actor: User) -> list:
    """Returns who could not be told (``mail.bulk.Unsent``): the event is cancelled anyway."""
    if event.status == EventStatus.CANCELLED:
        return []
    previous = event.status
    unsent = service.event_cancelled(event)
    audit.record(
        "event.cancelled",
        actor=actor,
        event=event,
        details={"from": previous, "registrations": active_registrations(event)},
    )
    return unsent


def duplicate_event(event: Event, *, title: str, slug: str, first_day: date, actor: User) -> Event:
    """A draft copy for a recurring workshop: same parts and questions, moved to ``first_day``
    with the same local times (the registration window moves by the same number of days)."""
    _check_slug_free(slug)
    data = EventData.of(event)
    data.title, data.slug = title, slug
    shift = timedelta(days=(first_day - event.days[0]).days) if event.days else timedelta()
    zone = event.zone
    data.registration_opens_at = _shift(event.registration_opens_at, shift, zone)
    data.registration_closes_at = _shift(event.registration_closes_at, shift, zone)
    copy = Event(status=EventStatus.DRAFT)
    _apply(copy, data)
    copy.parts = [
        Part(
            label=part.label,
            starts_at=_shift(part.starts_at, shift, zone),
            ends_at=_shift(part.ends_at, shift, zone),
            capacity=part.capacity,
            position=index,
        )
        for index, part in enumerate(event.parts)
    ]
    copy.questions = [
        Question(
            label=question.label,
            kind=question.kind,
            choices=list(question.choices or []),
            required=question.required,
            position=index,
        )
        for index, question in enumerate(event.questions)
    ]
    copy.organisers = list(dict.fromkeys([*event.organisers, actor]))
    db.session.add(copy)
    db.session.flush()
    audit.record(
        "event.duplicated",
        actor=actor,
        event=event,
        details={"copy": copy.slug, "first_day": first_day},
    )
    audit.record(
        "event.duplicated_from",
        actor=actor,
        event=copy,
        details={"source": event.slug, "first_day": first_day},
    )
    return copy


def _shift(moment: datetime | None, shift: timedelta, zone: ZoneInfo) -> datetime | None:
    """Same local wall-clock time, ``shift`` days later (right across daylight saving changes)."""
    if moment is None:
        return None
    local = moment.astimezone(zone)
    return datetime.combine(local.date() + shift, local.time(), zone)


def _apply(event: Event, data: EventData) -> None:
    for f in fields(EventData):
        setattr(event, f.name, getattr(data, f.name))


def _check_slug_free(slug: str) -> None:
    if db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        raise SlugTaken(
            _l("Cette adresse est déjà prise par un autre événement : choisissez-en une autre."),
            field="slug",
        )


def ask_confirmation(event: Event, confirmed: bool) -> None:
    """Raise :class:`ConfirmationNeeded` unless confirmed, when people hold this event."""
    if not confirmed and needs_confirmation(event):
        raise ConfirmationNeeded(active_registrations(event))


def rescheduled(
    event: Event, actor: User | None, details: dict, *, actor_label: str | None = None
) -> None:
    """After a confirmed move: calendars follow (``service.event_rescheduled``), one audit line."""
    if event.status == EventStatus.DRAFT:
        return
    service.event_rescheduled(event)
    audit.record(
        "event.rescheduled",
        actor=actor,
        actor_label=actor_label,
        event=event,
        details={**details, "sequence": event.calendar_sequence},
    )
