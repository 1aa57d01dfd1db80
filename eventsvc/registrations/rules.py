"""Registration rules, pure: partial attendance (parts chosen, arrival and departure times).

Generic validation (emails, single lines, times) lives in :mod:`eventsvc.common.validation`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class PartSpan:
    """A part's start and end in the event's local time."""

    id: int
    start: datetime
    end: datetime


@dataclass(frozen=True)
class AttendanceProblem:
    field: str
    message: object


def check_attendance(
    full_day: bool, chosen: list[PartSpan], arrival: time | None, departure: time | None
) -> list[AttendanceProblem]:
    """Partial attendance needs a part; declared times must fall within the chosen parts.

    Arrival is read on the first day attended and departure on the last one, which is how people
    say it (« arrivée vers 11h, départ 16h30 »).
    """
    if full_day:
        return []
    if not chosen:
        return [
            AttendanceProblem(
                "parts",
                _l("Vous ne venez pas toute la journée : cochez au moins une partie."),
            )
        ]
    problems: list[AttendanceProblem] = []
    first_day, last_day = _day_span(chosen, first=True), _day_span(chosen, first=False)
    if arrival is not None and not first_day[0].time() <= arrival <= first_day[1].time():
        problems.append(
            AttendanceProblem(
                "arrival_time",
                _l(
                    "L'heure d'arrivée doit être comprise entre %(start)s et %(end)s, "
                    "pendant les parties choisies.",
                    start=first_day[0].strftime("%H:%M"),
                    end=first_day[1].strftime("%H:%M"),
                ),
            )
        )
    if departure is not None and not last_day[0].time() <= departure <= last_day[1].time():
        problems.append(
            AttendanceProblem(
                "departure_time",
                _l(
                    "L'heure de départ doit être comprise entre %(start)s et %(end)s, "
                    "pendant les parties choisies.",
                    start=last_day[0].strftime("%H:%M"),
                    end=last_day[1].strftime("%H:%M"),
                ),
            )
        )
    single_day = first_day[0].date() == last_day[0].date()
    if not problems and single_day and arrival and departure and departure <= arrival:
        problems.append(
            AttendanceProblem(
                "departure_time", _l("L'heure de départ doit suivre l'heure d'arrivée.")
            )
        )
    return problems


def _day_span(parts: list[PartSpan], *, first: bool) -> tuple[datetime, datetime]:
    days: dict[date, list[PartSpan]] = {}
    for part in parts:
        days.setdefault(part.start.date(), []).append(part)
    day = min(days) if first else max(days)
    return min(p.start for p in days[day]), max(p.end for p in days[day])
