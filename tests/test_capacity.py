"""Capacity holds under simultaneous sign-ups, on SQLite and on PostgreSQL."""

import threading
from html import unescape

import pytest
from sqlalchemy import func, select

from eventsvc.database import begin_write
from eventsvc.events.models import Event
from eventsvc.extensions import db
from eventsvc.registrations import operations as service
from eventsvc.registrations import queries as service_queries
from eventsvc.registrations.models import Registration, RegistrationStatus

from .factories import command, part_ids, post_form, registrations, valid


def run_together(app, event_id: int, commands: list[service.SignupCommand]) -> list[str]:
    """Each command in its own thread, released at once; returns what happened to each."""
    barrier = threading.Barrier(len(commands))
    outcomes: list[str] = [""] * len(commands)

    def sign_up(index: int, cmd: service.SignupCommand) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                begin_write(db.session)
                event = db.session.get(Event, event_id)
                result = service.register(event, cmd, locale="fr")
                db.session.commit()
                outcomes[index] = "waitlisted" if result.waitlisted else "confirmed"
            except service.AlreadyRegistered:
                db.session.rollback()
                outcomes[index] = "duplicate"
            except Exception as error:  # the assertion below shows it
                db.session.rollback()
                outcomes[index] = f"error: {error!r}"
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sign_up, args=(i, c)) for i, c in enumerate(commands)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def count(status):
    return db.session.scalar(
        select(func.count(Registration.id)).where(Registration.status == status)
    )


def test_simultaneous_sign_ups_never_exceed_the_event_capacity(app, make_event):
    event = make_event(capacity=5)
    outcomes = run_together(app, event.id, [command(n) for n in range(16)])
    assert sorted(set(outcomes)) == ["confirmed", "waitlisted"], outcomes
    assert outcomes.count("confirmed") == 5
    db.session.rollback()  # end the test's own snapshot to see what the threads wrote
    assert count(RegistrationStatus.CONFIRMED) == 5
    assert count(RegistrationStatus.WAITLISTED) == 11


def test_simultaneous_sign_ups_never_exceed_a_part_capacity(app, make_event):
    event = make_event(part_capacities=(None, 3))
    afternoon = part_ids(event)["Après-midi"]
    commands = [command(n, full_day=False, part_ids=[afternoon]) for n in range(8)]
    commands += [command(100 + n) for n in range(4)]  # full day also takes an afternoon place
    outcomes = run_together(app, event.id, commands)
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    db.session.rollback()  # end the test's own snapshot to see what the threads wrote
    assert service_queries.part_counts(db.session.get(Event, event.id))[afternoon] == 3


def test_the_same_person_submitting_twice_at_once_is_recorded_once(app, make_event):
    event = make_event()
    outcomes = run_together(app, event.id, [command(1, email="Karim.Haddad@example.org")] * 6)
    assert sorted(outcomes) == ["confirmed"] + ["duplicate"] * 5
    db.session.rollback()
    assert len(registrations()) == 1


def test_waitlisted_person_is_told_their_position(client, make_event):
    make_event(capacity=1)
    post_form(client, "/e/atelier", valid(email="first@example.org"))
    post_form(client, "/e/atelier", valid(email="second@example.org"))
    third = post_form(client, "/e/atelier", valid(email="third@example.org"))
    assert third.status_code == 303
    page = client.get(third.headers["Location"]).get_data(as_text=True)
    assert "liste d'attente, en position 2" in unescape(page)
    assert "Complet" in client.get("/e/atelier").get_data(as_text=True)


def test_a_full_part_waitlists_only_those_who_need_it(client, make_event):
    event = make_event(part_capacities=(None, 1))
    ids = part_ids(event)
    post_form(
        client,
        "/e/atelier",
        valid(email="a@example.org", full_day="no", parts=[str(ids["Après-midi"])]),
    )
    morning = post_form(
        client, "/e/atelier", valid(email="b@example.org", full_day="no", parts=[str(ids["Matin"])])
    )
    full_day = post_form(client, "/e/atelier", valid(email="c@example.org"))
    assert "confirmée" in client.get(morning.headers["Location"]).get_data(as_text=True)
    assert "position 1" in client.get(full_day.headers["Location"]).get_data(as_text=True)


@pytest.mark.parametrize("concurrency", [12])
def test_simultaneous_http_sign_ups(app, make_event, concurrency):
    """The whole request path, with each thread its own browser."""
    make_event(capacity=4)
    barrier = threading.Barrier(concurrency)
    statuses = []

    def browser(n):
        client = app.test_client()
        from .factories import csrf_token

        token = csrf_token(client, "/e/atelier")
        barrier.wait(timeout=10)
        response = client.post(
            "/e/atelier", data={**valid(email=f"p{n}@example.org"), "csrf_token": token}
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=browser, args=(n,)) for n in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [303] * concurrency
    db.session.rollback()  # end the test's own snapshot to see what the threads wrote
    assert count(RegistrationStatus.CONFIRMED) == 4
    assert count(RegistrationStatus.WAITLISTED) == concurrency - 4
