"""Taking SQLite's write lock by polling (``database.begin_immediate``): it waits for the lock,
gives up with SQLite's own error after the timeout, and leaves the busy timeout as it was."""

import sqlite3
import threading

import pytest

from eventsvc.database import begin_immediate


def connect(path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute("PRAGMA journal_mode = WAL")
    return connection


@pytest.fixture
def two_connections(tmp_path):
    path = tmp_path / "lock.sqlite3"
    first, second = connect(path), connect(path)
    first.execute("CREATE TABLE rows (n INTEGER)")
    yield first, second
    first.close()
    second.close()


def test_a_writer_waits_for_the_lock_then_takes_it(two_connections):
    holder, waiter = two_connections
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("INSERT INTO rows VALUES (1)")
    release = threading.Timer(0.05, lambda: holder.execute("COMMIT"))
    release.start()
    begin_immediate(waiter, timeout=10)
    release.join()
    waiter.execute("INSERT INTO rows VALUES (2)")
    waiter.execute("COMMIT")
    assert [n for (n,) in waiter.execute("SELECT n FROM rows ORDER BY n")] == [1, 2]
    assert waiter.execute("PRAGMA busy_timeout").fetchone() == (10_000,)


def test_a_writer_gives_up_after_the_timeout_with_sqlites_error(two_connections):
    holder, waiter = two_connections
    holder.execute("BEGIN IMMEDIATE")
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        begin_immediate(waiter, timeout=0.1)
    assert not waiter.in_transaction
    assert waiter.execute("PRAGMA busy_timeout").fetchone() == (100,)
    holder.execute("COMMIT")
