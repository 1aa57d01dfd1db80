"""Handwritten signatures as data, and the proof file of a part, without Flask or the database.

A signature is vector data: a list of strokes, each a list of ``[x, y, t]`` points, ``x`` and
``y`` normalised to the pad (0 to 1, left to right and top to bottom), ``t`` the milliseconds
since the pad was first touched. :func:`clean_strokes` checks what a phone sent (numbers only,
within limits, enough points to be a signature) and rounds it, so that what is stored is what is
hashed.

Every signature is hashed (SHA-256 of the canonical JSON of its fields, :func:`entry_hash`), and
the proof of a part chains them: each entry's ``chain`` is ``sha256(previous chain + entry
hash)``, the first one's previous chain being empty. An entry changed or removed after the proof
was produced breaks the chain from there on (:func:`verify`); the proof's own digest
(:func:`digest`), printed at the bottom of the signed sheet, ties the paper to the file.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..common.wording import N_, Message

MAX_STROKES = 60
MAX_POINTS = 3000  # in all strokes together
MIN_POINTS = 5  # a tap or two is not a signature
MAX_MILLISECONDS = 3_600_000  # the pad's clock (t) and the time taken: one hour at most
COORDINATE_DIGITS = 4
PAD_WIDTH, PAD_HEIGHT = 300, 100  # the pad's shape (3:1); the SVG drawing's view box


class StrokesError(ValueError):
    """What was sent is not a signature; ``message`` says why (French msgid, translated when
    shown)."""

    def __init__(self, message: Message):
        super().__init__(str(message))
        self.message = message


NOT_A_LIST = N_("La signature doit être une liste de tracés.")
TOO_MANY_STROKES = N_("La signature a trop de tracés (%(max)s au plus) : effacez et recommencez.")
TOO_MANY_POINTS = N_("La signature a trop de points (%(max)s au plus) : effacez et recommencez.")
TOO_FEW_POINTS = N_("La signature est vide ou trop courte : signez dans le cadre, puis validez.")
BAD_POINT = N_("Un point de la signature n'est pas valide : chaque point est [x, y, t] en nombres.")


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise StrokesError(BAD_POINT)
    return float(value)


def _point(raw: Any) -> list:
    if not isinstance(raw, list) or len(raw) != 3:
        raise StrokesError(BAD_POINT)
    x, y, t = (_number(value) for value in raw)
    if not (0 <= x <= 1 and 0 <= y <= 1 and 0 <= t <= MAX_MILLISECONDS):
        raise StrokesError(BAD_POINT)
    return [round(x, COORDINATE_DIGITS), round(y, COORDINATE_DIGITS), int(t)]


def clean_strokes(raw: Any) -> list[list[list]]:
    """The strokes, checked and rounded, else :class:`StrokesError`. Empty strokes are dropped."""
    if not isinstance(raw, list):
        raise StrokesError(NOT_A_LIST)
    if len(raw) > MAX_STROKES:
        raise StrokesError(N_(TOO_MANY_STROKES.msgid, max=MAX_STROKES))
    if any(not isinstance(stroke, list) for stroke in raw):
        raise StrokesError(NOT_A_LIST)
    if sum(len(stroke) for stroke in raw) > MAX_POINTS:
        raise StrokesError(N_(TOO_MANY_POINTS.msgid, max=MAX_POINTS))
    strokes = [[_point(point) for point in stroke] for stroke in raw if stroke]
    if sum(len(stroke) for stroke in strokes) < MIN_POINTS:
        raise StrokesError(TOO_FEW_POINTS)
    return strokes


def clean_duration(raw: Any) -> int | None:
    """The time the person took to sign, in milliseconds as the phone measured it; None when
    missing or not a plausible number."""
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        return None
    return int(raw) if 0 <= raw <= MAX_MILLISECONDS else None


def svg_points(strokes: Sequence[Sequence[Sequence[float]]]) -> list[str]:
    """One ``points`` attribute per stroke, in the pad's view box (``0 0 300 100``)."""
    return [
        " ".join(f"{x * PAD_WIDTH:.1f},{y * PAD_HEIGHT:.1f}" for x, y, _t in stroke)
        for stroke in strokes
    ]


# Hashes


def canonical(value: Any) -> bytes:
    """The one JSON text of a value: keys sorted, no spaces, UTF-8."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


# The fields a signature's hash covers, in its proof entry (``superseded_by`` is not: it is
# written later, when the signature is taken again; the new entry's ``supersedes`` says it).
HASHED_FIELDS = (
    "id",
    "part_id",
    "registration_id",
    "signer_name",
    "signer_role",
    "strokes",
    "received_at",
    "duration_ms",
    "captured_by",
    "recorded_by",
    "client_address",
    "user_agent",
    "supersedes",
)


# Covered only when set (a signature kept offline and sent later says when it was drawn), so that
# the hashes of the signatures taken before it existed stay what they were.
HASHED_WHEN_SET = ("taken_at",)


def entry_hash(fields: Mapping[str, Any]) -> str:
    covered = {name: fields.get(name) for name in HASHED_FIELDS}
    covered.update({name: fields[name] for name in HASHED_WHEN_SET if fields.get(name)})
    return sha256(canonical(covered))


def next_chain(previous: str, entry_sha: str) -> str:
    return sha256(previous + entry_sha)


def chained(entries: Sequence[Mapping[str, Any]]) -> list[dict]:
    """The entries in order, each with its ``chain``; ``hash`` must be there already."""
    result, previous = [], ""
    for entry in entries:
        previous = next_chain(previous, entry["hash"])
        result.append({**entry, "chain": previous})
    return result


def build(header: Mapping[str, Any], entries: Sequence[Mapping[str, Any]]) -> dict:
    """The proof document: what it is about, its entries chained, and the chain's head."""
    linked = chained(entries)
    return {**header, "entries": linked, "head": linked[-1]["chain"] if linked else ""}


def digest(proof: Mapping[str, Any]) -> str:
    """The proof's own SHA-256, printed on the signed sheet."""
    return sha256(canonical(proof))


def verify(proof: Mapping[str, Any]) -> list[str]:
    """What is wrong with a proof (empty: it holds): an entry whose fields do not give its hash
    (changed), a chain that does not follow (an entry removed, added or moved), a head that is
    not the last chain (entries removed at the end)."""
    problems, previous = [], ""
    entries = proof.get("entries") or []
    for position, entry in enumerate(entries, start=1):
        if entry_hash(entry) != entry.get("hash"):
            problems.append(f"entry {position}: fields do not match its hash")
        expected = next_chain(previous, str(entry.get("hash")))
        if entry.get("chain") != expected:
            problems.append(f"entry {position}: chain broken")
        previous = str(entry.get("chain"))
    if proof.get("head") != (entries[-1].get("chain") if entries else ""):
        problems.append("head is not the last entry's chain")
    return problems
