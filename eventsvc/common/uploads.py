"""The size check shared by the CSV upload forms (sign-ups, contacts, distance table).

MAX_CONTENT_LENGTH (config.py) stops any request larger than the largest upload before it is read
(the « Envoi trop volumineux » page); this validator holds each file to its import's own limit
(``csv_reading``) from its size alone, and says so next to the field.
"""

from __future__ import annotations

import os

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import FileStorage
from wtforms.validators import StopValidation

from .csv_reading import Limits


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
