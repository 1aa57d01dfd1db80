"""The state of a claim and when claims open: pure rules, no Flask, no database.

A draft claim is « à compléter » while the person declared a cost that nobody has priced yet:
public transport without the amount of the tickets (an amount of 0 entered on purpose counts as
priced), a road trip whose distance the table does not give and the organiser has not typed, a
childcare declaration without its hours, or childcare the event's scale does not pay at all (the
organiser decides: another scale, or the childcare set aside with a reason). Such a claim would
otherwise be validated without the cost, so it is never validated, alone or in bulk, until
completed. A distance typed by the person that differs from
the table is a check the organiser may accept, not a missing price.

Claims count only the parts that have ended; they can be computed once one part has ended, and
validated (and put in a finance batch) once the event's last part has ended.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from ..common.wording import N_, Message
from .rules import CHECK_CHILDCARE_NOT_IN_SCALE, CHECK_DISTANCE_NOT_IN_TABLE, CHECK_DISTANCE_UNKNOWN
from .rules_terms import TransportMode

ROAD = frozenset({TransportMode.CAR_DRIVER, TransportMode.MOTORCYCLE, TransportMode.MOPED})


class ClaimState(enum.StrEnum):
    TO_COMPLETE = "to_complete"  # a declared cost is not priced yet: never validated
    COMPLETE = "complete"  # every declared cost is priced (checks may remain)


@dataclass(frozen=True)
class DeclaredCosts:
    """What the person declared and what the organiser priced since (plain values)."""

    transport: str = ""  # a TransportMode value, "" when none
    public_transport_receipt: Decimal | None = None  # None: no amount entered yet
    round_trip_km: Decimal | None = None
    distance_in_table: bool = False  # the distance table gives the trip
    distance_checked: bool = False  # the organiser typed or confirmed the distance
    childcare_needed: bool = False
    childcare_hours: Decimal | None = None  # per attended day
    scale_id: str = ""
    scale_pays_childcare: bool = True
    childcare_set_aside: bool = False  # the organiser decided not to pay it (with a reason)


@dataclass(frozen=True)
class StateOfClaim:
    state: ClaimState
    reasons: tuple[Message, ...] = ()

    @property
    def to_complete(self) -> bool:
        return self.state == ClaimState.TO_COMPLETE


DISTANCE_UNKNOWN = N_("Distance du trajet inconnue : saisissez la distance aller-retour vérifiée.")
DISTANCE_NOT_IN_TABLE = N_(
    "Distance absente du distancier : vérifiez la distance déclarée et saisissez-la."
)
CHILDCARE_NOT_PAID = N_(  # with the scale's id as %(scale)s
    "Garde d'enfants déclarée, mais le barème %(scale)s ne paie aucune garde d'enfants : "
    "décidez-en (changez de barème, ou retirez la garde de cette demande en disant pourquoi)."
)

# The checks of the rules (``rules.compute_claim``) that say again what a reason « à compléter »
# says: while the reason is shown, the organiser reads it alone (one clear reason, one action).
SAID_BY_REASON = {
    DISTANCE_UNKNOWN.msgid: {CHECK_DISTANCE_UNKNOWN.msgid},
    DISTANCE_NOT_IN_TABLE.msgid: {CHECK_DISTANCE_NOT_IN_TABLE.msgid, CHECK_DISTANCE_UNKNOWN.msgid},
    CHILDCARE_NOT_PAID.msgid: {CHECK_CHILDCARE_NOT_IN_SCALE.msgid},
}


def childcare_undecided(state: StateOfClaim) -> bool:
    """Is the claim waiting for the organiser to decide about childcare the scale does not pay?"""
    return any(reason.msgid == CHILDCARE_NOT_PAID.msgid for reason in state.reasons)


def checks_beside(state: StateOfClaim, checks: Iterable[Message]) -> list[Message]:
    """The checks to show next to the claim's state: those its reasons do not already say."""
    said = {msgid for reason in state.reasons for msgid in SAID_BY_REASON.get(reason.msgid, ())}
    return [check for check in checks if check.msgid not in said]


def claim_state(costs: DeclaredCosts) -> StateOfClaim:
    """« À compléter » with the reasons, in French message ids, or complete."""
    reasons: list[Message] = []
    if costs.transport == TransportMode.PUBLIC_TRANSPORT and costs.public_transport_receipt is None:
        reasons.append(
            N_(
                "Transports en commun déclarés, sans montant des billets : saisissez le montant "
                "des justificatifs (0 si rien n'est à rembourser)."
            )
        )
    if costs.transport in ROAD:
        if costs.round_trip_km is None and not costs.distance_checked:
            reasons.append(DISTANCE_UNKNOWN)
        elif not costs.distance_in_table and not costs.distance_checked:
            reasons.append(DISTANCE_NOT_IN_TABLE)
    if costs.childcare_needed:
        if not costs.scale_pays_childcare:
            if not costs.childcare_set_aside:  # else decided: not paid, for the reason given
                reasons.append(replace(CHILDCARE_NOT_PAID, params=(("scale", costs.scale_id),)))
        elif not costs.childcare_hours:
            reasons.append(
                N_(
                    "Garde d'enfants déclarée, sans nombre d'heures : faites compléter la "
                    "déclaration."
                )
            )
    if reasons:
        return StateOfClaim(ClaimState.TO_COMPLETE, tuple(reasons))
    return StateOfClaim(ClaimState.COMPLETE)


# --- When claims open ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PartEnd:
    """A part of the event: its label and its end, timezone-aware (the event's local time)."""

    label: str
    end: datetime


def part_ended(end: datetime, now: datetime) -> bool:
    return end <= now


def ended_parts(parts: Iterable[PartEnd], now: datetime) -> list[PartEnd]:
    return [part for part in parts if part_ended(part.end, now)]


def event_ended(parts: Iterable[PartEnd], now: datetime) -> bool:
    """True once the last part has ended; an event without parts never ends."""
    ends = [part.end for part in parts]
    return bool(ends) and part_ended(max(ends), now)


def hour_text(moment: datetime) -> str:
    """« 12 h 30 », « 9 h 05 », as French administrative texts write hours."""
    return f"{moment.hour} h {moment.minute:02d}"


def _first_end(parts: Iterable[PartEnd]) -> PartEnd | None:
    return min(parts, key=lambda part: part.end, default=None)


def _last_end(parts: Iterable[PartEnd]) -> PartEnd | None:
    return max(parts, key=lambda part: part.end, default=None)


def compute_opens(parts: Iterable[PartEnd], now: datetime) -> Message | None:
    """None once a part has ended; else when claims can be computed."""
    parts = list(parts)
    first = _first_end(parts)
    if first is None:
        return N_("Ajoutez les parties de l'événement avant de calculer les indemnités.")
    if ended_parts(parts, now):
        return None
    return N_(
        "Les indemnités pourront être calculées après la fin de la partie « %(part)s », le "
        "%(day)s à %(time)s.",
        part=first.label,
        day=first.end.date(),
        time=hour_text(first.end),
    )


def validation_opens(parts: Iterable[PartEnd], now: datetime) -> Message | None:
    """None once the event's last part has ended; else when claims can be validated."""
    parts = list(parts)
    last = _last_end(parts)
    if last is None:
        return N_("Ajoutez les parties de l'événement avant de valider les indemnités.")
    if event_ended(parts, now):
        return None
    return N_(
        "Les indemnités pourront être validées après la fin de l'événement (partie « %(part)s »), "
        "le %(day)s à %(time)s.",
        part=last.label,
        day=last.end.date(),
        time=hour_text(last.end),
    )


def batch_opens(title: str, parts: Iterable[PartEnd], now: datetime) -> Message | None:
    """None once the event has ended; else why its claims cannot go into a finance batch."""
    parts = list(parts)
    last = _last_end(parts)
    if last is None or event_ended(parts, now):
        return None
    return N_(
        "L'événement « %(title)s » n'est pas terminé : un lot pourra être créé après la fin de "
        "la partie « %(part)s », le %(day)s à %(time)s.",
        title=title,
        part=last.label,
        day=last.end.date(),
        time=hour_text(last.end),
    )
