"""Reading a table from an uploaded CSV file, for every import (sign-ups, contacts). Pure.

Files come as people's tools save them: UTF-8 with or without a byte order mark, Windows-1252 from
French Excel (UTF-16 from its « texte Unicode »), comma, semicolon or tab, CRLF, LF or CR. We detect
these and the organiser may correct the guess (:func:`read_table`). Limits and the refusal of files
that are not text are in :mod:`csv_reading`. An Excel workbook (told by its content, not its name)
is read by :mod:`xlsx_reading` into the same records, where the imports accept one
(``workbooks=True``).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

from flask_babel import lazy_gettext as _l

from . import csv_reading, xlsx_reading

ENCODINGS = ("utf-8", "cp1252", "latin-1", "utf-16")
DELIMITERS = (",", ";", "\t")
LINE_BREAK = re.compile(r"\r\n|\r|\n")
ENDING_OR_QUOTED = re.compile(r'"[^"]*"|\r\n|\r|\n')


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


def normalise_header(title: str) -> str:
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
    # "csv", or "xlsx" for a workbook, of which ``sheet`` is the sheet read (its first one).
    kind: str = "csv"
    sheet: str = ""


def read_table(
    data: bytes,
    *,
    encoding: str | None,
    delimiter: str | None,
    limits: csv_reading.Limits = csv_reading.SIGNUPS,
    workbooks: bool = False,
) -> Table:
    """Shared by every CSV import: a choice the organiser made wins over what was detected.
    With ``workbooks``, a file whose content is a ZIP or OLE2 container is read as an Excel
    workbook (encoding and separator then mean nothing and are left as detected)."""
    if workbooks and xlsx_reading.looks_like_workbook(data):
        return _read_workbook(data, limits)
    try:
        csv_reading.check_file(data, limits, workbooks=workbooks)
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


def _read_workbook(data: bytes, limits: csv_reading.Limits) -> Table:
    detected = Detected("utf-8", ",", "none")
    try:
        sheet, read = xlsx_reading.read_records(data, limits)
    except csv_reading.CsvRefused as refused:
        return Table(detected, "utf-8", ",", "", False, [], [], _problem(refused), "xlsx")
    # A value typed right of the last titled column gets a column without title (ignored unless
    # the organiser maps it), rather than the CSV reader's « too many fields » for its row.
    width = max(len(record.fields) for record in read)
    header = [value.strip() for value in read[0].fields] + [""] * (width - len(read[0].fields))
    records = [
        Record(record.first_line, tuple(record.fields), " | ".join(record.fields))
        for record in read[1:]
    ]
    return Table(detected, "utf-8", ",", "", False, header, records, None, "xlsx", sheet)


def _problem(refused: csv_reading.CsvRefused):
    """The reading module's message, translated when shown, as the other problems are."""
    return _l(refused.message.msgid, **dict(refused.message.params))


def mapped_twice(mapping: dict[str, str], fields) -> list[str]:
    """Fields that more than one column is mapped to (the organiser must keep one)."""
    targets = [target for target in mapping.values() if target]
    return [field for field in fields if targets.count(field) > 1]


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
