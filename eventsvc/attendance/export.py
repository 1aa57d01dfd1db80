"""Who was there: one row per person and part (registered for it, checked in at it, or both),
times in the event's zone. Written to CSV or XLSX by :mod:`exports.tabular`."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _

from ..events.models import Event
from ..exports.tabular import Cell
from ..i18n import part_label
from . import service


def header() -> list[str]:
    return [
        _("Partie"),
        _("Début"),
        _("Nom"),
        _("Prénom"),
        _("Organisation"),
        _("Adresse électronique"),
        _("Inscrit·e à cette partie"),
        _("Présent·e"),
        _("Absent·e (inscrit·e, non venu·e)"),
        _("Sans inscription (sur place)"),
        _("Pointé·e à"),
        _("Pointé·e par"),
    ]


COLUMN_WIDTHS = [22, 17, 20, 18, 28, 30, 12, 10, 12, 12, 17, 28]


def rows(event: Event) -> Iterator[list[Cell]]:
    yes, no = _("Oui"), _("Non")
    zone = event.zone
    check_ins = service.check_ins_of(event)
    for part in event.parts:
        label = part_label(part)
        start = part.starts_at.astimezone(zone).replace(tzinfo=None)
        for row in service.desk(event, part):
            if not (row.expected or row.present):
                continue
            person = row.registration
            check_in = check_ins.get((person.id, part.id))
            yield [
                label,
                start,
                person.last_name,
                person.first_name,
                person.organisation,
                person.email,
                yes if row.expected and not person.walk_in else no,
                yes if row.present else no,
                yes if row.expected and not row.present else no,
                yes if person.walk_in else no,
                check_in.checked_in_at.astimezone(zone).replace(tzinfo=None) if check_in else None,
                check_in.checked_in_by if check_in else "",
            ]
