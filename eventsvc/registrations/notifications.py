"""What each change to a registration or an event sends, queued in the caller's transaction.

SEQUENCE of a registration's invites = event.calendar_sequence + registration.calendar_sequence:
both only grow, so every update outranks the one before, whoever caused it.
"""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale

from .. import calendars as calendar
from .. import signals
from ..database import utcnow
from ..i18n import part_label
from ..links import external_url, personal_url
from ..mail import bulk, outbox
from ..mail.compose import Composed, compose
from . import participant_rights
from .models import Registration, RegistrationStatus

# The messages that end a registration carry no QR code of the personal link: nothing is left
# to bring to the event or to change.
WITHOUT_QR_CODE = frozenset({"cancelled", "event_cancelled"})
# The emails that confirm a place carry the organiser's own text (``Event.confirmation_text``).
CONFIRMATION_KINDS = ("confirmed", "promoted", "resent")


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
    registration: Registration, days: dict[date, calendar.Span], link: str
) -> list[calendar.Occurrence]:
    event = registration.event
    location = ", ".join(
        x for x in (event.venue_name, event.venue_address, event.venue_commune) if x
    )
    with force_locale(registration.locale):
        result = []
        for day, span in sorted(days.items()):
            labels = [
                part_label(p) for p in registration.attended_parts if p.local_start.date() == day
            ]
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


def composed(
    kind: str,
    registration: Registration,
    *,
    method: str | None,
    days=None,
    position: int | None = None,
) -> Composed:
    """The email of ``kind`` for this person, as it is queued (also what the organiser's preview
    shows, for a sample person)."""
    event = registration.event
    link = personal_url(registration)
    ics = None
    if method is not None:
        build = calendar.request if method == "REQUEST" else calendar.cancel
        entries = occurrences(
            registration, days if days is not None else attended_days(registration), link
        )
        entry = existing_entry(registration)
        if entry is not None:
            entries = calendar.merged(entries, entry.uid)
        ics = build(
            entries,
            organizer=entry.organizer if entry is not None else organizer(event),
            attendee=calendar.Person(registration.display_name, registration.email),
            sequence=sequence(registration),
            zone=event.timezone,
            stamp=utcnow(),
        )
    return compose(
        kind,
        to_name=registration.display_name,
        to_email=registration.email,
        locale=registration.locale,
        calendar=ics,
        calendar_method=method,
        qr_link=None if kind in WITHOUT_QR_CODE else link,
        context={
            "event": event,
            "registration": registration,
            "link": link,
            "link_offer": participant_rights.link_offer(registration),
            "position": position,
            "event_url": external_url("public.event_page", slug=event.slug),
            "organiser_text": event.confirmation_text if kind in CONFIRMATION_KINDS else None,
        },
    )


def _send(
    kind: str,
    registration: Registration,
    *,
    method: str | None,
    days=None,
    key_suffix: str = "",
    position: int | None = None,
) -> bool:
    message = composed(kind, registration, method=method, days=days, position=position)
    key = f"{kind}:{registration.public_id}:{sequence(registration)}{key_suffix}"
    return outbox.enqueue(key, message.message, calendar_method=method)


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


def cancelled(registration: Registration, previous_parts, was_confirmed: bool) -> None:
    days = attended_days(registration, previous_parts)
    _send("cancelled", registration, method="CANCEL" if was_confirmed else None, days=days)


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
