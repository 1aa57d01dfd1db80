"""What organisers do to their events: create, edit, duplicate, open, close, cancel; parts,
questions and co-organisers. Every change is written to the audit log in the same transaction.

A change that moves the event (its times, parts or venue) once people have signed up asks for
confirmation first (:class:`ConfirmationNeeded`), then calls ``service.event_rescheduled`` once, so
that their calendars follow. Functions flush; the caller commits.
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
from ..auth.service import find_by_email
from ..common.errors import DomainError
from ..extensions import db
from . import audience, service
from .models import Event, EventStatus, Part, Question, QuestionKind, event_organisers

SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 80


class ManageError(DomainError):
    """A refusal with a message for the organiser."""


class SlugTaken(ManageError):
    pass


class StatusRefused(ManageError):
    pass


class PartInUse(ManageError):
    pass


class OrganiserRefused(ManageError):
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
    organiser_name: str = ""
    organiser_email: str = ""
    lunch_provided: bool = False
    compensation_offered: bool = False
    compensation_scale: str = ""  # a scale family (compensation.catalogue.families())

    @classmethod
    def of(cls, event: Event) -> EventData:
        return cls(**{f.name: getattr(event, f.name) for f in fields(cls)})


# Fields whose change moves the event in people's calendars.
MOVING_FIELDS = ("venue_name", "venue_address", "venue_commune", "timezone")


@dataclass
class PartData:
    label: str
    day: date
    start: time
    end: time
    capacity: int | None = None

    def span(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        return datetime.combine(self.day, self.start, zone), datetime.combine(
            self.day, self.end, zone
        )


@dataclass
class QuestionData:
    label: str
    kind: str = QuestionKind.TEXT
    choices: list[str] | None = None
    required: bool = False


# Reading


def events_for(user: User) -> list[Event]:
    """The user's events, the most recently created first."""
    return list(
        db.session.scalars(
            select(Event)
            .join(event_organisers, event_organisers.c.event_id == Event.id)
            .where(event_organisers.c.user_id == user.id)
            .order_by(Event.created_at.desc(), Event.id.desc())
        )
    )


def active_registrations(event: Event) -> int:
    """People registered, confirmed or waiting (the registrations domain counts them)."""
    return audience.active_registrations(event)


def needs_confirmation(event: Event) -> bool:
    """Moving this event would change calendars people already hold."""
    return event.status in (EventStatus.OPEN, EventStatus.CLOSED) and bool(
        active_registrations(event)
    )


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


def update_event(event: Event, data: EventData, *, actor: User, confirmed: bool = False) -> bool:
    """Apply the form; returns whether the event moved (times or venue)."""
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
        _ask_confirmation(event, confirmed)
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
        audit.record("event.updated", actor=actor, event=event, details={"changes": diff})
    if moved:
        _rescheduled(event, actor, {"changes": diff})
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


def _ask_confirmation(event: Event, confirmed: bool) -> None:
    if not confirmed and needs_confirmation(event):
        raise ConfirmationNeeded(active_registrations(event))


def _rescheduled(event: Event, actor: User, details: dict) -> None:
    if event.status == EventStatus.DRAFT:
        return
    service.event_rescheduled(event)
    audit.record(
        "event.rescheduled",
        actor=actor,
        event=event,
        details={**details, "sequence": event.calendar_sequence},
    )


# Parts


def add_part(event: Event, data: PartData, *, actor: User, confirmed: bool = False) -> Part:
    """Added where it belongs in time; everyone registered for the whole day now attends it."""
    _ask_confirmation(event, confirmed)
    starts_at, ends_at = data.span(event.zone)
    part = Part(label=data.label, starts_at=starts_at, ends_at=ends_at, capacity=data.capacity)
    ordered = list(event.parts)
    index = sum(1 for existing in ordered if existing.starts_at <= starts_at)
    ordered.insert(index, part)
    event.parts = ordered
    _renumber(ordered)
    db.session.flush()
    audit.record("part.added", actor=actor, event=event, details=_part_details(part))
    _rescheduled(event, actor, {"part_added": data.label})
    return part


def update_part(part: Part, data: PartData, *, actor: User, confirmed: bool = False) -> bool:
    """Returns whether the part's times changed."""
    event = part.event
    starts_at, ends_at = data.span(event.zone)
    moved = (starts_at, ends_at) != (part.starts_at, part.ends_at)
    if moved:
        _ask_confirmation(event, confirmed)
    before = _part_details(part)
    part.label, part.starts_at, part.ends_at = data.label, starts_at, ends_at
    part.capacity = data.capacity
    db.session.flush()
    diff = audit.changes(before, _part_details(part))
    if diff:
        audit.record("part.updated", actor=actor, event=event, details={"changes": diff})
    if moved:
        _rescheduled(event, actor, {"part": part.label, "changes": diff})
    return moved


def move_part(part: Part, offset: int, *, actor: User) -> None:
    event = part.event
    ordered = list(event.parts)
    if not _move(ordered, part, offset):
        return
    event.parts = ordered
    db.session.flush()
    audit.record(
        "part.moved", actor=actor, event=event, details={"part": part.label, "offset": offset}
    )


def delete_part(part: Part, *, actor: User, confirmed: bool = False) -> None:
    """Refused while someone registered for only some parts chose it."""
    event = part.event
    chosen_by = audience.chosen_by(part)
    if chosen_by:
        raise PartInUse(
            _l(
                "%(count)d personne(s) inscrite(s) ont choisi cette partie : modifiez ou annulez "
                "leur inscription avant de la supprimer.",
                count=chosen_by,
            )
        )
    if len(event.parts) == 1 and event.status != EventStatus.DRAFT:
        raise PartInUse(_l("Un événement ouvert garde au moins une partie."))
    _ask_confirmation(event, confirmed)
    details = _part_details(part)
    event.parts = [p for p in event.parts if p is not part]
    _renumber(event.parts)
    db.session.flush()
    audit.record("part.deleted", actor=actor, event=event, details=details)
    _rescheduled(event, actor, {"part_deleted": details["label"]})


def _part_details(part: Part) -> dict:
    return {
        "label": part.label,
        "starts_at": part.local_start.isoformat() if part.starts_at else None,
        "ends_at": part.local_end.isoformat() if part.ends_at else None,
        "capacity": part.capacity,
    }


# Questions


def add_question(event: Event, data: QuestionData, *, actor: User) -> Question:
    question = Question(
        label=data.label,
        kind=data.kind,
        choices=_choices(data),
        required=data.required,
        position=len(event.questions),
    )
    event.questions.append(question)
    db.session.flush()
    audit.record("question.added", actor=actor, event=event, details=_question_details(question))
    return question


def update_question(question: Question, data: QuestionData, *, actor: User) -> None:
    before = _question_details(question)
    question.label, question.kind = data.label, data.kind
    question.choices, question.required = _choices(data), data.required
    db.session.flush()
    diff = audit.changes(before, _question_details(question))
    if diff:
        audit.record(
            "question.updated", actor=actor, event=question.event, details={"changes": diff}
        )


def move_question(question: Question, offset: int, *, actor: User) -> None:
    event = question.event
    ordered = list(event.questions)
    if not _move(ordered, question, offset):
        return
    event.questions = ordered
    db.session.flush()
    audit.record(
        "question.moved",
        actor=actor,
        event=event,
        details={"question": question.label, "offset": offset},
    )


def delete_question(question: Question, *, actor: User) -> None:
    """Its answers go with it."""
    event = question.event
    details = _question_details(question)
    event.questions = [q for q in event.questions if q is not question]
    _renumber(event.questions)
    db.session.flush()
    audit.record("question.deleted", actor=actor, event=event, details=details)


def _choices(data: QuestionData) -> list[str]:
    if data.kind not in (QuestionKind.SINGLE_CHOICE, QuestionKind.MULTIPLE_CHOICE):
        return []
    return list(dict.fromkeys(choice.strip() for choice in data.choices or [] if choice.strip()))


def _question_details(question: Question) -> dict:
    return {
        "label": question.label,
        "kind": question.kind,
        "choices": list(question.choices or []),
        "required": question.required,
    }


def _move(ordered: list, item, offset: int) -> bool:
    index = ordered.index(item)
    target = index + offset
    if offset == 0 or not 0 <= target < len(ordered):
        return False
    ordered.insert(target, ordered.pop(index))
    _renumber(ordered)
    return True


def _renumber(items) -> None:
    for position, item in enumerate(items):
        item.position = position


# Organisers


def add_organiser(event: Event, email: str, *, actor: User) -> User:
    user = find_by_email(email)
    if user is None or not user.active:
        raise OrganiserRefused(
            _l(
                "Aucun compte organisateur n'a cette adresse : demandez à la personne de vous "
                "donner l'adresse de son compte, ou à l'administrateur de lui en créer un."
            )
        )
    if user in event.organisers:
        return user
    event.organisers.append(user)
    db.session.flush()
    audit.record(
        "event.organiser_added", actor=actor, event=event, details={"organiser": user.email}
    )
    return user


def remove_organiser(event: Event, user: User, *, actor: User) -> None:
    if user not in event.organisers:
        return
    if len(event.organisers) == 1:
        raise OrganiserRefused(
            _l("Un événement garde au moins un organisateur : ajoutez-en un autre d'abord.")
        )
    event.organisers.remove(user)
    db.session.flush()
    audit.record(
        "event.organiser_removed", actor=actor, event=event, details={"organiser": user.email}
    )
