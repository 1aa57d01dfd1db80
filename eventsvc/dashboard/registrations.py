"""The registrations' pages moved to ``registrations/organiser.py``; this name stays for
``dashboard/compensation.py`` until it moves (the XLSX media type is ``exports.tabular``'s)."""

from ..exports.tabular import XLSX_TYPE

__all__ = ["XLSX_TYPE"]
