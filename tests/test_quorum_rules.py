"""Quorum, pouvoirs and notice period: hand-computed cases, plain function calls."""

from datetime import date

import pytest

from eventsvc.invitations import rules_quorum as rules
from eventsvc.invitations.rules_quorum import Pouvoirs, QuorumKind, QuorumRule, Refusal

MAJORITY = QuorumRule()


@pytest.mark.parametrize(
    ("in_office", "required"), [(21, 11), (20, 11), (1, 1), (2, 2), (3, 2), (0, 1)]
)
def test_plus_de_la_moitie(in_office, required):
    assert rules.quorum_required(MAJORITY, in_office) == required


def test_a_fixed_number_ignores_the_members_in_office():
    assert rules.quorum_required(QuorumRule(QuorumKind.FIXED, 7), 21) == 7
    assert rules.quorum_required(QuorumRule(QuorumKind.FIXED, None), 21) == 0


def test_quorum_counts_members_present_only_by_default():
    # 21 in office, 10 present holding 2 pouvoirs: 10 < 11, not reached; 12 votes.
    q = rules.quorum(MAJORITY, in_office=21, present=10, pouvoirs=2, pouvoirs_count=False)
    assert (q.required, q.counted, q.reached, q.votes) == (11, 10, False, 12)


def test_quorum_with_pouvoirs_when_the_statutes_say_so():
    q = rules.quorum(MAJORITY, in_office=21, present=10, pouvoirs=2, pouvoirs_count=True)
    assert (q.required, q.counted, q.reached, q.votes) == (11, 12, True, 12)


def test_quorum_reached_exactly():
    q = rules.quorum(MAJORITY, in_office=21, present=11, pouvoirs=0, pouvoirs_count=False)
    assert q.reached and q.votes == 11


def test_only_pouvoirs_held_by_members_present_carry_votes():
    # Member 1 holds 2 and is there; member 2 holds 1 and is not.
    assert rules.pouvoirs_held_by_present({1: 2, 2: 1}, {1, 3}) == 2
    assert rules.pouvoirs_held_by_present({}, {1}) == 0


def _state(**changes):
    values = {
        "members": [1, 2, 3, 4, 5],
        "givers": [],
        "held": {},
        "excused": [],
        "max_per_holder": 1,
    }
    values.update(changes)
    return Pouvoirs(**values)


def test_a_member_may_give_to_another_member():
    assert rules.pouvoir_refusal(1, 2, _state(excused=[1]), started=False) is None


def test_nobody_gives_to_themselves():
    assert rules.pouvoir_refusal(1, 1, _state(), started=False) == Refusal.SELF


def test_the_holder_must_be_a_member_in_office():
    assert rules.pouvoir_refusal(1, 9, _state(), started=False) == Refusal.HOLDER_NOT_MEMBER
    assert rules.pouvoir_refusal(9, 1, _state(), started=False) == Refusal.GIVER_NOT_MEMBER


def test_nobody_gives_to_someone_who_gave_theirs():
    state = _state(givers=[2], held={3: 1})
    assert rules.pouvoir_refusal(1, 2, state, started=False) == Refusal.HOLDER_GAVE


def test_nobody_gives_to_someone_excused():
    state = _state(excused=[1, 2])
    assert rules.pouvoir_refusal(1, 2, state, started=False) == Refusal.HOLDER_EXCUSED


def test_one_pouvoir_per_holder():
    state = _state(givers=[3], held={2: 1})
    assert rules.pouvoir_refusal(1, 2, state, started=False) == Refusal.HOLDER_FULL
    assert rules.pouvoir_refusal(1, 4, state, started=False) is None


def test_two_pouvoirs_per_holder_when_the_body_allows_it():
    state = _state(givers=[3], held={2: 1}, max_per_holder=2)
    assert rules.pouvoir_refusal(1, 2, state, started=False) is None
    state = _state(givers=[3, 4], held={2: 2}, max_per_holder=2)
    assert rules.pouvoir_refusal(1, 2, state, started=False) == Refusal.HOLDER_FULL


def test_nothing_changes_once_the_meeting_started():
    assert rules.pouvoir_refusal(1, 2, _state(), started=True) == Refusal.STARTED
    assert rules.revocable(started=False) and not rules.revocable(started=True)


def test_eligible_holders_for_the_reply_slip():
    # 2 gave theirs (to 3, who is full), 4 is excused: member 1 may only choose 5.
    state = _state(givers=[2], held={3: 1}, excused=[1, 2, 4])
    assert rules.eligible_holders(1, state) == [5]
    assert rules.eligible_holders(1, state, started=True) == []


def test_a_holder_who_excuses_themselves_is_no_longer_eligible():
    """The service lapses their pouvoirs; the rules then refuse them as holder."""
    state = _state(givers=[1], held={2: 1})
    assert rules.pouvoir_refusal(3, 2, state, started=False) == Refusal.HOLDER_FULL
    lapsed = _state(givers=[], held={}, excused=[1, 2])
    assert rules.pouvoir_refusal(1, 2, lapsed, started=False) == Refusal.HOLDER_EXCUSED
    assert rules.eligible_holders(1, lapsed) == [3, 4, 5]


def test_notice_in_clear_days():
    # Meeting Friday 10 July 2026, 3 jours francs: 7, 8 and 9 are clear, send Monday 6.
    meeting = date(2026, 7, 10)
    assert rules.notice_due(meeting, 3) == date(2026, 7, 6)
    assert not rules.notice_late(date(2026, 7, 6), meeting, 3)
    assert rules.notice_late(date(2026, 7, 7), meeting, 3)
    # Five clear days (a commune of 3,500 inhabitants or more): Saturday 4.
    assert rules.notice_due(meeting, 5) == date(2026, 7, 4)
    # No notice period: the day before.
    assert rules.notice_due(meeting, 0) == date(2026, 7, 9)
