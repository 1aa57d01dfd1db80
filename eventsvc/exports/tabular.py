"""Rows of plain values to CSV or XLSX bytes: the one place every export goes through.

Pure: no Flask, no database. Callers give a header and rows of plain values (``str``, ``int``,
``Decimal``, ``float``, ``bool``, ``date``, ``datetime``, ``time`` or ``None``) already in the form
they want shown (datetimes in the event's time zone; their offset is dropped because spreadsheets
have none).

Whatever a participant typed may start with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return,
which a spreadsheet would read as a formula (CSV injection, OWASP), also after blanks. A CSV file
can moreover be opened with another separator than the one it was written with (a comma export in
a French Excel that splits on ``;``, or the reverse, or a LibreOffice import with several
separators ticked): a cell then starts after any ``,``, ``;``, tab or line break inside a value,
and quoting does not prevent it, since the quotes no longer pair up. :func:`neutralise_csv` puts an
apostrophe wherever a cell could start with a trigger (``ok;=1+1`` is written ``ok;'=1+1``): the
text stays readable and the apostrophe is the one marker people learn, « typed as is ». Every CSV
field is quoted as well. XLSX cells are cells, so only their start needs the apostrophe
(:func:`neutralise`, for a cell that someone edits later), and text is always written as a string
cell, never as a formula nor as an error code (« #N/A »).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, datetime, time
from decimal import Decimal
from typing import BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

Cell = str | int | float | Decimal | bool | date | datetime | time | None

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
UTF8_BOM = "\ufeff".encode()
XLSX_MAX_CELL = 32_767
DATETIME_FORMAT = "%Y-%m-%d %H:%M"

# A tab or CR right there (quotes aside), or = + - @ after blanks and quotes, which readers skip.
_TRIGGER_AHEAD = r'(?="*[\t\r]|(?:[^\S\r\n]|")*[=+\-@])'
_VALUE_START = re.compile(r"^" + _TRIGGER_AHEAD)
# Also after a separator or a line break inside the value (CRLF is one break).
_ANY_CELL_START = re.compile(r"(?:^|(?<=[,;\t\n])|(?<=\r)(?!\n))" + _TRIGGER_AHEAD)


def neutralise(text: str) -> str:
    """Text that a spreadsheet would take for a formula, made inert: ``'=1+1`` shows ``=1+1``."""
    return _VALUE_START.sub("'", text, count=1)


def neutralise_csv(text: str) -> str:
    """:func:`neutralise` at every place a cell can start when the file is read with ``,``,
    ``;`` or tab as separator: ``ok;=1+1`` → ``ok;'=1+1``, ``a\n-b`` → ``a\n'-b``."""
    return _ANY_CELL_START.sub("'", text)


def csv_text(value: Cell, *, decimal_separator: str = ".") -> str:
    """How one value is written in a CSV cell (text neutralised wherever a cell could start)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return neutralise_csv(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.strftime(DATETIME_FORMAT)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return str(value).replace(".", decimal_separator)
    if isinstance(value, int):
        return str(value)
    raise TypeError(f"no CSV form for {type(value).__name__}")


def iter_csv(
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    delimiter: str = ";",
    decimal_separator: str = ",",
    bom: bool = True,
    rows_per_chunk: int = 500,
) -> Iterator[bytes]:
    """CSV in UTF-8 (with a BOM so that Excel reads accents right), yielded in chunks of rows.

    Made to be streamed: a response can send the first chunk before the last row is read. The
    defaults suit French Excel (semicolon, decimal comma); lines end with CRLF as RFC 4180 says.
    Every field is quoted, so that no separator or line break inside a value splits it.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow([csv_text(title) for title in header])
    pending = 1
    prefix = UTF8_BOM if bom else b""
    for row in rows:
        writer.writerow([csv_text(value, decimal_separator=decimal_separator) for value in row])
        pending += 1
        if pending >= rows_per_chunk:
            yield prefix + buffer.getvalue().encode("utf-8")
            prefix = b""
            buffer.seek(0)
            buffer.truncate()
            pending = 0
    if pending or prefix:
        yield prefix + buffer.getvalue().encode("utf-8")


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]], **options) -> bytes:
    return b"".join(iter_csv(header, rows, **options))


def write_xlsx(
    target: BinaryIO,
    header: Sequence[str],
    rows: Iterable[Sequence[Cell]],
    *,
    sheet_title: str = "Export",
    column_widths: Sequence[int] | None = None,
) -> None:
    """One sheet: a bold, frozen, filterable header row, then the rows. Memory stays flat
    (write-only mode)."""
    write_workbook(target, {sheet_title: (header, rows)}, column_widths=column_widths)


def write_workbook(
    target: BinaryIO,
    sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[Cell]]]],
    *,
    column_widths: Sequence[int] | None = None,
) -> None:
    """Several sheets in order (e.g. a finance batch: people, lines, totals, references), each
    with its bold, frozen header row carrying an autofilter over every column and row (the
    organiser sorts and filters at once, as in the tools they compare us with). Sheet titles are
    made valid and unique."""
    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    used: set[str] = set()
    for title, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(_unique(_sheet_title(title), used))
        sheet.freeze_panes = "A2"
        for index, width in enumerate(column_widths or (), start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.append([_xlsx_cell(sheet, name, font=bold) for name in header])
        last_row = 1
        try:
            for row in rows:
                sheet.append([_xlsx_cell(sheet, value) for value in row])
                last_row += 1
        except BaseException:
            sheet.close()  # end the sheet's temporary file before giving up
            raise
        if header:  # written after the rows (write-only mode), so the range can cover them all
            sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{last_row}"
    workbook.save(target)


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]], **options) -> bytes:
    buffer = io.BytesIO()
    write_xlsx(buffer, header, rows, **options)
    return buffer.getvalue()


def workbook_bytes(sheets: Mapping[str, tuple[Sequence[str], Iterable[Sequence[Cell]]]]) -> bytes:
    buffer = io.BytesIO()
    write_workbook(buffer, sheets)
    return buffer.getvalue()


def _xlsx_cell(sheet, value: Cell, font: Font | None = None):
    """A plain value where openpyxl writes it right (fast), a cell where it needs a format or
    must be kept from reading text as an error code."""
    if font is None:
        if isinstance(value, str):
            text = ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))[:XLSX_MAX_CELL]
            if text not in ERROR_CODES:
                return text  # neutralised: cannot start with "=", so never a formula
            value = text
        elif value is None or isinstance(value, bool | int | float | Decimal):
            return value
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(value, time):
        cell = WriteOnlyCell(sheet, value=value.replace(tzinfo=None))
        cell.number_format = "hh:mm"
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
    elif isinstance(value, str):
        # Characters XML 1.0 forbids (pasted control codes) would make the file unreadable.
        text = ILLEGAL_CHARACTERS_RE.sub("", neutralise(value))[:XLSX_MAX_CELL]
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"  # never a formula nor an error code such as "#N/A"
    elif value is None or isinstance(value, bool | int | float | Decimal):
        cell = WriteOnlyCell(sheet, value=value)
    else:
        raise TypeError(f"no XLSX form for {type(value).__name__}")
    if font is not None:
        cell.font = font
    return cell


def _unique(title: str, used: set[str]) -> str:
    candidate, number = title, 2
    while candidate.casefold() in used:
        suffix = f" ({number})"
        candidate, number = title[: 31 - len(suffix)] + suffix, number + 1
    used.add(candidate.casefold())
    return candidate


def _sheet_title(title: str) -> str:
    """Excel refuses sheet names over 31 characters or with any of ``[]:*?/\\``."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip()
    return (cleaned or "Export")[:31]
