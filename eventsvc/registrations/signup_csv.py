"""Reading a CSV of sign-ups exported by a form tool or saved by a spreadsheet. Pure.

Files come as people's tools save them: UTF-8 with or without a byte order mark, Windows-1252 from
French Excel (UTF-16 from its « texte Unicode »), comma, semicolon or tab, CRLF, LF or CR. We detect
these and the organiser may correct the guess. Columns are matched by their header; French headers
are understood out of the box and others are mapped by the organiser.

Each row is then checked with the same rules as the public form
(:func:`common.validation.check_email`, the case-folded duplicate key). A refused row keeps its
line number in the file, the value at fault as it was typed, and the reason. Reading the table
(encoding, separator, records) is :mod:`common.csv_tables`, shared with the contacts import.

Rows with more fields than the header (an unquoted comma, as in an organisation typed
``=HYPERLINK("http://x","clic")``) are repaired only when exactly one free-text column
(organisation, comment or an ignored column) can take the surplus while the email and « toute la
journée » columns still read right; the repair is flagged in the preview. Otherwise the row is
refused with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..common.csv_tables import (
    LINE_BREAK,
    Detected,
    Record,
    RefusedRow,
    encoding_label,
    mapped_twice,
    normalise_header,
    read_table,
)
from ..common.validation import (
    CheckedEmail,
    RuleError,
    check_email,
    check_no_control_characters,
    check_single_line,
)
from .comment_hints import CommentHints, read_comment

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

NAME_MAX, ORGANISATION_MAX = 100, 200

YES = {"oui", "o", "yes", "y", "x", "1", "vrai", "true"}
NO = {"non", "n", "no", "0", "faux", "false"}

# Normalised header (see ``normalise_header``) -> field.
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
FULL_DAY_HEADER = re.compile(r"toute la journee|je serai present|full day|all day|whole day")


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
    kind: str = "csv"  # or "xlsx": an Excel workbook, of which ``sheet`` was read
    sheet: str = ""

    @property
    def rows_read(self) -> int:
        return len(self.accepted) + len(self.refused)

    @property
    def repaired(self) -> list[AcceptedRow]:
        return [row for row in self.accepted if row.repair is not None]


def guess_mapping(header: list[str]) -> dict[str, str]:
    """Known headers to their field; every field taken once, by the first column that says it."""
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for title in header:
        normal = normalise_header(title)
        target = KNOWN_HEADERS.get(normal)
        if target is None and FULL_DAY_HEADER.search(normal):
            target = FULL_DAY
        if target is not None and target not in taken and title not in mapping:
            mapping[title] = target
            taken.add(target)
        else:
            mapping.setdefault(title, IGNORED)
    return mapping


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
    table = read_table(data, encoding=encoding, delimiter=delimiter, workbooks=True)
    encoding, delimiter, text, unreadable = (
        table.encoding,
        table.delimiter,
        table.text,
        table.unreadable,
    )
    header, records, problem = table.header, table.records, table.problem
    guessed = guess_mapping(header)
    if mapping:
        guessed.update({title: target for title, target in mapping.items() if title in guessed})
    parsed = ParsedFile(
        table.detected, encoding, delimiter, header, guessed, kind=table.kind, sheet=table.sheet
    )
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
