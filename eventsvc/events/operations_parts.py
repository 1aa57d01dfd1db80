"""What organisers do to an event's parts and questions: add, edit, reorder, delete. Every change
is written to the audit log in the same transaction; functions flush, the caller commits.

Moving a part of an event people signed up to asks first (``operations.ConfirmationNeeded``) and
reschedules once. A part chosen by someone registered cannot be deleted: the registrations domain
counts them through ``events.audience`` (events may not import it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l

from ..audit import service as audit
from ..auth.models import User
from ..database import utcnow
from ..extensions import db
from . import audience
from .models import Event, EventStatus, Part, Question, QuestionKind
from .operations import ManageError, ask_confirmation, rescheduled


class PartInUse(ManageError):
    pass


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


# Parts


def add_part(event: Event, data: PartData, *, actor: User, confirmed: bool = False) -> Part:
    """Added where it belongs in time; everyone registered for the whole day now attends it."""
    ask_confirmation(event, confirmed)
    starts_at, ends_at = data.span(event.zone)
    part = Part(label=data.label, starts_at=starts_at, ends_at=ends_at, capacity=data.capacity)
    ordered = list(event.parts)
    index = sum(1 for existing in ordered if existing.starts_at <= starts_at)
    ordered.insert(index, part)
    event.parts = ordered
    _renumber(ordered)
    changed(event)
    db.session.flush()
    audit.record("part.added", actor=actor, event=event, details=_part_details(part))
    rescheduled(event, actor, {"part_added": data.label})
    return part


def update_part(part: Part, data: PartData, *, actor: User, confirmed: bool = False) -> bool:
    """Returns whether the part's times changed."""
    event = part.event
    starts_at, ends_at = data.span(event.zone)
    moved = (starts_at, ends_at) != (part.starts_at, part.ends_at)
    if moved:
        ask_confirmation(event, confirmed)
    before = _part_details(part)
    part.label, part.starts_at, part.ends_at = data.label, starts_at, ends_at
    part.capacity = data.capacity
    changed(event)
    db.session.flush()
    diff = audit.changes(before, _part_details(part))
    if diff:
        audit.record("part.updated", actor=actor, event=event, details={"changes": diff})
    if moved:
        rescheduled(event, actor, {"part": part.label, "changes": diff})
    return moved


def move_part(part: Part, offset: int, *, actor: User) -> None:
    event = part.event
    ordered = list(event.parts)
    if not _move(ordered, part, offset):
        return
    event.parts = ordered
    changed(event)
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
    ask_confirmation(event, confirmed)
    details = _part_details(part)
    event.parts = [p for p in event.parts if p is not part]
    _renumber(event.parts)
    changed(event)
    db.session.flush()
    audit.record("part.deleted", actor=actor, event=event, details=details)
    rescheduled(event, actor, {"part_deleted": details["label"]})


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
    changed(event)
    db.session.flush()
    audit.record("question.added", actor=actor, event=event, details=_question_details(question))
    return question


def update_question(question: Question, data: QuestionData, *, actor: User) -> None:
    before = _question_details(question)
    question.label, question.kind = data.label, data.kind
    question.choices, question.required = _choices(data), data.required
    changed(question.event)
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
    changed(event)
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
    changed(event)
    db.session.flush()
    audit.record("question.deleted", actor=actor, event=event, details=details)


def changed(event: Event) -> None:
    """A part or a question changed: the event's ``updated_at`` moves too, which drops the
    per-process form class built for it and shows the change to the API's ``updated_since``."""
    event.updated_at = utcnow()


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
