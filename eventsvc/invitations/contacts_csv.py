"""Reading a CSV of contacts (an address book, a spreadsheet of mayors). Pure.

Encoding, separator and records are read by the sign-up import's functions
(:mod:`common.csv_tables`: UTF-8 with or without BOM, Windows-1252, UTF-16; comma,
semicolon or tab), so both imports understand the same files. Only the columns differ: French
headers (`Civilité`, `Prénom`, `NOM`, `Fonction`, `Organisation` or `Commune`, `Courriel`) are
understood out of the box. Duplicates are found by the case-folded email key of
:func:`common.validation.check_email`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from ..common import csv_reading, csv_tables
from ..common.validation import (
    CheckedEmail,
    RuleError,
    check_email,
    check_single_line,
)

CIVILITY, FIRST_NAME, LAST_NAME, FUNCTION, ORGANISATION, EMAIL = (
    "civility",
    "first_name",
    "last_name",
    "function",
    "organisation",
    "email",
)
FIELDS = (CIVILITY, FIRST_NAME, LAST_NAME, FUNCTION, ORGANISATION, EMAIL)
REQUIRED_FIELDS = (LAST_NAME, EMAIL)
LIMITS = {CIVILITY: 20, FIRST_NAME: 100, LAST_NAME: 100, FUNCTION: 200, ORGANISATION: 200}

KNOWN_HEADERS = {
    "civilite": CIVILITY,
    "titre": CIVILITY,
    "title": CIVILITY,
    "prenom": FIRST_NAME,
    "first name": FIRST_NAME,
    "firstname": FIRST_NAME,
    "nom": LAST_NAME,
    "nom de famille": LAST_NAME,
    "last name": LAST_NAME,
    "lastname": LAST_NAME,
    "fonction": FUNCTION,
    "qualite": FUNCTION,
    "mandat": FUNCTION,
    "function": FUNCTION,
    "role": FUNCTION,
    "organisation": ORGANISATION,
    "organisme": ORGANISATION,
    "structure": ORGANISATION,
    "commune": ORGANISATION,
    "collectivite": ORGANISATION,
    "organization": ORGANISATION,
    "courriel": EMAIL,
    "email": EMAIL,
    "e mail": EMAIL,
    "mail": EMAIL,
    "adresse mail": EMAIL,
    "adresse courriel": EMAIL,
    "adresse electronique": EMAIL,
}


@dataclass(frozen=True)
class ContactRow:
    line: int
    civility: str
    first_name: str
    last_name: str
    function: str
    organisation: str
    email: CheckedEmail


@dataclass
class ParsedContacts:
    encoding: str
    delimiter: str
    header: list[str]
    mapping: dict[str, str]
    accepted: list[ContactRow] = field(default_factory=list)
    refused: list[csv_tables.RefusedRow] = field(default_factory=list)
    problems: list[object] = field(default_factory=list)
    kind: str = "csv"  # or "xlsx": an Excel workbook, of which ``sheet`` was read
    sheet: str = ""


def field_label(target: str):
    return {
        CIVILITY: _l("Civilité"),
        FIRST_NAME: _l("Prénom"),
        LAST_NAME: _l("Nom"),
        FUNCTION: _l("Fonction"),
        ORGANISATION: _l("Organisation ou commune"),
        EMAIL: _l("Courriel"),
    }[target]


def guess_mapping(header: list[str]) -> dict[str, str]:
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for title in header:
        target = KNOWN_HEADERS.get(csv_tables.normalise_header(title))
        if target is not None and target not in taken and title not in mapping:
            mapping[title] = target
            taken.add(target)
        else:
            mapping.setdefault(title, "")
    return mapping


def parse(
    data: bytes,
    *,
    encoding: str | None = None,
    delimiter: str | None = None,
    mapping: dict[str, str] | None = None,
) -> ParsedContacts:
    """Read and check every row; ``encoding``, ``delimiter`` and ``mapping`` (header -> field,
    "" to ignore) correct what was detected, as in the sign-up import."""
    table = csv_tables.read_table(
        data, encoding=encoding, delimiter=delimiter, limits=csv_reading.CONTACTS, workbooks=True
    )
    encoding, delimiter, unreadable = table.encoding, table.delimiter, table.unreadable
    header, records = table.header, table.records
    guessed = guess_mapping(header)
    if mapping:
        guessed.update(
            {
                title: target
                for title, target in mapping.items()
                if title in guessed and target in (*FIELDS, "")
            }
        )
    mapping = guessed
    parsed = ParsedContacts(
        encoding, delimiter, header, mapping, kind=table.kind, sheet=table.sheet
    )
    if table.problem is not None:
        parsed.problems.append(table.problem)
        return parsed
    if unreadable:
        parsed.problems.append(
            _l("Des caractères de ce fichier sont illisibles : enregistrez-le en UTF-8.")
        )
    if not header:
        parsed.problems.append(_l("Ce fichier est vide : choisissez le fichier des contacts."))
        return parsed
    targets = [target for target in mapping.values() if target]
    for target in csv_tables.mapped_twice(mapping, FIELDS):
        parsed.problems.append(
            _l(
                "Plusieurs colonnes sont associées à « %(field)s » : gardez-en une seule.",
                field=field_label(target),
            )
        )
    for target in REQUIRED_FIELDS:
        if target not in targets:
            parsed.problems.append(
                _l(
                    "Aucune colonne « %(field)s » : nommez ainsi la colonne dans la première "
                    "ligne du fichier.",
                    field=field_label(target),
                )
            )
    if parsed.problems:
        return parsed
    columns = [mapping[title] for title in header]
    seen: dict[str, int] = {}
    for record in records:
        row = _check(record, columns, seen)
        if isinstance(row, ContactRow):
            seen[row.email.key] = row.line
            parsed.accepted.append(row)
        else:
            parsed.refused.append(row)
    return parsed


def _check(record, columns, seen) -> ContactRow | csv_tables.RefusedRow:
    if len(record.fields) > len(columns):
        return csv_tables.RefusedRow(
            record.line,
            "",
            record.raw,
            _l(
                "Cette ligne a %(found)d champs pour %(expected)d colonnes : corrigez-la dans "
                "le fichier.",
                found=len(record.fields),
                expected=len(columns),
            ),
        )
    values = {
        target: value.strip()
        for target, value in zip(columns, record.fields, strict=False)
        if target
    }
    for target, value in values.items():
        try:
            check_single_line(value)
        except RuleError as error:
            return csv_tables.RefusedRow(record.line, target, value, error.message)
    for target, limit in LIMITS.items():
        value = values.get(target, "")
        if len(value) > limit:
            return csv_tables.RefusedRow(
                record.line,
                target,
                value,
                _l("%(max)d caractères au plus : raccourcissez la valeur.", max=limit),
            )
    if not values.get(LAST_NAME):
        return csv_tables.RefusedRow(
            record.line, LAST_NAME, "", _l("Nom manquant : complétez la ligne.")
        )
    typed = values.get(EMAIL, "")
    try:
        email = check_email(typed)
    except RuleError as error:
        return csv_tables.RefusedRow(record.line, EMAIL, typed, error.message)
    if email.key in seen:
        return csv_tables.RefusedRow(
            record.line,
            EMAIL,
            typed,
            _l("Doublon : la même adresse figure déjà à la ligne %(line)d.", line=seen[email.key]),
        )
    return ContactRow(
        line=record.line,
        civility=values.get(CIVILITY, ""),
        first_name=values.get(FIRST_NAME, ""),
        last_name=values.get(LAST_NAME, ""),
        function=values.get(FUNCTION, ""),
        organisation=values.get(ORGANISATION, ""),
        email=email,
    )
