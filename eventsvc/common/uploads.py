"""The checks shared by the CSV upload forms (sign-ups, contacts, distance table).

MAX_CONTENT_LENGTH (config.py) stops any request larger than the largest upload before it is read
(the « Envoi trop volumineux » page); :class:`FileSizeAtMost` holds each file to its import's own
limit (``csv_reading``) from its size alone, and says so next to the field. :class:`PlainWorkbook`
refuses, next to the field too, an Excel file that is not a plain workbook (``xlsx_reading``).
"""

from __future__ import annotations

import os

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from wtforms.validators import StopValidation

from . import xlsx_reading
from .csv_reading import CsvRefused, Limits, check_file


class FileSizeAtMost:
    def __init__(self, limits: Limits):
        self.limits = limits

    def __call__(self, form, field) -> None:
        storage = field.data
        if not isinstance(storage, FileStorage):
            return
        stream = storage.stream
        position = stream.tell()
        size = stream.seek(0, os.SEEK_END)
        stream.seek(position)
        if size > self.limits.max_bytes:
            raise StopValidation(
                _l(
                    "Ce fichier dépasse %(max)s Mo : découpez-le en plusieurs fichiers.",
                    max=self.limits.max_megabytes,
                )
            )


class PlainWorkbook:
    """For the imports that read workbooks too: a file whose content is a workbook must be one
    we read (its first sheet is read here, within the limits), and a file that is neither text
    nor a workbook (a PDF, random bytes, whatever its name) is refused, so that the message
    stands next to the field before anything is kept. What a CSV file's rows hold is the
    preview's matter."""

    def __init__(self, limits: Limits):
        self.limits = limits

    def __call__(self, form, field) -> None:
        storage = field.data
        if not isinstance(storage, FileStorage):
            return
        stream = storage.stream
        position = stream.tell()
        data = stream.read(self.limits.max_bytes + 1)
        stream.seek(position)
        try:
            if xlsx_reading.looks_like_workbook(data):
                xlsx_reading.read_records(data, self.limits)
            else:
                check_file(data, self.limits, workbooks=True)
        except CsvRefused as refused:
            raise StopValidation(
                _l(refused.message.msgid, **dict(refused.message.params))
            ) from None
