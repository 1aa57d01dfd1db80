"""Places taken counted in one statement (issue 19): the same figures as counting them one by
one, and the public page reads its event and its counts in few statements."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event as sa_event
from sqlalchemy import select

from eventsvc.extensions import db
from eventsvc.registrations import operations
from eventsvc.registrations.models import Registration, RegistrationStatus
from eventsvc.registrations.places import places
from eventsvc.registrations.queries import confirmed_count, part_counts

from .factories import command, new_event, part_ids, sign_up


def test_one_statement_counts_what_the_separate_counts_did(app):
    event = new_event(capacity=4, part_capacities=(None, 2))
    ids = part_ids(event)
    sign_up(event, 1)
    sign_up(event, 2, full_day=False, part_ids=[ids["Matin"]])
    sign_up(event, 3, full_day=False, part_ids=[ids["Après-midi"]])
    sign_up(event, 4)  # the afternoon is full: waitlisted
    gone = sign_up(event, 5, full_day=False, part_ids=[ids["Matin"]])
    operations.cancel(gone)
    db.session.commit()
    other = new_event(slug="autre")
    sign_up(other, 1)

    taken = places(event)

    waiting = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
    ).all()
    assert taken.confirmed == confirmed_count(event) == 3
    assert taken.waitlisted == len(waiting) == 1
    assert taken.per_part == part_counts(event) == {ids["Matin"]: 2, ids["Après-midi"]: 2}
    assert taken.left(event.capacity) == 1
    assert taken.left_per_part(event.parts) == {ids["Matin"]: None, ids["Après-midi"]: 0}
    morning, afternoon = event.parts
    assert taken.has_room(event.capacity, [morning])
    assert not taken.has_room(event.capacity, [morning, afternoon])
    assert not taken.has_room(3, [morning])


def test_a_waitlisted_sign_up_is_told_its_position(app):
    event = new_event(capacity=1)
    sign_up(event, 1)
    sign_up(event, 2)
    result = operations.register(event, command(3), locale="fr")
    db.session.commit()
    assert result.waitlisted
    assert operations.waitlist_position(result.registration) == 2


def test_the_public_page_reads_its_event_and_counts_in_few_statements(client, app):
    event = new_event(questions=[{"label": "Régime"}, {"label": "Accès"}])
    sign_up(event, 1)
    db.session.expire_all()
    client.get(f"/e/{event.slug}")  # warm-up (session, compiled statements)
    db.session.expire_all()
    with statements() as executed:
        assert client.get(f"/e/{event.slug}").status_code == 200
    reads = [s for s in executed if "registrations" in s or "FROM events" in s]
    # The event with its parts and questions (one joined query), the places (one UNION ALL).
    assert sum("FROM events" in s and "parts" in s and "questions" in s for s in reads) == 1
    assert sum("UNION ALL" in s for s in reads) == 1
    # No lazy load of the parts or questions behind it.
    assert not any(s.lstrip().startswith(("SELECT parts.", "SELECT questions.")) for s in executed)


@contextmanager
def statements():
    executed: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        executed.append(statement)

    engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield executed
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)
