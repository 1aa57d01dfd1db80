"""The registrations of an event as rows: one column per part and per question, times in the
event's zone. Written to CSV or XLSX by :mod:`exports.tabular`."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _

from ..events.models import Event
from ..i18n import part_label
from ..registrations import listing
from ..registrations.models import Registration
from .tabular import Cell


def status_label(status: str) -> str:
    return {
        "confirmed": _("Confirmée"),
        "waitlisted": _("Liste d'attente"),
        "cancelled": _("Annulée"),
    }.get(status, status)


def header(event: Event) -> list[str]:
    return [
        _("Statut"),
        _("Inscription le"),
        _("Prénom"),
        _("Nom"),
        _("Organisation"),
        _("Adresse électronique"),
        _("Toute la journée"),
        *(part_label(part) for part in event.parts),
        _("Arrivée"),
        _("Départ"),
        _("Commentaire"),
        *(question.label for question in event.questions),
        _("Annulée le"),
    ]


def row(event: Event, registration: Registration) -> list[Cell]:
    yes, no = _("Oui"), _("Non")
    attended = {part.id for part in registration.attended_parts}
    answers = {answer.question_id: answer.display_value for answer in registration.answers}
    zone = event.zone
    return [
        status_label(registration.status),
        registration.created_at.astimezone(zone),
        registration.first_name,
        registration.last_name,
        registration.organisation,
        registration.email,
        yes if registration.full_day else no,
        *(yes if part.id in attended else no for part in event.parts),
        registration.arrival_time,
        registration.departure_time,
        registration.comment,
        *(answers.get(question.id, "") for question in event.questions),
        registration.cancelled_at.astimezone(zone) if registration.cancelled_at else None,
    ]


def rows(event: Event, filters: listing.Filters) -> Iterator[list[Cell]]:
    for registration in listing.iterate(event, filters):
        yield row(event, registration)


def column_widths(event: Event) -> list[int]:
    return [
        14,
        17,
        16,
        18,
        28,
        32,
        10,
        *(14 for _part in event.parts),
        9,
        9,
        40,
        *(24 for _question in event.questions),
        17,
    ]
