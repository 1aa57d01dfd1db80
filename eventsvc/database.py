"""Engine tuning and column types shared by every model.

SQLite is the embedded default and must survive several gunicorn workers writing at once: WAL lets
readers run beside the writer, a busy timeout makes writers queue instead of failing, and every
transaction that may write starts with ``BEGIN IMMEDIATE`` (any request but GET/HEAD/OPTIONS, and
units of work that call :func:`begin_write`) so that it takes the write lock before reading what it
will decide on (a deferred transaction that reads then writes can fail with
``database is locked`` whatever the timeout, when another writer committed in between).
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal

from flask import has_request_context, request
from sqlalchemy import DateTime, Numeric, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.types import TypeDecorator

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def normalise_database_uri(uri: str) -> str:
    """Accept the ``postgresql://`` form people copy from their host and use psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if uri.startswith(prefix):
            return "postgresql+psycopg://" + uri[len(prefix) :]
    return uri


def create_private_sqlite_file(uri: str, instance_path: str) -> None:
    """Create a new SQLite database file readable by its owner only (SQLite would follow the
    umask, often world-readable); its -wal and -shm files take the same permissions.

    A relative path is in the instance folder, as Flask-SQLAlchemy reads it. Best effort: a file
    that cannot be created here cannot be opened by SQLite either, which then says why."""
    url = make_url(uri)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return
    if url.database.startswith("file:") or url.query.get("uri"):
        return
    path = os.path.join(instance_path, url.database)
    with contextlib.suppress(OSError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def install_sqlite_policy(engine: Engine, busy_timeout_ms: int) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        # Take over transaction control from the sqlite3 module, which would otherwise BEGIN late.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # Erased data (sent emails' bodies, purged personal data) is overwritten, not left in
        # free pages of the file where a copy of the database would still hold it.
        cursor.execute("PRAGMA secure_delete = ON")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if _reads_only(connection):
            connection.exec_driver_sql("BEGIN")
        else:
            begin_immediate(connection.connection.driver_connection, busy_timeout_ms / 1000)


# SQLite's own busy handler sleeps 1, 2, 5, 10 … then 100 ms between tries: a writer that finds
# the lock taken for 1 ms may sleep 50–100 ms (bench/sqlite_wait.py). Taking the write lock, we
# poll instead, from 0.2 ms doubling up to 2 ms, so a waiting writer starts within about 2 ms of
# the lock's release.
FIRST_POLL, LONGEST_POLL = 0.0002, 0.002


def begin_immediate(sqlite_connection, timeout: float) -> None:
    """``BEGIN IMMEDIATE`` on a sqlite3 connection, retried on SQLITE_BUSY with short sleeps until
    ``timeout`` seconds have passed (then the error goes up, as the busy timeout's would)."""
    sqlite_connection.execute("PRAGMA busy_timeout = 0")
    try:
        deadline = time.monotonic() + timeout
        pause = FIRST_POLL
        while True:
            try:
                sqlite_connection.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() >= deadline:
                    raise
            time.sleep(pause)
            pause = min(pause * 2, LONGEST_POLL)
    finally:
        sqlite_connection.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")


def _reads_only(connection) -> bool:
    """Requests that may write take the lock up front; elsewhere (commands, workers, tests) a
    transaction asks for it with :func:`begin_write`, so that idle readers never block writers.
    """
    forced = connection.get_execution_options().get("sqlite_begin")
    if forced:
        return forced == "deferred"
    return not has_request_context() or request.method in READ_ONLY_METHODS


def begin_write(session) -> None:
    """Start the session's next transaction as a writer (``BEGIN IMMEDIATE`` on SQLite).

    Call it before the first query of a unit of work outside a request, e.g. in a command or a
    worker; within a transaction already begun it changes nothing (commit or roll back first).
    """
    current = session() if hasattr(session, "registry") else session  # scoped or plain
    if not current.in_transaction():
        session.connection(execution_options={"sqlite_begin": "immediate"})


class UTCDateTime(TypeDecorator):
    """An aware datetime, stored in UTC on every backend (SQLite keeps no offset of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class ExactDecimal(TypeDecorator):
    """A ``Decimal`` stored as ``NUMERIC(precision, scale)`` and read back exactly on every backend.

    PostgreSQL keeps decimals natively. SQLite has no decimal type: its NUMERIC column holds a
    float, which is exact for the few significant digits of money, distances and rates; it is read
    as a float (no lossy automatic conversion, no warning) and turned back into a ``Decimal`` at
    the column's scale.
    """

    impl = Numeric
    cache_ok = True

    def __init__(self, precision: int, scale: int):
        super().__init__(precision=precision, scale=scale)
        self.scale = scale

    def load_dialect_impl(self, dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(
                Numeric(self.impl.precision, self.scale, asdecimal=False)
            )
        return dialect.type_descriptor(Numeric(self.impl.precision, self.scale))

    def process_bind_param(self, value, dialect):
        """Rounded half up to the column's scale here, so both backends store the same value."""
        if value is None:
            return None
        return Decimal(value).quantize(Decimal(1).scaleb(-self.scale), rounding=ROUND_HALF_UP)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return Decimal(repr(value) if isinstance(value, float) else value).quantize(
            Decimal(1).scaleb(-self.scale)
        )


def utcnow() -> datetime:
    return datetime.now(UTC)
