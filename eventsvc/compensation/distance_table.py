"""Distance tables (distanciers) as intercommunalities hand them out, read into a lookup.

A distancier is a CSV file: origin commune, destination commune, one-way distance in km, usually
exported from a spreadsheet, so it comes with a ``;`` or ``,`` separator, a decimal comma, in UTF-8
with or without a byte order mark, or in Windows-1252. The first three columns are read, in that
order; a header line is recognised by its third cell not being a number; other columns are ignored.

Communes are compared without accents, case, hyphens or apostrophes (« Évran » = « EVRAN »,
« Saint-Jacut » = « saint jacut »). A pair listed only in the other direction is used as is: road
distances barely differ by direction and many tables list each pair once.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from ..common.csv_reading import DISTANCES, CsvRefused, check_file, read_records
from ..common.wording import N_
from .rules import CompensationError

# What no text column can hold (PostgreSQL refuses NUL) and nobody types on purpose; a commune
# name is one line (a quoted cell may hold a line break or a tab): none of those either.
CONTROL_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")

_SEPARATORS = re.compile(r"[\s\-\u2010\u2011\u2013'\u2019]+")
_NUMBER = re.compile(r"\d+(\.\d+)?")


class DistancierError(CompensationError):
    """The file cannot be read; the message names the line and says what to fix."""


def commune_key(name: str) -> str:
    """The form communes are compared in: no accents, case-folded, single spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(part for part in _SEPARATORS.split(bare.casefold()) if part)


@dataclass(frozen=True)
class DistanceTable:
    """One-way distances by (origin, destination), keyed by ``commune_key``."""

    one_way_km: Mapping[tuple[str, str], Decimal]
    # Each commune as first spelled in the file, by key (« Saint-Jacut-de-la-Mer »).
    names: Mapping[str, str] = field(default_factory=dict)
    # The line of the file each pair was read from, by key pair.
    lines: Mapping[tuple[str, str], int] = field(default_factory=dict)

    def one_way(self, origin: str, destination: str) -> Decimal | None:
        key = (commune_key(origin), commune_key(destination))
        found = self.one_way_km.get(key)
        return found if found is not None else self.one_way_km.get((key[1], key[0]))

    def round_trip(self, origin: str, destination: str) -> Decimal | None:
        """Twice the one-way distance; None when the pair is not in the table (check it by hand)."""
        one_way = self.one_way(origin, destination)
        return None if one_way is None else 2 * one_way

    def __len__(self) -> int:
        return len(self.one_way_km)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, else Windows-1252."""
    try:
        if data.startswith(codecs.BOM_UTF8):
            return data[len(codecs.BOM_UTF8) :].decode("utf-8")
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return data.decode("utf-16")
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        return data.decode("cp1252")
    except UnicodeDecodeError as error:  # a byte order mark, then bytes that do not follow it
        raise DistancierError(
            N_(
                "L'encodage du fichier n'est pas reconnu : enregistrez-le en CSV UTF-8 depuis "
                "votre tableur."
            )
        ) from error


def parse_km(value: str) -> Decimal | None:
    """« 15,6 », « 15.6 », « 1 234,5 km » → Decimal; None when it is not a distance."""
    cleaned = re.sub(r"\s", "", value.lower().removesuffix("km").strip())
    if "," in cleaned and "." in cleaned:
        thousands = "." if cleaned.rfind(",") > cleaned.rfind(".") else ","
        cleaned = cleaned.replace(thousands, "")
    cleaned = cleaned.replace(",", ".")
    return Decimal(cleaned) if _NUMBER.fullmatch(cleaned) else None


def parse_distancier(data: bytes | str) -> DistanceTable:
    """The table, or ``DistancierError`` naming the line to fix (limits: ``csv_reading``)."""
    try:
        check_file(
            data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data, DISTANCES
        )
    except CsvRefused as refused:
        raise DistancierError(refused.message) from None
    text = decode(data) if isinstance(data, bytes) else data.removeprefix("\ufeff")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    try:
        records = read_records(text, delimiter, DISTANCES)
    except CsvRefused as refused:
        raise DistancierError(refused.message) from None
    distances: dict[tuple[str, str], Decimal] = {}
    first_seen: dict[tuple[str, str], int] = {}
    names: dict[str, str] = {}
    header_possible = True
    for record in records:
        line, row = record.first_line, record.fields
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        if (
            delimiter == ","
            and len(cells) == 4
            and cells[2].isascii()
            and cells[2].isdigit()
            and cells[3].isascii()
            and cells[3].isdigit()
        ):
            cells = [cells[0], cells[1], f"{cells[2]},{cells[3]}"]  # « 15,6 » left unquoted
        km = parse_km(cells[2]) if len(cells) >= 3 else None
        if header_possible:
            header_possible = False
            if km is None:
                continue  # « Commune de départ;Commune d'arrivée;Distance aller (km) »
        if len(cells) < 3 or not cells[0] or not cells[1] or not cells[2]:
            raise DistancierError(
                N_(
                    "Ligne %(line)s : indiquez la commune de départ, la commune d'arrivée et la "
                    "distance aller en km, séparées par « ; ».",
                    line=line,
                )
            )
        if km is None:
            raise DistancierError(
                N_(
                    "Ligne %(line)s : « %(value)s » n'est pas une distance en km : écrivez un "
                    "nombre, par exemple 15,6.",
                    line=line,
                    value=cells[2],
                )
            )
        if any(CONTROL_CHARACTER.search(cell) for cell in cells[:2]):
            raise DistancierError(
                N_(
                    "Ligne %(line)s : un nom de commune contient un retour à la ligne, une "
                    "tabulation ou un caractère de contrôle invisible : corrigez-le dans le "
                    "fichier.",
                    line=line,
                )
            )
        key = (commune_key(cells[0]), commune_key(cells[1]))
        if key in distances and distances[key] != km:
            raise DistancierError(
                N_(
                    "Ligne %(line)s : la distance de %(origin)s à %(destination)s figure déjà "
                    "ligne %(first)s avec une autre valeur (%(previous)s km) : gardez-en une.",
                    line=line,
                    origin=cells[0],
                    destination=cells[1],
                    first=first_seen[key],
                    previous=distances[key],
                )
            )
        distances[key] = km
        first_seen.setdefault(key, line)
        names.setdefault(key[0], cells[0])
        names.setdefault(key[1], cells[1])
    if not distances:
        raise DistancierError(
            N_(
                "Le fichier ne contient aucune distance : il faut une ligne par trajet, avec la "
                "commune de départ, la commune d'arrivée et la distance aller en km."
            )
        )
    return DistanceTable(distances, names, first_seen)


_POSTCODE = re.compile(r"\b\d{5}\b")


def commune_candidates(origin: str) -> list[str]:
    """Where to look in the table for what a person typed: a commune or a postal address.

    « Évran » → [« Évran »]; « 3 rue des Lilas, 22630 Évran » → the whole text, then « Évran »
    (the words after a five-digit postcode, or the last comma-separated part). Most specific
    first, without duplicates.
    """
    text = " ".join(origin.split())
    candidates = [text]
    after_postcode = _POSTCODE.split(text)
    if len(after_postcode) > 1:
        candidates.append(after_postcode[-1].strip(" ,;-"))
    if "," in text:
        candidates.append(_POSTCODE.sub("", text.rsplit(",", 1)[1]).strip(" ,;-"))
    seen, result = set(), []
    for candidate in candidates:
        key = commune_key(candidate)
        if candidate and key and key not in seen:
            seen.add(key)
            result.append(candidate)
    return result
