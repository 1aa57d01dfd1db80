"""The registrations of an event as rows: one column per part and per question, times in the
event's zone. Written to CSV or XLSX by :mod:`exports.tabular`."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _

from ..events.models import Event
from ..exports.tabular import Cell
from ..i18n import part_label
from . import queries
from .models import Registration, RegistrationStatus


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


class Labels:
    """Translated once per export, not once per row (10,000 rows means 30,000 look-ups)."""

    def __init__(self):
        self.yes, self.no = _("Oui"), _("Non")
        self.status = {status: status_label(status) for status in RegistrationStatus}


def row(event: Event, registration: Registration, labels: Labels | None = None) -> list[Cell]:
    labels = labels or Labels()
    yes, no = labels.yes, labels.no
    attended = {part.id for part in registration.attended_parts}
    answers = {answer.question_id: answer.display_value for answer in registration.answers}
    zone = event.zone
    return [
        labels.status.get(registration.status, registration.status),
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


def rows(
    event: Event, filters: queries.Filters, ids: list[int] | None = None
) -> Iterator[list[Cell]]:
    """The rows of the filter's registrations, or of the selected ``ids`` among them."""
    labels = Labels()
    for registration in queries.iterate(event, filters, ids=ids):
        yield row(event, registration, labels)


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
