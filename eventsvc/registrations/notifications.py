"""What each change to a registration or an event sends, queued in the caller's transaction.

SEQUENCE of a registration's invites = event.calendar_sequence + registration.calendar_sequence:
both only grow, so every update outranks the one before, whoever caused it.

A registration email is queued as a recipe (:mod:`eventsvc.mail.recipes`): what the message is
about as it stands now (kind, SEQUENCE, calendar method, the parts and days, the waiting-list
position, how the personal link is worded, language, the person's name and address), with no
personal link. The worker composes it when it delivers it (:func:`compose_recipe`), from that
record and not from the registration's state by then (which later changes may have moved on: they
send their own messages). A registration erased before delivery sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import force_locale

from .. import calendars as calendar
from .. import signals
from ..database import utcnow
from ..extensions import db
from ..i18n import part_label
from ..links import checkin_code, external_url, personal_url
from ..mail import bulk, outbox, recipes
from ..mail import compose as mail_compose
from ..mail.compose import Composed, compose
from . import participant_rights
from .models import Registration, RegistrationStatus

# The messages that end a registration carry no check-in QR code: nothing is left to bring to
# the event. Neither do those of a registration not confirmed (the waiting list).
WITHOUT_QR_CODE = frozenset({"cancelled", "event_cancelled", "waitlisted", "resent_waitlisted"})
# The emails that confirm a place carry the organiser's own text (``Event.confirmation_text``).
CONFIRMATION_KINDS = ("confirmed", "promoted", "resent")
# The name of this module's recipes (``mail.recipes``).
RECIPE = "registration"


def sequence(registration: Registration) -> int:
    return registration.event.calendar_sequence + registration.calendar_sequence


def organizer(event) -> calendar.Person:
    return calendar.Person(event.organiser_name, event.organiser_email)


def existing_entry(registration: Registration) -> calendar.Entry | None:
    """The entry the person already has in their calendar for this event (an invitation's)."""
    entries = signals.returned(signals.registration_calendar_entry.send(registration))
    return entries[0] if entries else None


def _spans(parts) -> list[calendar.Span]:
    return [calendar.Span(part.local_start, part.local_end) for part in parts]


def attended_days(registration: Registration, parts=None) -> dict[date, calendar.Span]:
    return calendar.day_spans(
        _spans(registration.attended_parts if parts is None else parts),
        registration.arrival_time,
        registration.departure_time,
    )


def occurrences(
    registration: Registration, days: dict[date, calendar.Span], link: str, parts=None
) -> list[calendar.Occurrence]:
    """One per day; ``parts``: those attended when the message was queued (by default, now)."""
    event = registration.event
    parts = registration.attended_parts if parts is None else parts
    location = ", ".join(
        x for x in (event.venue_name, event.venue_address, event.venue_commune) if x
    )
    with force_locale(registration.locale):
        result = []
        for day, span in sorted(days.items()):
            labels = [part_label(p) for p in parts if p.local_start.date() == day]
            description = "\n".join(
                [*labels, "", _personal_link_line(link)] if labels else [_personal_link_line(link)]
            )
            result.append(
                calendar.Occurrence(
                    uid=calendar.occurrence_uid(registration.public_id, day),
                    start=span.start,
                    end=span.end,
                    summary=event.title,
                    location=location,
                    description=description,
                    url=link,
                )
            )
    return result


def _personal_link_line(link: str) -> str:
    from flask_babel import gettext as _

    return _("Votre lien personnel (voir, modifier, annuler) : %(link)s", link=link)


@dataclass(frozen=True)
class AsQueued:
    """What a registration email says of the registration, fixed when it is queued."""

    kind: str
    sequence: int
    method: str | None  # the calendar's: REQUEST, CANCEL, or None (no calendar)
    parts: list  # the parts attended (Part objects), in the registration's order
    arrival: time | None
    departure: time | None
    days: dict[date, calendar.Span] | None  # the calendar's days (None without a calendar)
    position: int | None
    link_offer: str
    locale: str


def as_queued(
    kind: str, registration: Registration, *, method: str | None, days=None, position=None
) -> AsQueued:
    parts = registration.attended_parts
    if method is not None and days is None:
        days = attended_days(registration, parts)
    return AsQueued(
        kind=kind,
        sequence=sequence(registration),
        method=method,
        parts=parts,
        arrival=registration.arrival_time,
        departure=registration.departure_time,
        days=days if method is not None else None,
        position=position,
        link_offer=participant_rights.link_offer(registration),
        locale=registration.locale,
    )


class _Registration:
    """The registration as the templates see it: its name, parts and times as queued."""

    def __init__(self, registration: Registration, queued: AsQueued, name: str):
        self._registration = registration
        self.display_name = name
        self.attended_parts = queued.parts
        self.arrival_time = queued.arrival
        self.departure_time = queued.departure

    def __getattr__(self, name):
        return getattr(self._registration, name)


def composed(
    kind: str,
    registration: Registration,
    *,
    method: str | None,
    days=None,
    position: int | None = None,
) -> Composed:
    """The email of ``kind`` for this person as it stands now (what the organiser's preview
    shows, for a sample person; the worker composes the same from the recipe)."""
    queued = as_queued(kind, registration, method=method, days=days, position=position)
    return _compose(registration, queued)


def _compose(
    registration: Registration,
    queued: AsQueued,
    message_id: str | None = None,
    to: tuple[str, str] | None = None,
):
    event = registration.event
    link = personal_url(registration)
    kind = queued.kind
    ics = None
    if queued.method is not None:
        build = calendar.request if queued.method == "REQUEST" else calendar.cancel
        entries = occurrences(registration, queued.days, link, queued.parts)
        # The invitation's entry when the person answered one: updated, never doubled.
        entry = existing_entry(registration)
        if entry is not None:
            entries = calendar.merged(entries, entry.uid)
        ics = build(
            entries,
            organizer=entry.organizer if entry is not None else organizer(event),
            attendee=calendar.Person(*(to or (registration.display_name, registration.email))),
            sequence=queued.sequence,
            zone=event.timezone,
            stamp=utcnow(),
        )
    to_name, to_email = to or (registration.display_name, registration.email)
    return compose(
        kind,
        to_name=to_name,
        to_email=to_email,
        locale=queued.locale,
        calendar=ics,
        calendar_method=queued.method,
        qr_text=_checkin_qr(kind, registration),
        message_id=message_id,
        context={
            "event": event,
            "registration": _Registration(registration, queued, to_name),
            "link": link,
            "link_offer": queued.link_offer,
            "position": queued.position,
            "event_url": external_url("public.event_page", slug=event.slug),
            "organiser_text": event.confirmation_text if kind in CONFIRMATION_KINDS else None,
        },
    )


def _checkin_qr(kind: str, registration: Registration) -> str | None:
    """The check-in code shown as a QR code (« à présenter à l'accueil »); the personal link is
    written out as a link, not as a QR code (a code at the desk must not open the registration).

    Not on the waiting list; a message about a place still carries it when the person cancelled
    before its delivery, so that it is the same message whenever the worker composes it (the
    desk's lookup says the registration is cancelled)."""
    if kind in WITHOUT_QR_CODE or registration.status == RegistrationStatus.WAITLISTED:
        return None
    return checkin_code(registration)


def _send(
    kind: str,
    registration: Registration,
    *,
    method: str | None,
    days=None,
    key_suffix: str = "",
    position: int | None = None,
) -> bool:
    """Queue the recipe of the email (composed at delivery)."""
    queued = as_queued(kind, registration, method=method, days=days, position=position)
    key = f"{kind}:{registration.public_id}:{queued.sequence}{key_suffix}"
    message_id = mail_compose.new_message_id()
    return outbox.enqueue_recipe(
        key,
        _recipe(registration, queued, message_id),
        sender=mail_compose.sender_address(),
        recipient=registration.email,
        subject=mail_compose.subject(kind, locale=queued.locale, title=registration.event.title),
        message_id=message_id,
        calendar_method=method,
    )


def _send_composed(kind: str, registration: Registration, *, method: str | None, days=None) -> bool:
    """Compose now and queue the message itself: for a registration about to be erased, whose
    recipe would find nothing left to write to."""
    queued = as_queued(kind, registration, method=method, days=days)
    key = f"{kind}:{registration.public_id}:{queued.sequence}"
    message = _compose(registration, queued)
    return outbox.enqueue(key, message.message, calendar_method=method)


def _recipe(registration: Registration, queued: AsQueued, message_id: str) -> dict:
    days = queued.days or {}
    return {
        recipes.NAME: RECIPE,
        "kind": queued.kind,
        "registration": registration.id,
        "to": [registration.display_name, registration.email],
        "sequence": queued.sequence,
        "method": queued.method,
        "parts": [part.id for part in queued.parts],
        "arrival": queued.arrival.isoformat() if queued.arrival else None,
        "departure": queued.departure.isoformat() if queued.departure else None,
        "days": [
            [day.isoformat(), s.start.isoformat(), s.end.isoformat()] for day, s in days.items()
        ],
        "position": queued.position,
        "link_offer": queued.link_offer,
        "locale": queued.locale,
        "message_id": message_id,
    }


def compose_recipe(recipe: dict):
    """The worker's side (registered with ``mail.recipes``): the message the recipe describes,
    or None when its registration was erased (deleted with its event, or anonymised)."""
    registration = db.session.get(Registration, recipe["registration"])
    if registration is None or registration.anonymised_at is not None:
        return None
    event = registration.event
    parts_by_id = {part.id: part for part in event.parts}
    zone = event.zone
    queued = AsQueued(
        kind=recipe["kind"],
        sequence=recipe["sequence"],
        method=recipe["method"],
        parts=[parts_by_id[i] for i in recipe["parts"] if i in parts_by_id],
        arrival=_time(recipe["arrival"]),
        departure=_time(recipe["departure"]),
        days=(
            {
                date.fromisoformat(day): calendar.Span(
                    datetime.fromisoformat(start).astimezone(zone),
                    datetime.fromisoformat(end).astimezone(zone),
                )
                for day, start, end in recipe["days"]
            }
            if recipe["method"] is not None
            else None
        ),
        position=recipe["position"],
        link_offer=recipe["link_offer"],
        locale=recipe["locale"],
    )
    return _compose(registration, queued, recipe["message_id"], tuple(recipe["to"])).message


def _time(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def registered(registration: Registration, position: int | None) -> None:
    if registration.status == RegistrationStatus.CONFIRMED:
        _send("confirmed", registration, method="REQUEST")
    else:
        _send("waitlisted", registration, method=None, position=position)


def promoted(registration: Registration) -> None:
    _send("promoted", registration, method="REQUEST")


def changed(registration: Registration, previous_parts) -> None:
    """REQUEST (higher SEQUENCE) for the days still attended; CANCEL for the days dropped."""
    before = attended_days(registration, previous_parts)
    after = attended_days(registration)
    if registration.status != RegistrationStatus.CONFIRMED:
        _send("changed", registration, method=None)
        return
    _send("changed", registration, method="REQUEST", days=after)
    dropped = {day: span for day, span in before.items() if day not in after}
    # One entry (an invitation's) is moved by the REQUEST: nothing of it to cancel.
    if dropped and existing_entry(registration) is None:
        _send("days_dropped", registration, method="CANCEL", days=dropped)


def cancelled(
    registration: Registration, previous_parts, was_confirmed: bool, *, compose_now: bool = False
) -> None:
    """``compose_now``: the registration is about to be erased (its recipe would be dropped)."""
    days = attended_days(registration, previous_parts)
    send = _send_composed if compose_now else _send
    send("cancelled", registration, method="CANCEL" if was_confirmed else None, days=days)


def personal_link_again(registration: Registration) -> None:
    """At most one per minute and person: a form submitted again and again sends no flood."""
    method = "REQUEST" if registration.status == RegistrationStatus.CONFIRMED else None
    _send("already_registered", registration, method=method, key_suffix=f":{utcnow():%Y%m%d%H%M}")


def resent(registration: Registration, position: int | None) -> bool:
    """The organiser sends the confirmation (with the invite) or the waiting-list notice and the
    personal link again; at most one per minute and person (False: one was queued already)."""
    if registration.status == RegistrationStatus.CONFIRMED:
        return _send("resent", registration, method="REQUEST", key_suffix=f":{utcnow():%Y%m%d%H%M}")
    return _send(
        "resent_waitlisted",
        registration,
        method=None,
        position=position,
        key_suffix=f":{utcnow():%Y%m%d%H%M}",
    )


def event_changed(event, registrations: list[Registration]) -> list[bulk.Unsent]:
    """The updated invitation to everyone confirmed; returns who could not be written to."""
    confirmed = [r for r in registrations if r.status == RegistrationStatus.CONFIRMED]
    return bulk.send_each(
        confirmed,
        lambda registration: _send("event_changed", registration, method="REQUEST"),
        recipient=_recipient,
        event=event,
        message="event_changed",
    )


def event_cancelled(event, registrations: list[Registration]) -> list[bulk.Unsent]:
    """CANCEL to everyone confirmed, a notice to the waiting list; returns who could not be."""

    def send(registration: Registration) -> None:
        confirmed = registration.status == RegistrationStatus.CONFIRMED
        _send("event_cancelled", registration, method="CANCEL" if confirmed else None)

    active = [r for r in registrations if r.status != RegistrationStatus.CANCELLED]
    return bulk.send_each(
        active, send, recipient=_recipient, event=event, message="event_cancelled"
    )


def _recipient(registration: Registration) -> bulk.Recipient:
    return bulk.Recipient(registration.display_name, registration.email, registration)


SAMPLE_NAME = ("Camille", "Exemple")


def sample_registration(event, locale: str) -> Registration:
    """A confirmed person coming all day, never saved: who the organiser's previews are
    written to. Their personal link opens nothing."""
    return Registration(
        event=event,
        public_id="apercu",
        first_name=SAMPLE_NAME[0],
        last_name=SAMPLE_NAME[1],
        organisation="",
        email="camille.exemple@example.org",
        full_day=True,
        status=RegistrationStatus.CONFIRMED,
        locale=locale,
        calendar_sequence=0,
    )
