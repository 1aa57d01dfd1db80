"""Changing and cancelling registrations, and the waiting list moving up."""

import pytest

from eventsvc.extensions import db
from eventsvc.registrations import operations as service
from eventsvc.registrations import queries as service_queries
from eventsvc.registrations.models import RegistrationStatus

from .factories import command, part_ids


def sign_up(event, n, **overrides):
    result = service.register(event, command(n, **overrides), locale="fr")
    db.session.commit()
    return result.registration


def change(**fields):
    return service.ChangeCommand(**{"full_day": True, **fields})


def test_cancelling_promotes_the_first_in_line(app, make_event):
    event = make_event(capacity=1)
    first, second, third = (sign_up(event, n) for n in range(3))
    assert [r.status for r in (first, second, third)] == ["confirmed", "waitlisted", "waitlisted"]
    assert service_queries.waitlist_position(third) == 2

    promoted = service.cancel(first)
    db.session.commit()
    assert promoted == [second]
    assert first.status == RegistrationStatus.CANCELLED and first.cancelled_at is not None
    assert second.status == RegistrationStatus.CONFIRMED
    assert service_queries.waitlist_position(third) == 1
    assert service.cancel(first) == []


def test_someone_who_still_does_not_fit_keeps_rank_without_blocking_others(app, make_event):
    event = make_event(part_capacities=(1, 1))
    ids = part_ids(event)
    morning = sign_up(event, 1, full_day=False, part_ids=[ids["Matin"]])
    sign_up(event, 2, full_day=False, part_ids=[ids["Après-midi"]])
    needs_afternoon = sign_up(event, 3, full_day=False, part_ids=[ids["Après-midi"]])
    needs_morning = sign_up(event, 4, full_day=False, part_ids=[ids["Matin"]])
    assert needs_afternoon.status == needs_morning.status == "waitlisted"

    assert service.cancel(morning) == [needs_morning]
    assert needs_afternoon.status == "waitlisted"
    assert service_queries.waitlist_position(needs_afternoon) == 1


def test_a_confirmed_person_cannot_take_a_full_part_and_keeps_their_place(app, make_event):
    event = make_event(part_capacities=(None, 1))
    ids = part_ids(event)
    sign_up(event, 1, full_day=False, part_ids=[ids["Après-midi"]])
    morning_only = sign_up(event, 2, full_day=False, part_ids=[ids["Matin"]])
    with pytest.raises(service.NoRoom) as refused:
        service.change(morning_only, change(full_day=True))
    assert [part.label for part in refused.value.parts] == ["Après-midi"]
    db.session.rollback()
    assert morning_only.status == "confirmed"
    assert [p.label for p in morning_only.attended_parts] == ["Matin"]


def test_dropping_a_part_frees_it_for_the_waiting_list(app, make_event):
    event = make_event(part_capacities=(None, 1))
    ids = part_ids(event)
    full_day = sign_up(event, 1)
    waiting = sign_up(event, 2, full_day=False, part_ids=[ids["Après-midi"]])
    assert waiting.status == "waitlisted"
    result = service.change(
        full_day, change(full_day=False, part_ids=[ids["Matin"]], comment="Seulement le matin")
    )
    db.session.commit()
    assert [p.label for p in result.previous_parts] == ["Matin", "Après-midi"]
    assert result.promoted == [waiting]
    assert full_day.comment == "Seulement le matin"
    assert [p.label for p in full_day.attended_parts] == ["Matin"]


def test_a_waitlisted_person_choosing_parts_with_room_is_confirmed(app, make_event):
    event = make_event(part_capacities=(None, 1))
    ids = part_ids(event)
    sign_up(event, 1, full_day=False, part_ids=[ids["Après-midi"]])
    waiting = sign_up(event, 2)
    result = service.change(waiting, change(full_day=False, part_ids=[ids["Matin"]]))
    assert result.confirmed_now and waiting.status == "confirmed"


def test_a_cancelled_registration_cannot_be_changed_but_can_sign_up_again(app, make_event):
    event = make_event()
    registration = sign_up(event, 1)
    public_id = registration.public_id
    service.cancel(registration)
    db.session.commit()
    with pytest.raises(service.RegistrationCancelled):
        service.change(registration, change())
    again = sign_up(event, 1)
    assert again.id == registration.id and again.public_id == public_id
    assert again.status == "confirmed" and again.cancelled_at is None


def test_an_organiser_can_confirm_over_capacity(app, make_event):
    event = make_event(capacity=1)
    sign_up(event, 1)
    waiting = sign_up(event, 2)
    service.confirm_from_waitlist(waiting)
    assert waiting.status == "confirmed"
    assert service_queries.confirmed_count(event) == 2
