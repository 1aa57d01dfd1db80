"""Reading a CSV of sign-ups exported by a form tool or saved by a spreadsheet. Pure.

Files come as people's tools save them: UTF-8 with or without a byte order mark, Windows-1252 from
French Excel (UTF-16 from its « texte Unicode »), comma, semicolon or tab, CRLF, LF or CR. We detect
these and the organiser may correct the guess. Columns are matched by their header; French headers
are understood out of the box and others are mapped by the organiser.

Each row is then checked with the same rules as the public form (:func:`rules.check_email`, the
case-folded duplicate key). A refused row keeps its line number in the file, the value at fault as
it was typed, and the reason.

Rows with more fields than the header (an unquoted comma, as in an organisation typed
``=HYPERLINK("http://x","clic")``) are repaired only when exactly one free-text column
(organisation, comment or an ignored column) can take the surplus while the email and « toute la
journée » columns still read right; the repair is flagged in the preview. Otherwise the row is
refused with the reason.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from .. import csv_reading
from .comment_hints import CommentHints, read_comment
from .rules import (
    CheckedEmail,
    RuleError,
    check_email,
    check_no_control_characters,
    check_single_line,
)

FIRST_NAME, LAST_NAME, ORGANISATION, EMAIL, FULL_DAY, COMMENT = (
    "first_name",
    "last_name",
    "organisation",
    "email",
    "full_day",
    "comment",
)
FIELDS = (FIRST_NAME, LAST_NAME, ORGANISATION, EMAIL, FULL_DAY, COMMENT)
REQUIRED_FIELDS = (FIRST_NAME, LAST_NAME, EMAIL)
FREE_TEXT_FIELDS = (ORGANISATION, COMMENT, "")
IGNORED = ""

ENCODINGS = ("utf-8", "cp1252", "latin-1", "utf-16")
DELIMITERS = (",", ";", "\t")
NAME_MAX, ORGANISATION_MAX = 100, 200

YES = {"oui", "o", "yes", "y", "x", "1", "vrai", "true"}
NO = {"non", "n", "no", "0", "faux", "false"}

# Normalised header (see ``_normalise_header``) -> field.
KNOWN_HEADERS = {
    "prenom": FIRST_NAME,
    "prenoms": FIRST_NAME,
    "first name": FIRST_NAME,
    "firstname": FIRST_NAME,
    "given name": FIRST_NAME,
    "nom": LAST_NAME,
    "nom de famille": LAST_NAME,
    "last name": LAST_NAME,
    "lastname": LAST_NAME,
    "surname": LAST_NAME,
    "family name": LAST_NAME,
    "organisation": ORGANISATION,
    "organisme": ORGANISATION,
    "structure": ORGANISATION,
    "employeur": ORGANISATION,
    "organization": ORGANISATION,
    "courriel": EMAIL,
    "email": EMAIL,
    "e mail": EMAIL,
    "mail": EMAIL,
    "adresse mail": EMAIL,
    "adresse e mail": EMAIL,
    "adresse email": EMAIL,
    "adresse courriel": EMAIL,
    "adresse electronique": EMAIL,
    "email address": EMAIL,
    "commentaire": COMMENT,
    "commentaires": COMMENT,
    "commentaire libre": COMMENT,
    "remarque": COMMENT,
    "remarques": COMMENT,
    "comment": COMMENT,
    "comments": COMMENT,
}
LINE_BREAK = re.compile(r"\r\n|\r|\n")
ENDING_OR_QUOTED = re.compile(r'"[^"]*"|\r\n|\r|\n')
FULL_DAY_HEADER = re.compile(r"toute la journee|je serai present|full day|all day|whole day")


@dataclass(frozen=True)
class Detected:
    encoding: str
    delimiter: str
    line_endings: str  # "CRLF", "LF", "CR", "mixed" or "none"


@dataclass(frozen=True)
class Record:
    line: int  # line of the file where the record starts; the header is line 1
    fields: tuple[str, ...]
    raw: str  # the record's text as in the file, without its line ending


@dataclass(frozen=True)
class RefusedRow:
    line: int
    field: str  # the field at fault, or "" for the whole row
    value: str  # as typed
    reason: object  # a (lazy) translatable message


@dataclass(frozen=True)
class AcceptedRow:
    line: int
    first_name: str
    last_name: str
    organisation: str
    email: CheckedEmail
    full_day: bool
    comment: str
    hints: CommentHints | None  # read from the comment of a « Non » row
    repair: object | None = None  # message saying how a row with too many fields was read


@dataclass
class ParsedFile:
    detected: Detected
    encoding: str
    delimiter: str
    header: list[str]
    mapping: dict[str, str]  # header -> field ("" = ignored)
    accepted: list[AcceptedRow] = field(default_factory=list)
    refused: list[RefusedRow] = field(default_factory=list)
    # Problems with the whole file; nothing can be imported while there is one.
    problems: list[object] = field(default_factory=list)
    # Things the organiser should know that do not block the import.
    warnings: list[object] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return len(self.accepted) + len(self.refused)

    @property
    def repaired(self) -> list[AcceptedRow]:
        return [row for row in self.accepted if row.repair is not None]


def detect(data: bytes) -> Detected:
    encoding = detect_encoding(data)
    text, _ = decode(data, encoding)
    return Detected(encoding, detect_delimiter(text), detect_line_endings(text))


def detect_encoding(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8"  # said by its byte order mark: bytes that do not follow are unreadable
    try:
        data.decode("utf-8")  # a BOM, if any, is removed by decode()
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return "latin-1"  # every byte means something in Latin-1
    return "cp1252"


def decode(data: bytes, encoding: str) -> tuple[str, bool]:
    """The text, and whether some bytes could not be read in this encoding."""
    codec = "utf-8-sig" if encoding == "utf-8" else encoding
    try:
        return data.decode(codec), False
    except UnicodeDecodeError:
        return data.decode(codec, errors="replace"), True
    except LookupError:
        return data.decode("utf-8-sig", errors="replace"), True


def detect_delimiter(text: str) -> str:
    """The separator that splits the header line into the most columns (quotes respected)."""
    first_line = _first_record(text)
    best, best_count = ",", 1
    for delimiter in DELIMITERS:
        try:
            count = len(next(csv.reader([first_line], delimiter=delimiter), []))
        except csv.Error:  # a cell over 128 KiB: read_records names the line
            continue
        if count > best_count:
            best, best_count = delimiter, count
    return best


def detect_line_endings(text: str) -> str:
    """How records end; line breaks inside quoted cells (Excel writes LF there) do not count."""
    counts = {"\r\n": 0, "\n": 0, "\r": 0}
    for match in ENDING_OR_QUOTED.finditer(text):
        if match.group(0) in counts:
            counts[match.group(0)] += 1
    kinds = [
        name for name, ending in (("CRLF", "\r\n"), ("LF", "\n"), ("CR", "\r")) if counts[ending]
    ]
    if not kinds:
        return "none"
    return kinds[0] if len(kinds) == 1 else "mixed"


def _first_record(text: str) -> str:
    """The header line; a header cell may hold a quoted line break, so read it as CSV would."""
    quoted = False
    for index, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char in "\r\n" and not quoted:
            return text[:index]
    return text


def read_records(
    text: str, delimiter: str, limits: csv_reading.Limits = csv_reading.SIGNUPS
) -> tuple[list[str], list[Record]]:
    """The header and the records, each with the line where it starts. Blank lines are skipped.
    Raises :class:`csv_reading.CsvRefused` for a file past ``limits`` or a quote never closed."""
    read = csv_reading.read_records(text, delimiter, limits)
    # Physical lines as the reader counts them (CRLF, LF or CR), to quote a record as typed.
    lines = LINE_BREAK.split(text)
    header = [value.strip() for value in read[0].fields] if read else []
    records = [
        Record(
            record.first_line,
            tuple(record.fields),
            "\n".join(lines[record.first_line - 1 : record.last_line]),
        )
        for record in read[1:]
    ]
    return header, records


def guess_mapping(header: list[str]) -> dict[str, str]:
    """Known headers to their field; every field taken once, by the first column that says it."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for title in header:
        normal = _normalise_header(title)
        target = KNOWN_HEADERS.get(normal)
        if target is None and FULL_DAY_HEADER.search(normal):
            target = FULL_DAY
        if target is not None and target not in taken and title not in mapping:
            mapping[title] = target
            taken.add(target)
        else:
            mapping.setdefault(title, IGNORED)
    return mapping


def _normalise_header(title: str) -> str:
    decomposed = unicodedata.normalize("NFKD", title.replace("\ufeff", "").casefold())
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    plain = re.sub(r"[·.•]e\b|\(e\)", "e", plain)  # présent·e, présent.e, présent(e)
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain).split())


class Table(NamedTuple):
    """A file read as its encoding and separator say (detected, or chosen by the organiser)."""

    detected: Detected
    encoding: str
    delimiter: str
    text: str
    unreadable: bool
    header: list[str]
    records: list[Record]
    # Why the file cannot be read at all (too big, not CSV, a quote never closed...), or None.
    problem: object | None = None


def read_table(
    data: bytes,
    *,
    encoding: str | None,
    delimiter: str | None,
    limits: csv_reading.Limits = csv_reading.SIGNUPS,
) -> Table:
    """Shared by every CSV import: a choice the organiser made wins over what was detected."""
    try:
        csv_reading.check_file(data, limits)
    except csv_reading.CsvRefused as refused:
        detected = Detected(
            encoding if encoding in ENCODINGS else "utf-8",
            delimiter if delimiter in DELIMITERS else ",",
            "none",
        )
        return Table(
            detected, detected.encoding, detected.delimiter, "", False, [], [], _problem(refused)
        )
    detected = detect(data)
    encoding = encoding if encoding in ENCODINGS else detected.encoding
    text, unreadable = decode(data, encoding)
    if delimiter not in DELIMITERS:
        delimiter = detect_delimiter(text) if encoding != detected.encoding else detected.delimiter
    try:
        header, records = read_records(text, delimiter, limits)
    except csv_reading.CsvRefused as refused:
        return Table(detected, encoding, delimiter, text, unreadable, [], [], _problem(refused))
    return Table(detected, encoding, delimiter, text, unreadable, header, records)


def _problem(refused: csv_reading.CsvRefused):
    """The reading module's message, translated when shown, as the other problems are."""
    return _l(refused.message.msgid, **dict(refused.message.params))


def mapped_twice(mapping: dict[str, str], fields) -> list[str]:
    """Fields that more than one column is mapped to (the organiser must keep one)."""
    targets = [target for target in mapping.values() if target]
    return [field for field in fields if targets.count(field) > 1]


def parse(
    data: bytes,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    mapping: dict[str, str] | None = None,
    existing_keys: Iterable[str] = (),
) -> ParsedFile:
    """Read, map and check every row. ``existing_keys`` are the duplicate keys already registered
    to the event: a row with one of them is refused as a duplicate."""
    detected, encoding, delimiter, text, unreadable, header, records, problem = read_table(
        data, encoding=encoding, delimiter=delimiter
    )
    guessed = guess_mapping(header)
    if mapping:
        guessed.update({title: target for title, target in mapping.items() if title in guessed})
    parsed = ParsedFile(detected, encoding, delimiter, header, guessed)
    if problem is not None:
        parsed.problems.append(problem)
        return parsed

    if unreadable:
        parsed.problems.append(
            _l(
                "Des caractères de ce fichier ne peuvent pas être lus comme %(encoding)s : "
                "choisissez un autre encodage ci-dessous.",
                encoding=encoding_label(encoding),
            )
        )
    elif _looks_double_encoded(text):
        parsed.warnings.append(
            _l(
                "Des lettres accentuées semblent déformées (« Ã© » au lieu de « é ») : "
                "essayez l'encodage UTF-8."
            )
        )
    if not header:
        parsed.problems.append(_l("Ce fichier est vide : choisissez le fichier exporté."))
        return parsed
    targets = [target for target in guessed.values() if target]
    for target in mapped_twice(guessed, FIELDS):
        parsed.problems.append(
            _l(
                "Plusieurs colonnes sont associées à « %(field)s » : gardez-en une seule.",
                field=field_label(target),
            )
        )
    missing = [target for target in REQUIRED_FIELDS if target not in targets]
    for target in missing:
        parsed.problems.append(
            _l(
                "Aucune colonne n'est associée à « %(field)s » : choisissez-la ci-dessous.",
                field=field_label(target),
            )
        )
    if parsed.problems:
        return parsed

    seen: dict[str, int] = {}
    existing = set(existing_keys)
    columns = [guessed[title] for title in header]
    for record in records:
        outcome = _check_record(record, columns, delimiter, seen, existing)
        if isinstance(outcome, RefusedRow):
            parsed.refused.append(outcome)
        else:
            parsed.accepted.append(outcome)
            seen[outcome.email.key] = outcome.line
    return parsed


def _check_record(
    record: Record, columns: list[str], delimiter: str, seen: dict[str, int], existing: set[str]
) -> AcceptedRow | RefusedRow:
    fields, repair = _fit(record, columns, delimiter)
    if fields is None:
        return RefusedRow(
            record.line,
            "",
            record.raw,
            _l(
                "Cette ligne a %(found)d champs pour %(expected)d colonnes (une virgule ou un "
                "point-virgule hors guillemets ?) : corrigez-la dans le fichier.",
                found=len(record.fields),
                expected=len(columns),
            ),
        )
    values = {target: value for target, value in zip(columns, fields, strict=True) if target}
    first_name = values.get(FIRST_NAME, "").strip()
    last_name = values.get(LAST_NAME, "").strip()
    organisation = values.get(ORGANISATION, "").strip()
    # Line breaks inside a quoted cell come as the file wrote them; keep one kind.
    comment = LINE_BREAK.sub("\n", values.get(COMMENT, "")).strip()
    typed_email = values.get(EMAIL, "")
    full_day_typed = values.get(FULL_DAY, "")

    for target, value, check in (
        (FIRST_NAME, first_name, check_single_line),
        (LAST_NAME, last_name, check_single_line),
        (ORGANISATION, organisation, check_single_line),
        (EMAIL, typed_email.strip(), check_single_line),
        (COMMENT, comment, check_no_control_characters),
    ):
        try:
            check(value)
        except RuleError as error:
            return RefusedRow(record.line, target, value, error.message)
    for target, value, limit in (
        (FIRST_NAME, first_name, NAME_MAX),
        (LAST_NAME, last_name, NAME_MAX),
    ):
        if not value:
            return RefusedRow(
                record.line,
                target,
                value,
                _l("%(field)s manquant : complétez la ligne.", field=field_label(target)),
            )
        if len(value) > limit:
            return _too_long(record.line, target, value, limit)
    if len(organisation) > ORGANISATION_MAX:
        return _too_long(record.line, ORGANISATION, organisation, ORGANISATION_MAX)
    try:
        email = check_email(typed_email)
    except RuleError as error:
        return RefusedRow(record.line, EMAIL, typed_email, error.message)
    if email.key in seen:
        return RefusedRow(
            record.line,
            EMAIL,
            typed_email,
            _l("Doublon : la même adresse figure déjà à la ligne %(line)d.", line=seen[email.key]),
        )
    if email.key in existing:
        return RefusedRow(
            record.line,
            EMAIL,
            typed_email,
            _l("Doublon : cette adresse est déjà inscrite à l'événement."),
        )
    full_day = read_yes_no(full_day_typed)
    if full_day is None:
        return RefusedRow(
            record.line,
            FULL_DAY,
            full_day_typed,
            _l("Réponse non reconnue : attendu « Oui » ou « Non »."),
        )
    return AcceptedRow(
        line=record.line,
        first_name=first_name,
        last_name=last_name,
        organisation=organisation,
        email=email,
        full_day=full_day,
        comment=comment,
        hints=None if full_day else read_comment(comment),
        repair=repair,
    )


def read_yes_no(value: str) -> bool | None:
    """« Oui » / « Non » as form tools write them; empty means the whole day."""
    normal = value.strip().casefold().rstrip(".")
    if not normal or normal in YES:
        return True
    if normal in NO:
        return False
    return None


def _fit(
    record: Record, columns: list[str], delimiter: str
) -> tuple[tuple[str, ...] | None, object | None]:
    """The record's fields, one per column, and a note when a surplus had to be placed."""
    fields = record.fields
    if len(fields) <= len(columns):
        return fields + ("",) * (len(columns) - len(fields)), None
    extra = len(fields) - len(columns)
    fits = []
    for index, target in enumerate(columns):
        if target not in FREE_TEXT_FIELDS:
            continue
        merged = fields[:index] + (delimiter.join(fields[index : index + extra + 1]),)
        merged += fields[index + extra + 1 :]
        if _plausible(merged, columns):
            fits.append((index, merged))
    if len(fits) != 1:
        return None, None
    index, merged = fits[0]
    return merged, _l(
        "%(found)d champs pour %(expected)d colonnes : le séparateur en trop a été laissé dans "
        "« %(column)s » (« %(value)s »). Vérifiez cette ligne.",
        found=len(fields),
        expected=len(columns),
        column=field_label(columns[index]) if columns[index] else _l("colonne ignorée"),
        value=merged[index],
    )


def _plausible(fields: tuple[str, ...], columns: list[str]) -> bool:
    """Do the columns with a shape (email, yes/no, names) still read right?"""
    for target, value in zip(columns, fields, strict=True):
        if target == EMAIL and value.count("@") < 1:
            return False
        if target == FULL_DAY and read_yes_no(value) is None:
            return False
        if target in (FIRST_NAME, LAST_NAME) and ("," in value or not value.strip()):
            return False
    return True


def _too_long(line: int, target: str, value: str, limit: int) -> RefusedRow:
    return RefusedRow(
        line,
        target,
        value,
        _l(
            "%(field)s trop long : %(limit)d caractères au plus.",
            field=field_label(target),
            limit=limit,
        ),
    )


def _looks_double_encoded(text: str) -> bool:
    """UTF-8 read as Windows-1252 turns « é » into « Ã© »."""
    return re.search("[ÃÂ][\u0080-\u00bf\u2018-\u203a\u0152-\u0178]", text) is not None


def field_label(target: str):
    return {
        FIRST_NAME: _l("Prénom"),
        LAST_NAME: _l("Nom"),
        ORGANISATION: _l("Organisation"),
        EMAIL: _l("Adresse électronique"),
        FULL_DAY: _l("Toute la journée (Oui/Non)"),
        COMMENT: _l("Commentaire"),
    }.get(target, target)


def encoding_label(encoding: str):
    return {
        "utf-8": _l("UTF-8 (avec ou sans BOM)"),
        "cp1252": _l("Windows-1252 (Excel français)"),
        "latin-1": _l("ISO-8859-1 (Latin-1)"),
        "utf-16": _l("UTF-16 (texte Unicode d'Excel)"),
    }.get(encoding, encoding)


def delimiter_label(delimiter: str):
    return {",": _l("virgule"), ";": _l("point-virgule"), "\t": _l("tabulation")}.get(
        delimiter, delimiter
    )


def line_endings_label(kind: str):
    return {
        "CRLF": _l("CRLF (Windows)"),
        "LF": _l("LF (Linux, macOS)"),
        "CR": _l("CR (ancien Mac)"),
        "mixed": _l("mélangées"),
        "none": _l("une seule ligne"),
    }.get(kind, kind)
