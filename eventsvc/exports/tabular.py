"""Rows to CSV and XLSX for spreadsheets, safely. Pure: no Flask, no database.

Whatever a participant typed ends up in these files, and spreadsheets run a cell that starts with
``=``, ``+``, ``-`` or ``@`` as a formula (« CSV injection »); a leading tab or carriage return
can hide one. ``neutralise`` prefixes such text with an apostrophe, which spreadsheets display as
text. Numbers, dates and booleans are written as typed values, never as text, so they need no
neutralising (a negative amount stays a number).

CSV is written for French spreadsheets: UTF-8 with a byte order mark (so Excel reads the accents),
``;`` between cells, a decimal comma, CRLF line ends.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

Cell = str | int | Decimal | date | datetime | bool | None

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters an XLSX file cannot hold (tab, line feed and carriage return it can).
_ILLEGAL_IN_XLSX = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
SHEET_NAME_MAX = 31


def neutralise(value: str) -> str:
    """« =HYPERLINK(...) » → « '=HYPERLINK(...) »; any other text unchanged."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_text(value: Cell, decimal_comma: bool = True) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.replace(".", ",") if decimal_comma else text
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="minutes")
    if isinstance(value, date):
        return value.isoformat()
    return neutralise(str(value))


def write_csv(
    rows: Iterable[Sequence[Cell]], *, delimiter: str = ";", decimal_comma: bool = True
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_text(value, decimal_comma) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def write_xlsx(sheets: Mapping[str, Iterable[Sequence[Cell]]]) -> bytes:
    """One worksheet per entry, in order; the first row of each is a header (bold, frozen)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    workbook.remove(workbook.active)
    used: set[str] = set()
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(_sheet_name(name, used))
        widths: dict[int, int] = {}
        for row_number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                cell = sheet.cell(row=row_number, column=column)
                cell.value = _xlsx_value(value)
                if isinstance(value, str):
                    cell.data_type = "s"  # never a formula, whatever the text
                elif isinstance(value, Decimal):
                    cell.number_format = "#,##0.00##"
                elif isinstance(value, datetime):
                    cell.number_format = "yyyy-mm-dd hh:mm"
                elif isinstance(value, date):
                    cell.number_format = "yyyy-mm-dd"
                if row_number == 1:
                    cell.font = Font(bold=True)
                widths[column] = max(widths.get(column, 0), len(str(cell.value or "")))
        sheet.freeze_panes = "A2"
        for column, width in widths.items():
            sheet.column_dimensions[_column_letter(column)].width = min(max(width + 2, 8), 60)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Cell):
    if isinstance(value, str):
        # XML turns a carriage return into a line feed anyway: say so rather than be surprised.
        text = neutralise(_ILLEGAL_IN_XLSX.sub("", value))
        return text.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # spreadsheets have no time zones: local time given
    return value


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "-", name).strip("'")[:SHEET_NAME_MAX] or "Feuille"
    candidate, n = base, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate, n = base[: SHEET_NAME_MAX - len(suffix)] + suffix, n + 1
    used.add(candidate.casefold())
    return candidate


def _column_letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)
