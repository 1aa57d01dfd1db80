"""Reading a CSV file that someone uploaded, whatever it holds: the limits, and hostile files. Pure.

Every CSV import (sign-ups, contacts, the distance table) reads its records through
:func:`read_records`, after :func:`check_file`. A file that cannot be a table we import (too big,
a spreadsheet or a PDF rather than CSV, an opening quote never closed, a cell or a line far too
long, too many rows) raises :class:`CsvRefused` with a message that names the line, instead of
``_csv.Error`` (a 500) or minutes of work. The limits are here, in one place: the upload pages
and the README say them, the web forms (``uploads.FileSizeAtMost``) and the commands
(:func:`read_file`) refuse a larger file before reading it.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from .errors import DomainError
from .wording import N_, Message

MEBIBYTE = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """What one CSV file may hold. Records are counted without the header and blank lines."""

    max_bytes: int
    max_rows: int
    max_columns: int
    max_cell: int = 10_000  # characters in one cell; a comment is at most 2,000

    @property
    def max_megabytes(self) -> int:
        return self.max_bytes // MEBIBYTE


# Each under MAX_CONTENT_LENGTH (config.py, 5 MiB), which refuses any larger request unread: the
# contacts preview posts its file back in base64 (a third more).
SIGNUPS = Limits(max_bytes=2 * MEBIBYTE, max_rows=5_000, max_columns=200)
CONTACTS = Limits(max_bytes=2 * MEBIBYTE, max_rows=5_000, max_columns=100)
DISTANCES = Limits(max_bytes=4 * MEBIBYTE, max_rows=100_000, max_columns=20, max_cell=1_000)

# What a file that is not text starts with: the spreadsheets people pick instead of their CSV
# export (XLSX and ODS are ZIP archives, XLS an OLE2 file), PDFs, pictures, archives.
BINARY_SIGNATURES = (
    b"PK\x03\x04",
    b"\xd0\xcf\x11\xe0",
    b"%PDF",
    b"\x89PNG",
    b"\xff\xd8\xff",
    b"GIF8",
    b"\x1f\x8b",
    b"7z\xbc\xaf",
    b"Rar!",
)
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
# Bytes that text has (a stray control character in a row is that row's problem, refused with
# its line); a file of which more than 5 % of the first 8 KiB are others is not text.
TEXT_BYTES = bytes(range(32, 256)) + b"\t\n\r\x0c"


class CsvRefused(DomainError, ValueError):
    """The file cannot be read as a table; ``message`` says why and, when it can, which line."""

    def __init__(self, message: Message):
        super().__init__(message.render())
        self.message = message


def read_file(path: Path, limits: Limits) -> bytes:
    """A file named on the command line, read no further than :func:`check_file` needs to refuse
    it (a file of gigabytes is not loaded to be told it is too big)."""
    with path.open("rb") as handle:
        return handle.read(limits.max_bytes + 1)


def check_file(data: bytes, limits: Limits, *, workbooks: bool = False) -> None:
    """Refuse a file too large, or one that is not text at all, before decoding it.
    ``workbooks``: the import also reads Excel workbooks (the message says so)."""
    if len(data) > limits.max_bytes:
        raise CsvRefused(
            N_(
                "Ce fichier dépasse %(max)s Mo : découpez-le en plusieurs fichiers.",
                max=limits.max_megabytes,
            )
        )
    sample = data[:8192]
    binary = len(sample.translate(None, delete=TEXT_BYTES)) * 20 > len(sample)
    if data.startswith(BINARY_SIGNATURES) or (binary and not data.startswith(UTF16_BOMS)):
        if workbooks:
            raise CsvRefused(
                N_(
                    "Ce fichier n'est pas un fichier CSV ni un classeur Excel (.xlsx) : un PDF, "
                    "une image, une archive ? Ouvrez-le dans votre tableur et enregistrez-le au "
                    "format « CSV » ou « Classeur Excel (.xlsx) »."
                )
            )
        raise CsvRefused(
            N_(
                "Ce fichier n'est pas un fichier CSV (un classeur Excel, un PDF, une archive ?) : "
                "ouvrez-le dans votre tableur et enregistrez-le au format « CSV »."
            )
        )


@dataclass(frozen=True)
class Record:
    first_line: int  # the line of the file where the record starts; the first line is 1
    last_line: int
    fields: list[str]


def read_records(text: str, delimiter: str, limits: Limits) -> list[Record]:
    """Every non-blank record, the header included, with the lines it spans.

    The csv module alone reads an opening quote that is never closed as one cell running to the
    end of the file, silently, or fails with ``_csv.Error`` once that cell passes 128 KiB: both
    are refused here with the line where the quote opened.
    """
    reader = csv.reader(io.StringIO(text + END_MARK, newline=""), delimiter=delimiter)
    records: list[Record] = []
    last_line = 0
    while True:
        first_line = last_line + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise _cell_too_long(first_line, limits) from error
        last_line = reader.line_num
        if fields == [END_MARK.strip()]:
            break
        if any(END_MARK.strip() in value for value in fields):
            raise CsvRefused(
                N_(
                    "Ligne %(line)s : un guillemet (\") ouvre une cellule qui n'est jamais "
                    "refermée. Ajoutez le guillemet fermant ou retirez celui-ci dans le fichier.",
                    line=first_line,
                )
            )
        if not any(value.strip() for value in fields):
            continue
        check_row(fields, first_line, len(records), limits)
        records.append(Record(first_line, last_line, fields))
    return records


# Read after the file: it comes back as a record of its own unless a quote left open swallows it.
END_MARK = "\r\n\ue000eventsvc-end-of-file\ue000\r\n"


def check_row(
    fields: list[str], line: int, kept: int, limits: Limits, *, workbook: bool = False
) -> None:
    """The limits of one non-blank row, for a CSV file and a workbook (``xlsx_reading``) alike:
    its columns, the length of its cells, and the rows ``kept`` before it (the header included).
    Raises :class:`CsvRefused` naming the ``line``, with the advice that fits the kind of file."""
    if len(fields) > limits.max_columns:
        raise _too_many_columns(line, len(fields), limits, workbook)
    if any(len(value) > limits.max_cell for value in fields):
        raise _cell_too_long(line, limits, workbook=workbook)
    if kept > limits.max_rows:  # the header is the first row kept
        raise CsvRefused(
            N_(
                "Ligne %(line)s : ce fichier a plus de %(max)s lignes. Découpez-le en "
                "plusieurs fichiers.",
                line=line,
                max=limits.max_rows,
            )
        )


def _too_many_columns(line: int, found: int, limits: Limits, workbook: bool) -> CsvRefused:
    if workbook:
        message = N_(
            "Ligne %(line)s : %(found)s colonnes, %(max)s au plus. Retirez les colonnes inutiles.",
            line=line,
            found=found,
            max=limits.max_columns,
        )
    else:
        message = N_(
            "Ligne %(line)s : %(found)s colonnes, %(max)s au plus. Vérifiez le séparateur, ou "
            "retirez les colonnes inutiles.",
            line=line,
            found=found,
            max=limits.max_columns,
        )
    return CsvRefused(message)


def _cell_too_long(line: int, limits: Limits, *, workbook: bool = False) -> CsvRefused:
    if workbook:
        message = N_(
            "Ligne %(line)s : une cellule dépasse %(max)s caractères. Raccourcissez-la dans le "
            "classeur.",
            line=line,
            max=limits.max_cell,
        )
    else:
        message = N_(
            'Ligne %(line)s : une cellule dépasse %(max)s caractères. Un guillemet (") ouvert '
            "et jamais refermé ? Corrigez cette ligne dans le fichier.",
            line=line,
            max=limits.max_cell,
        )
    return CsvRefused(message)
