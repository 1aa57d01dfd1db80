"""What a free-text comment says about partial attendance, read as a suggestion to confirm.

People who answered « Non » to « toute la journée » in a form tool explain themselves in the
comment: « seulement l'après-midi », « jusqu'à 14H », « uniquement à partir de 11h15 », « absente
de 12h à 14h », « arrivée vers 11h, départ 16h30 (train) ». :func:`read_comment` picks these out
and :func:`suggest` turns them into parts and times of a given event. Nothing here is certain: the
organiser confirms or corrects every suggestion before it is imported.

Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import time

from .periods import is_afternoon, is_morning
from .rules import PartSpan

MORNING, AFTERNOON = "morning", "afternoon"

_A = "[aà]"
_E = "[eéè]"
_APOS = "['’]"
# « 11h15 », « 14H », « 9:30 », « 16 h 30 », « midi ».
_TIME = (
    r"(?:(?P<{name}_h>\d{{1,2}})\s*(?:h|:)\s*(?P<{name}_m>[0-5]\d)?(?!\d)|(?P<{name}_noon>midi))"
)


def _time(name: str) -> str:
    return _TIME.format(name=name)


_ARRIVAL = re.compile(
    rf"\b(?:{_A}\s+partir\s+de|d{_E}s|arriv{_E}{_E}?s?|j{_APOS}arriverai|arriverai|arrive|"
    rf"rejoindre\s+(?:vers|{_A})|apr{_E}s)\s*(?:vers|{_A}|pr{_E}vue?\s+{_A})?\s*{_time('t')}",
    re.IGNORECASE,
)
_DEPARTURE = re.compile(
    rf"\b(?:jusqu{_APOS}?\s*{_A}|jusque|d{_E}part|partirai|repartirai|partir|repartir|avant|"
    rf"quitter\s+{_A})\s*(?:vers|{_A}|pr{_E}vu\s+{_A})?\s*{_time('t')}",
    re.IGNORECASE,
)
_RANGE = re.compile(
    rf"(?:\bde|\bentre)\s*{_time('a')}\s*(?:{_A}|-|–|et)\s*{_time('b')}", re.IGNORECASE
)
_ABSENCE_WORDS = re.compile(
    rf"absent|indisponible|pas\s+l{_A}\b|pas\s+disponible|astreinte|emp{_E}ch{_E}|excus{_E}",
    re.IGNORECASE,
)
_PERIOD = rf"(?P<period>matin(?:{_E}e)?|apr{_E}s[\s-]?midi|aprem)"
_ARTICLE = rf"(?:(?:pour|dans|durant|pendant)\s+)?(?:le\s+|la\s+|l{_APOS}\s*|{_A}\s+l{_APOS}\s*)?"
_ONLY_BEFORE = re.compile(
    rf"\b(?:seulement|uniquement|juste|(?<!parce )que)\s+{_ARTICLE}{_PERIOD}", re.IGNORECASE
)
_ONLY_AFTER = re.compile(rf"{_PERIOD}\s+(?:seulement|uniquement)", re.IGNORECASE)
_COMING = re.compile(
    rf"\b(?:viendrai|viens|venir|serai\s+(?:l{_A}|pr{_E}sente?)|pr{_E}sente?|participerai|"
    rf"rejoindrai|assisterai|serai)\s+(?:\w+\s+){{0,2}}?{_ARTICLE}{_PERIOD}",
    re.IGNORECASE,
)
_NOT_COMING = re.compile(
    rf"\b(?:absente?|pas\s+l{_A}|pas\s+disponible|indisponible|emp{_E}ch{_E}e?)\s+"
    rf"(?:\w+\s+){{0,2}}?{_ARTICLE}{_PERIOD}",
    re.IGNORECASE,
)
_ANY_PERIOD = re.compile(rf"\b{_PERIOD}\b", re.IGNORECASE)


@dataclass(frozen=True)
class CommentHints:
    """What the comment says; ``evidence`` holds the words read, as typed."""

    period: str | None = None
    arrival: time | None = None
    departure: time | None = None
    absent: tuple[time, time] | None = None
    evidence: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.period or self.arrival or self.departure or self.absent)


@dataclass(frozen=True)
class Suggestion:
    part_ids: tuple[int, ...]
    arrival: time | None = None
    departure: time | None = None


def read_comment(text: str) -> CommentHints:
    if not text or not text.strip():
        return CommentHints()
    evidence: list[str] = []
    arrival = departure = None
    absent = None

    for match in _RANGE.finditer(text):
        start, end = _read_time(match, "a"), _read_time(match, "b")
        if start is None or end is None or end <= start:
            continue
        evidence.append(match.group(0).strip())
        if _ABSENCE_WORDS.search(text):
            absent = (start, end)
        else:
            arrival, departure = start, end
        break
    taken = [m.span() for m in _RANGE.finditer(text)]
    if arrival is None and absent is None:
        for match in _ARRIVAL.finditer(text):
            if _inside(match.span(), taken):
                continue
            found = _read_time(match, "t")
            if found is not None:
                arrival = found
                evidence.append(match.group(0).strip())
                break
    if departure is None and absent is None:
        for match in _DEPARTURE.finditer(text):
            if _inside(match.span(), taken):
                continue
            found = _read_time(match, "t")
            if found is not None and (arrival is None or found > arrival):
                departure = found
                evidence.append(match.group(0).strip())
                break

    period, period_evidence = _read_period(text)
    if period_evidence:
        evidence.append(period_evidence)
    return CommentHints(period, arrival, departure, absent, tuple(evidence))


def _read_period(text: str) -> tuple[str | None, str | None]:
    """The period the person comes for, strongest wording first; None when unclear."""
    for pattern, keep in ((_ONLY_BEFORE, True), (_ONLY_AFTER, True), (_COMING, True)):
        match = pattern.search(text)
        if match:
            return _period_of(match.group("period"), keep), match.group(0).strip()
    match = _NOT_COMING.search(text)
    if match:
        return _period_of(match.group("period"), False), match.group(0).strip()
    mentioned = {_period_of(m.group("period"), True): m for m in _ANY_PERIOD.finditer(text)}
    if len(mentioned) == 1:
        period, match = next(iter(mentioned.items()))
        return period, match.group(0).strip()
    return None, None


def _period_of(word: str, coming: bool) -> str:
    morning = word.lower().startswith("matin")
    return MORNING if morning == coming else AFTERNOON


def _read_time(match: re.Match, name: str) -> time | None:
    if match.group(f"{name}_noon"):
        return time(12, 0)
    hours, minutes = int(match.group(f"{name}_h")), int(match.group(f"{name}_m") or 0)
    if hours > 23:
        return None
    return time(hours, minutes)


def _inside(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(start <= span[0] and span[1] <= end for start, end in spans)


def suggest(hints: CommentHints, parts: Sequence[PartSpan]) -> Suggestion | None:
    """Parts and times of an event matching the hints; None when they say nothing usable.

    Arrival is read on the first day and departure on the last one; an absence drops the parts it
    covers entirely. Times are kept only where they fall inside the parts suggested, as the form
    requires.
    """
    if hints.empty or not parts:
        return None
    chosen = sorted(parts, key=lambda part: part.start)
    if hints.period == MORNING:
        chosen = [part for part in chosen if is_morning(part)]
    elif hints.period == AFTERNOON:
        chosen = [part for part in chosen if is_afternoon(part)]
    if hints.absent:
        start, end = hints.absent
        chosen = [p for p in chosen if not (start <= p.start.time() and p.end.time() <= end)]
    if hints.arrival and chosen:
        first_day = chosen[0].start.date()
        chosen = [p for p in chosen if p.start.date() != first_day or p.end.time() > hints.arrival]
    if hints.departure and chosen:
        last_day = chosen[-1].start.date()
        chosen = [
            p for p in chosen if p.start.date() != last_day or p.start.time() < hints.departure
        ]
    if not chosen:
        return None
    first = [p for p in chosen if p.start.date() == chosen[0].start.date()]
    last = [p for p in chosen if p.start.date() == chosen[-1].start.date()]
    arrival = hints.arrival
    if (
        arrival
        and not min(p.start for p in first).time() < arrival < max(p.end for p in first).time()
    ):
        arrival = None
    departure = hints.departure
    if (
        departure
        and not min(p.start for p in last).time() < departure < max(p.end for p in last).time()
    ):
        departure = None
    if (
        arrival
        and departure
        and len({p.start.date() for p in chosen}) == 1
        and departure <= arrival
    ):
        arrival = departure = None
    return Suggestion(tuple(part.id for part in chosen), arrival, departure)
