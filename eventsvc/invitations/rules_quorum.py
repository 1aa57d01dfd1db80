"""Quorum, pouvoirs and the convocation's notice period of a body's meeting. Pure: no Flask, no
database; the service hands plain values (counts, member ids, dates).

Words, as French councils and associations use them:

- a *body* (« Bureau », « Conseil municipal », « Assemblée générale ») has *members in office*
  (« en exercice »); the quorum is computed over them, never over everyone on the list;
- the *quorum* counts the members physically present, as the CGCT does for councils
  (art. L2121-17); some association statutes count the pouvoirs too: the body's setting says so;
- a *pouvoir* (procuration) is given by an excused member to another member, who votes for them;
  a member holds at most one (some statutes allow two); nobody gives one to themselves nor to a
  member who gave theirs; it is revocable until the meeting starts;
- the notice period is in *jours francs* (clear days): neither the day of sending nor the day of
  the meeting counts. Three clear days before a meeting on Friday 10 means sending on Monday 6 at
  the latest (7, 8 and 9 are clear).
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, timedelta


class QuorumKind(enum.StrEnum):
    # « Plus de la moitié des membres en exercice »: floor(n / 2) + 1.
    MAJORITY = "majority"
    # A number written in the statutes (« au moins 7 membres »).
    FIXED = "fixed"


@dataclass(frozen=True)
class QuorumRule:
    kind: QuorumKind = QuorumKind.MAJORITY
    number: int | None = None  # for FIXED


def quorum_required(rule: QuorumRule, in_office: int) -> int:
    """The number of members the meeting needs: « plus de la moitié » of the members in office
    (21 → 11, 20 → 11), or the fixed number of the statutes."""
    if rule.kind == QuorumKind.FIXED:
        return max(rule.number or 0, 0)
    return in_office // 2 + 1


@dataclass(frozen=True)
class Quorum:
    in_office: int
    present: int  # members in office physically present
    pouvoirs: int  # pouvoirs held by members present
    required: int
    pouvoirs_count: bool  # the body's setting: pouvoirs count towards the quorum

    @property
    def counted(self) -> int:
        """What is compared with the quorum."""
        return self.present + (self.pouvoirs if self.pouvoirs_count else 0)

    @property
    def reached(self) -> bool:
        return self.counted >= self.required

    @property
    def votes(self) -> int:
        """Votes available: the members present and the pouvoirs they hold."""
        return self.present + self.pouvoirs


def quorum(
    rule: QuorumRule,
    *,
    in_office: int,
    present: int,
    pouvoirs: int,
    pouvoirs_count: bool,
) -> Quorum:
    return Quorum(
        in_office=in_office,
        present=present,
        pouvoirs=pouvoirs,
        required=quorum_required(rule, in_office),
        pouvoirs_count=pouvoirs_count,
    )


def pouvoirs_held_by_present(holders: Mapping[int, int], present: Collection[int]) -> int:
    """The pouvoirs that count: those held by members who are there (``holders``: member id →
    number of pouvoirs held). A pouvoir whose holder is absent carries no vote."""
    return sum(count for member, count in holders.items() if member in present)


class Refusal(enum.StrEnum):
    STARTED = "started"  # the meeting has started: pouvoirs can no longer change
    GIVER_NOT_MEMBER = "giver_not_member"
    HOLDER_NOT_MEMBER = "holder_not_member"  # not a member in office of the same body
    SELF = "self"
    HOLDER_GAVE = "holder_gave"  # the holder gave their own pouvoir
    HOLDER_EXCUSED = "holder_excused"  # the holder will not be there
    HOLDER_FULL = "holder_full"  # the holder already holds as many as the body allows


@dataclass(frozen=True)
class Pouvoirs:
    """The pouvoirs of a meeting as they stand, without the giver's own (being replaced)."""

    members: Collection[int]  # members in office of the body
    givers: Collection[int]  # members who gave a pouvoir still valid
    held: Mapping[int, int]  # holder → number of valid pouvoirs held
    excused: Collection[int]  # members who replied they will not come
    max_per_holder: int = 1


def pouvoir_refusal(giver: int, holder: int, state: Pouvoirs, *, started: bool) -> Refusal | None:
    """Why ``giver`` cannot give their pouvoir to ``holder``, or None when they can."""
    if started:
        return Refusal.STARTED
    if giver not in state.members:
        return Refusal.GIVER_NOT_MEMBER
    if holder == giver:
        return Refusal.SELF
    if holder not in state.members:
        return Refusal.HOLDER_NOT_MEMBER
    if holder in state.givers:
        return Refusal.HOLDER_GAVE
    if holder in state.excused:
        return Refusal.HOLDER_EXCUSED
    if state.held.get(holder, 0) >= state.max_per_holder:
        return Refusal.HOLDER_FULL
    return None


def eligible_holders(giver: int, state: Pouvoirs, *, started: bool = False) -> list[int]:
    """The members ``giver`` may choose (the reply slip's list), in the order of ``members``."""
    return [m for m in state.members if pouvoir_refusal(giver, m, state, started=started) is None]


def revocable(*, started: bool) -> bool:
    """A pouvoir can be revoked (or changed) until the meeting starts."""
    return not started


def notice_due(meeting_day: date, clear_days: int) -> date:
    """The last day on which the convocation may be sent: ``clear_days`` whole days must lie
    between the day of sending and the day of the meeting, neither counting."""
    return meeting_day - timedelta(days=clear_days + 1)


def notice_late(sent_on: date, meeting_day: date, clear_days: int) -> bool:
    return sent_on > notice_due(meeting_day, clear_days)
