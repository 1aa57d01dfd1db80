"""When certificates may be produced, and what they state, without Flask or the database.

A certificate states only parts that have ended (a part under way or to come is not attended
yet), so none can be produced before the first part to end has ended. It is signed by a person:
no signatory name, no certificate. The callers (pages, downloads, emails, commands) ask
:func:`certificate_refusals` and show its messages in the reader's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from ..common.wording import N_, Message


@dataclass(frozen=True)
class PartEnd:
    id: int
    label: str
    ends_at: datetime  # aware, in the event's zone (the messages show its local date and time)


def part_has_ended(ends_at: datetime, now: datetime) -> bool:
    """A part has ended from its end time on (both aware datetimes)."""
    return now >= ends_at


def ended_part_ids(parts: list[PartEnd], now: datetime) -> set[int]:
    return {part.id for part in parts if part_has_ended(part.ends_at, now)}


def first_to_end(parts: list[PartEnd]) -> PartEnd | None:
    """The part whose end opens the certificates (the earliest end; the first listed on a tie)."""
    return min(parts, key=lambda part: part.ends_at, default=None)


def clock(moment: datetime) -> Message:
    """« 12 h 30 » in French, « 12:30 » in English."""
    return N_("%(hour)s h %(minute)s", hour=moment.hour, minute=f"{moment.minute:02d}")


NO_SIGNATORY = N_(
    "Indiquez d'abord le nom de la personne qui signe les attestations : champ « Signataire "
    "des attestations » des réglages de l'événement. Aucune attestation n'est produite sans "
    "signataire."
)
NO_PART = N_("L'événement n'a aucune partie : aucune attestation à produire.")


def not_yet(first: PartEnd) -> Message:
    return N_(
        "Les attestations seront disponibles après la fin de la partie « %(part)s », le %(day)s "
        "à %(time)s.",
        part=first.label,
        day=first.ends_at.date(),
        time=clock(first.ends_at),
    )


def certificate_refusals(parts: list[PartEnd], signatory_name: str, now: datetime) -> list[Message]:
    """Why no certificate can be produced now (empty: they can): every reason, so that the
    organiser sees all there is to do at once."""
    reasons = []
    first = first_to_end(parts)
    if first is None:
        reasons.append(NO_PART)
    elif not part_has_ended(first.ends_at, now):
        reasons.append(not_yet(first))
    if not signatory_name.strip():
        reasons.append(NO_SIGNATORY)
    return reasons
