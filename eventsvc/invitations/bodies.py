"""Bodies and their meetings: reads (members in office, the meeting of an event, the pouvoirs as
they stand, the quorum) and the organiser's settings (making a list a body, a member's function
and term, which body an event is a meeting of). Operations flush and let the caller commit; each
records its audit line. The rules are in ``rules_quorum`` (pure)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..attendance import service as attendance
from ..audit import service as audit
from ..database import utcnow
from ..events.models import Event
from ..extensions import db
from ..registrations.models import Registration, RegistrationStatus
from . import rules_quorum as rules
from .models import Contact, ContactList, Invitation, Reply
from .models_bodies import Body, BodyMember, Meeting, Pouvoir
from .queries import effective_reply, invitations_of

PARIS = ZoneInfo("Europe/Paris")


def body_of(contact_list: ContactList) -> Body | None:
    return db.session.get(Body, contact_list.id)


def bodies_of(owner) -> list[Body]:
    return list(
        db.session.scalars(
            select(Body)
            .join(ContactList, ContactList.id == Body.list_id)
            .where(ContactList.owner_id == owner.id)
            .order_by(ContactList.name)
        )
    )


def meeting_of(event: Event) -> Meeting | None:
    return db.session.get(Meeting, event.id)


def meeting_day(event: Event) -> date | None:
    days = event.days
    return days[0] if days else None


def started(event: Event) -> bool:
    """Pouvoirs can be given, changed and revoked until the meeting starts."""
    starts_at = event.starts_at
    return starts_at is not None and starts_at <= utcnow()


@dataclass(frozen=True)
class Member:
    contact: Contact
    function: str
    in_office: bool
    office_start: date | None
    office_end: date | None

    @property
    def name(self) -> str:
        return self.contact.formal_name

    def line(self) -> str:
        return f"{self.name} ({self.function})" if self.function else self.name


def _in_office(row: BodyMember | None, on: date | None) -> bool:
    if row is None:
        return True
    if not row.in_office:
        return False
    if on is not None and row.office_start is not None and on < row.office_start:
        return False
    return not (on is not None and row.office_end is not None and on > row.office_end)


def members(body: Body, on: date | None = None) -> list[Member]:
    """The contacts of the body's list, with their function and whether they are in office on
    ``on`` (today when None)."""
    on = on or utcnow().astimezone(PARIS).date()
    rows = {
        row.contact_id: row
        for row in db.session.scalars(select(BodyMember).where(BodyMember.list_id == body.list_id))
    }
    result = []
    for contact in body.contact_list.contacts:
        row = rows.get(contact.id)
        result.append(
            Member(
                contact,
                (row.function if row is not None and row.function else contact.function),
                _in_office(row, on),
                row.office_start if row is not None else None,
                row.office_end if row is not None else None,
            )
        )
    return result


def in_office(body: Body, on: date | None = None) -> list[Member]:
    return [m for m in members(body, on) if m.in_office]


def valid_pouvoirs(event: Event) -> list[Pouvoir]:
    return list(
        db.session.scalars(
            select(Pouvoir)
            .where(
                Pouvoir.event_id == event.id,
                Pouvoir.revoked_at.is_(None),
                Pouvoir.lapsed_at.is_(None),
            )
            .order_by(Pouvoir.id)
        )
    )


def pouvoir_of(invitation: Invitation) -> Pouvoir | None:
    """The giver's valid pouvoir, if any."""
    return db.session.scalar(
        select(Pouvoir).where(
            Pouvoir.giver_invitation_id == invitation.id,
            Pouvoir.revoked_at.is_(None),
            Pouvoir.lapsed_at.is_(None),
        )
    )


def pouvoirs_state(meeting: Meeting, *, without: Invitation | None = None) -> rules.Pouvoirs:
    """The pouvoirs of the meeting for the rules, leaving out ``without``'s own (being
    replaced)."""
    event = meeting.event
    pouvoirs = [
        p for p in valid_pouvoirs(event) if without is None or p.giver_invitation_id != without.id
    ]
    excused = [
        i.contact_id
        for i in invitations_of(event)
        if effective_reply(i) in (Reply.NO, Reply.REPRESENTED)
    ]
    return rules.Pouvoirs(
        members=[m.contact.id for m in in_office(meeting.body, meeting_day(event))],
        givers={p.giver.contact_id for p in pouvoirs},
        held=Counter(p.holder_contact_id for p in pouvoirs),
        excused=set(excused),
        max_per_holder=meeting.body.max_pouvoirs,
    )


def eligible_holders(meeting: Meeting, invitation: Invitation) -> list[Member]:
    """The members the giver may choose on the reply slip (their current holder included)."""
    state = pouvoirs_state(meeting, without=invitation)
    allowed = set(
        rules.eligible_holders(invitation.contact_id, state, started=started(meeting.event))
    )
    return [
        m for m in in_office(meeting.body, meeting_day(meeting.event)) if m.contact.id in allowed
    ]


# Who is there, and the quorum.


def any_check_in(event: Event) -> bool:
    """Once anyone is checked in, presence is the check-ins; before, a forecast."""
    return bool(attendance.attendees(event))


def present_registration_ids(event: Event) -> set[int]:
    """Check-ins once there are any; before, the confirmed registrations (a forecast)."""
    checked_in = attendance.attendees(event)
    if checked_in:
        return {r.id for r in checked_in}
    return set(
        db.session.scalars(
            select(Registration.id).where(
                Registration.event_id == event.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
    )


def present_members(meeting: Meeting) -> set[int]:
    """Contact ids of the members in office physically present: their own « yes » registration
    is checked in (or confirmed, before any check-in). A representative does not count."""
    event = meeting.event
    present_ids = present_registration_ids(event)
    office = {m.contact.id for m in in_office(meeting.body, meeting_day(event))}
    return {
        i.contact_id
        for i in invitations_of(event)
        if i.contact_id in office
        and effective_reply(i) == Reply.YES
        and i.registration_id in present_ids
    }


def quorum(meeting: Meeting) -> rules.Quorum:
    body = meeting.body
    event = meeting.event
    present = present_members(meeting)
    held = Counter(p.holder_contact_id for p in valid_pouvoirs(event))
    return rules.quorum(
        body.rule,
        in_office=len(in_office(body, meeting_day(event))),
        present=len(present),
        pouvoirs=rules.pouvoirs_held_by_present(held, present),
        pouvoirs_count=body.pouvoirs_count,
    )


# The organiser's settings.


@dataclass(frozen=True)
class BodySettings:
    is_body: bool
    quorum_kind: str = rules.QuorumKind.MAJORITY
    quorum_number: int | None = None
    pouvoirs_count: bool = False
    max_pouvoirs: int = 1
    notice_days: int = 0


def save_body(contact_list: ContactList, settings: BodySettings, *, actor) -> Body | None:
    """Make the list a body with these settings, or a plain list again (its meetings and their
    pouvoirs go with it)."""
    body = body_of(contact_list)
    if not settings.is_body:
        if body is not None:
            db.session.delete(body)
            db.session.flush()
            audit.record(
                "body.removed",
                actor=actor,
                details={"list": contact_list.id, "name": contact_list.name},
            )
        return None
    if body is None:
        body = Body(list_id=contact_list.id)
        db.session.add(body)
    body.quorum_kind = settings.quorum_kind
    body.quorum_number = (
        settings.quorum_number if settings.quorum_kind == rules.QuorumKind.FIXED else None
    )
    body.pouvoirs_count = settings.pouvoirs_count
    body.max_pouvoirs = settings.max_pouvoirs
    body.notice_days = settings.notice_days
    db.session.flush()
    audit.record(
        "body.saved", actor=actor, details={"list": contact_list.id, "name": contact_list.name}
    )
    return body


@dataclass(frozen=True)
class MemberTerm:
    function: str
    in_office: bool
    office_start: date | None = None
    office_end: date | None = None


def save_member(body: Body, contact: Contact, term: MemberTerm, *, actor) -> None:
    row = db.session.get(BodyMember, (body.list_id, contact.id))
    if row is None:
        row = BodyMember(list_id=body.list_id, contact_id=contact.id)
        db.session.add(row)
    row.function = term.function
    row.in_office = term.in_office
    row.office_start = term.office_start
    row.office_end = term.office_end
    db.session.flush()
    audit.record(
        "body.member_saved",
        actor=actor,
        details={"list": body.list_id, "name": body.name, "contact": contact.id},
    )


def set_meeting(event: Event, body: Body | None, *, actor) -> Meeting | None:
    """Make the event a meeting of ``body`` (None: no longer a meeting of a body)."""
    meeting = meeting_of(event)
    if body is None:
        if meeting is not None:
            db.session.delete(meeting)
            db.session.flush()
            audit.record("meeting.changed", actor=actor, event=event, details={"name": ""})
        return None
    if meeting is None:
        meeting = Meeting(event_id=event.id, list_id=body.list_id)
        db.session.add(meeting)
    meeting.list_id = body.list_id
    db.session.flush()
    db.session.refresh(meeting)
    audit.record("meeting.changed", actor=actor, event=event, details={"name": body.name})
    return meeting


def notice_due(meeting: Meeting) -> date | None:
    day = meeting_day(meeting.event)
    return rules.notice_due(day, meeting.body.notice_days) if day is not None else None


def notice_late(meeting: Meeting, today: date | None = None) -> bool:
    """Whether sending the convocation today is later than the body's notice period."""
    due = notice_due(meeting)
    today = today or utcnow().astimezone(meeting.event.zone).date()
    return due is not None and today > due


def confirm_late_notice(meeting: Meeting, *, actor=None, actor_label: str | None = None) -> None:
    meeting.late_notice_confirmed_at = utcnow()
    db.session.flush()
    audit.record(
        "meeting.late_notice_confirmed",
        actor=actor,
        actor_label=actor_label,
        event=meeting.event,
        details={"due": notice_due(meeting)},
    )


@dataclass(frozen=True)
class Slip:
    """The pouvoir section of a member's reply slip."""

    meeting: Meeting
    pouvoir: Pouvoir | None
    holders: list[Member]
    started: bool
    member: bool  # the invitee is a member in office of the body


def slip(invitation: Invitation) -> Slip | None:
    meeting = meeting_of(invitation.event)
    if meeting is None:
        return None
    office = {m.contact.id for m in in_office(meeting.body, meeting_day(invitation.event))}
    return Slip(
        meeting,
        pouvoir_of(invitation),
        eligible_holders(meeting, invitation),
        started(invitation.event),
        invitation.contact_id in office,
    )


def member_contact(meeting: Meeting, contact_id: int | None) -> Contact | None:
    """A contact of the body's list (in office or not: the rules say whether they may hold)."""
    for contact in meeting.body.contact_list.contacts:
        if contact.id == contact_id:
            return contact
    return None


def late_notice(event: Event) -> Meeting | None:
    """The event's meeting when sending its convocation today is later than the body's notice
    period (the organiser must confirm before anything is sent); None otherwise."""
    meeting = meeting_of(event)
    if meeting is None or meeting.body.notice_days <= 0 or not notice_late(meeting):
        return None
    return meeting
