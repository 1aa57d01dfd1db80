"""Reading an Excel workbook (.xlsx) that someone uploaded, as the CSV reader would. Pure.

The sign-up and contacts imports take a workbook as well as a CSV file: its first sheet becomes the
same records :mod:`csv_reading` gives (cells as text, the row number as the line), then the same
preview, checks and limits apply. What is not a plain workbook is refused before openpyxl opens it,
from the ZIP directory alone:

- a file that is not a ZIP archive, or a broken one;
- an OLE2 container: a workbook encrypted with a password (Excel wraps those in one), or an old
  Excel 97-2003 ``.xls``;
- a macro-enabled workbook (``vbaProject.bin``, a ``macroEnabled`` content type);
- a ZIP whose declared uncompressed sizes exceed :func:`max_unzipped` (a « zip bomb »): Python's
  zipfile never inflates an entry past its declared size, so the directory is enough;
- an XML part with a document type declaration (entity tricks; Excel never writes one);
- a ZIP that holds no workbook (an OpenDocument ``.ods``, a Word file), or a workbook whose first
  sheet is missing or empty.

openpyxl reads in read-only mode (rows streamed) with ``data_only=True``: a formula gives the value
the spreadsheet saved with it, or nothing; it is never evaluated. Rows are read no further than
``max_rows`` + 1 non-blank ones.
"""

from __future__ import annotations

import io
import math
import warnings
import zipfile
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from openpyxl import load_workbook

from .csv_reading import MEBIBYTE, CsvRefused, Limits, Record, check_row
from .wording import N_

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# The stream an encrypted Office file keeps its key data in, as named in the OLE2 directory.
OLE_ENCRYPTION = "EncryptionInfo".encode("utf-16-le")
MAX_ENTRIES = 1_000
UNZIPPED_PER_BYTE = 16  # text XML compresses about 5 to 10 times; more is not a table
MAX_EXCEL_ROW = 1_048_576


def max_unzipped(limits: Limits) -> int:
    return limits.max_bytes * UNZIPPED_PER_BYTE


def looks_like_workbook(data: bytes) -> bool:
    """What the content says, whatever the file is called: a ZIP archive (XLSX, but also ODS or
    DOCX, refused later with their reason) or an OLE2 container (encrypted, or .xls)."""
    return data.startswith((ZIP_MAGIC, OLE_MAGIC))


def read_records(data: bytes, limits: Limits) -> tuple[str, list[Record]]:
    """The first sheet's title and its non-blank rows as text, the header first; each record's
    line is the row number shown by the spreadsheet. Raises :class:`CsvRefused`."""
    check_workbook(data, limits)
    with warnings.catch_warnings():
        # openpyxl warns about what it does not read (data validation, styles): not our matter.
        warnings.simplefilter("ignore")
        return _read_first_sheet(data, limits)


def check_workbook(data: bytes, limits: Limits) -> None:
    """Refuse, from the ZIP directory, what is not a plain workbook (see the module's text)."""
    if len(data) > limits.max_bytes:
        raise CsvRefused(
            N_(
                "Ce fichier dépasse %(max)s Mo : découpez-le en plusieurs fichiers.",
                max=limits.max_megabytes,
            )
        )
    if data.startswith(OLE_MAGIC):
        if OLE_ENCRYPTION in data:
            raise CsvRefused(
                N_(
                    "Ce classeur est protégé par un mot de passe : enregistrez-en une copie sans "
                    "mot de passe (ou au format CSV), puis choisissez-la."
                )
            )
        raise CsvRefused(
            N_(
                "Ce classeur est au format Excel 97-2003 (.xls) : enregistrez-le au format "
                "« Classeur Excel (.xlsx) » ou « CSV », puis choisissez-le."
            )
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError) as error:
        raise _damaged() from error
    names = {entry.filename for entry in entries}
    if len(entries) > MAX_ENTRIES or sum(entry.file_size for entry in entries) > max_unzipped(
        limits
    ):
        raise CsvRefused(
            N_(
                "Ce classeur occuperait plus de %(max)s Mo une fois décompressé : ce n'est pas "
                "un simple tableau. Enregistrez la feuille au format CSV, ou découpez-la.",
                max=max_unzipped(limits) // MEBIBYTE,
            )
        )
    if "xl/workbook.xml" not in names or "[Content_Types].xml" not in names:
        raise CsvRefused(
            N_(
                "Ce fichier est une archive mais pas un classeur Excel (.xlsx) : un fichier "
                "OpenDocument (.ods) ou Word ? Enregistrez-le au format « Classeur Excel "
                "(.xlsx) » ou « CSV »."
            )
        )
    try:
        content_types = archive.read("[Content_Types].xml")
        macros = any(name.casefold().endswith("vbaproject.bin") for name in names)
        if macros or b"macroenabled" in content_types.lower():
            raise CsvRefused(
                N_(
                    "Ce classeur contient des macros (.xlsm) : enregistrez-le au format "
                    "« Classeur Excel (.xlsx) » sans macros, ou en CSV."
                )
            )
        for entry in entries:
            if entry.filename.endswith((".xml", ".rels")) and _declares_doctype(archive, entry):
                raise _damaged()
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError) as error:
        # A bad CRC, an unknown compression method, an encrypted entry...
        raise _damaged() from error


def _declares_doctype(archive: zipfile.ZipFile, entry: zipfile.ZipInfo) -> bool:
    """A document type declaration comes before the root element: the first KiB tells."""
    with archive.open(entry) as handle:
        head = handle.read(1024)
    return b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper()


def _read_first_sheet(data: bytes, limits: Limits) -> tuple[str, list[Record]]:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except CsvRefused:
        raise
    except Exception as error:  # openpyxl raises anything from KeyError to lxml's errors
        raise _damaged() from error
    try:
        if not workbook.worksheets:
            raise _empty()
        sheet = workbook.worksheets[0]
        if not hasattr(sheet, "reset_dimensions"):  # a chart sheet
            raise _empty()
        # The size the file declares may lie (A1:XFD1048576): rows are read as they come.
        sheet.reset_dimensions()
        try:
            records = _records(sheet.iter_rows(values_only=True), limits)
        except CsvRefused:
            raise
        except Exception as error:
            raise _damaged() from error
        if not records:
            raise _empty()
        return sheet.title, records
    finally:
        workbook.close()


def _records(rows, limits: Limits) -> list[Record]:
    """As :func:`csv_reading.read_records` does for a CSV file: blank rows skipped, the limits
    applied while reading, trailing empty cells dropped (a formatted column is not data)."""
    records: list[Record] = []
    for number, row in enumerate(rows, start=1):
        if number > MAX_EXCEL_ROW:
            break
        fields = [cell_text(value) for value in row]
        while fields and not fields[-1]:
            fields.pop()
        if not any(value.strip() for value in fields):
            continue
        check_row(fields, number, len(records), limits, workbook=True)
        records.append(Record(number, number, fields))
    return records


def cell_text(value) -> str:
    """A cell as a French spreadsheet shows it, and as its CSV export would write it: a date as
    JJ/MM/AAAA (with the time when there is one), a whole number without « ,0 », a decimal
    number with a comma, a boolean as VRAI/FAUX (read as yes/no like « Oui »/« Non »)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "VRAI" if value else "FAUX"
    if isinstance(value, datetime):
        if value.time() == time(0, 0):
            return value.strftime("%d/%m/%Y")
        return value.strftime("%d/%m/%Y %H:%M:%S" if value.second else "%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, time):
        return value.strftime("%H:%M:%S" if value.second else "%H:%M")
    if isinstance(value, timedelta):
        minutes = int(value.total_seconds() // 60)
        return f"{minutes // 60}:{minutes % 60:02d}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float | Decimal):
        if not math.isfinite(value):
            return str(value)
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return format(value, ".15g").replace(".", ",")  # Excel keeps 15 significant digits
    return str(value)


def _damaged() -> CsvRefused:
    return CsvRefused(
        N_(
            "Ce classeur Excel est illisible ou endommagé : ouvrez-le dans votre tableur, "
            "enregistrez-le à nouveau au format « Classeur Excel (.xlsx) » ou « CSV », puis "
            "choisissez-le."
        )
    )


def _empty() -> CsvRefused:
    return CsvRefused(
        N_(
            "La première feuille de ce classeur est vide : placez-y le tableau (une ligne "
            "d'en-têtes, puis une ligne par personne)."
        )
    )
