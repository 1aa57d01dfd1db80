"""The organisation's distance table (distancier), stored in the database.

One table per eventsvc instance (one instance serves one organisation). It is imported from the
CSV intercommunalities hand out, read by ``distance_table.parse_distancier``, and replaces the
table in one transaction: a reader sees the old table or the new one, never a mix. Functions flush;
the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, func, or_, select

from ..audit import service as audit
from ..audit.models import AuditEvent
from ..database import utcnow
from ..events.models import Event
from ..extensions import db
from .distance_table import DistanceTable, commune_candidates, commune_key, parse_distancier
from .models import Distance


@dataclass(frozen=True)
class Pair:
    origin: str
    destination: str
    one_way_km: Decimal
    line: int | None = None

    @property
    def round_trip_km(self) -> Decimal:
        return 2 * self.one_way_km


@dataclass(frozen=True)
class ImportPreview:
    """What an import would do, shown before replacing the table."""

    table: DistanceTable
    count: int
    sample: list[Pair]
    replaces: int  # pairs in the current table
    # Venues of events offering compensation that the new table never mentions: their
    # participants would all have to type their distance.
    venues_missing: list[str]


def preview_import(data: bytes | str, sample_size: int = 5) -> ImportPreview:
    """Read the file (``DistancierError`` names the line to fix) and say what it holds."""
    table = parse_distancier(data)
    pairs = _pairs(table)
    known = {key for pair in table.one_way_km for key in pair}
    venues = db.session.scalars(
        select(Event.venue_commune).where(
            Event.compensation_offered.is_(True), Event.venue_commune != ""
        )
    ).all()
    missing = sorted({v for v in venues if commune_key(v) not in known})
    return ImportPreview(
        table=table,
        count=len(table),
        sample=pairs[:sample_size],
        replaces=count(),
        venues_missing=missing,
    )


def replace_table(table: DistanceTable, *, actor=None, actor_label: str | None = None) -> int:
    """Replace the whole stored table by ``table``, in the caller's transaction, with its line in
    the audit log. Only an administrator may (checked by the dashboard; the command line is one).
    """
    replaced = count()
    audit.record(
        "distances.replaced",
        actor=actor,
        actor_label=actor_label,
        details={"pairs": len(table), "replaced": replaced},
    )
    db.session.execute(delete(Distance))
    now = utcnow()
    db.session.add_all(
        Distance(
            origin_key=origin,
            destination_key=destination,
            origin=table.names.get(origin, origin),
            destination=table.names.get(destination, destination),
            one_way_km=km,
            imported_at=now,
        )
        for (origin, destination), km in table.one_way_km.items()
    )
    db.session.flush()
    return len(table)


def last_replacement() -> AuditEvent | None:
    """The audit line of the latest replacement: when, by whom, how many pairs."""
    return db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.action == "distances.replaced")
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(1)
    )


def count() -> int:
    return db.session.scalar(select(func.count(Distance.id)))


def pairs(commune: str | None = None) -> list[Pair]:
    """The stored pairs, by origin then destination; only those touching ``commune`` if given."""
    query = select(Distance).order_by(Distance.origin_key, Distance.destination_key)
    if commune:
        key = commune_key(commune)
        query = query.where(or_(Distance.origin_key == key, Distance.destination_key == key))
    return [Pair(d.origin, d.destination, d.one_way_km) for d in db.session.scalars(query)]


def round_trip(origin: str, destination: str) -> Decimal | None:
    """Twice the one-way distance between what the person typed (a commune, or an address whose
    commune is found) and the venue's commune; None when the table does not have the pair."""
    if not origin.strip() or not destination.strip():
        return None
    goal = commune_key(destination)
    for candidate in commune_candidates(origin):
        start = commune_key(candidate)
        one_way = db.session.scalar(
            select(Distance.one_way_km).where(
                or_(
                    (Distance.origin_key == start) & (Distance.destination_key == goal),
                    (Distance.origin_key == goal) & (Distance.destination_key == start),
                )
            )
        )
        if one_way is not None:
            return 2 * one_way
    return None


def communes_towards(destination: str) -> list[str]:
    """Communes the table knows a distance from to ``destination``, by name: the form's list."""
    goal = commune_key(destination)
    if not goal:
        return []
    rows = db.session.execute(
        select(Distance.origin, Distance.destination, Distance.origin_key).where(
            or_(Distance.origin_key == goal, Distance.destination_key == goal)
        )
    ).all()
    names = {origin if key != goal else dest for origin, dest, key in rows}
    return sorted(names, key=commune_key)


def _pairs(table: DistanceTable) -> list[Pair]:
    return [
        Pair(
            table.names.get(origin, origin),
            table.names.get(destination, destination),
            km,
            table.lines.get((origin, destination)),
        )
        for (origin, destination), km in sorted(
            table.one_way_km.items(), key=lambda item: table.lines.get(item[0], 0)
        )
    ]
