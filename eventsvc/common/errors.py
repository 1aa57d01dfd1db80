"""The one base of the errors a domain raises for the person who acted.

A domain operation that refuses (no room left, a slug taken, a claim already validated) raises a
subclass of :class:`DomainError` carrying a message meant for that person, already in their words,
and optionally the form field it belongs next to. ``web.writes`` turns it into a rollback and that
message; the command line prints it. Programming errors are not domain errors: they still fail
loudly (a 500 page, a traceback) instead of being shown as if the user had typed something wrong.
"""

from __future__ import annotations


class DomainError(Exception):
    """A refusal meant for the person who acted; ``field`` names the form field it concerns."""

    field: str | None = None

    def __init__(self, message=None, *, field: str | None = None):
        # The message may be a lazy string: translated when shown, in the reader's language.
        message = message if message is not None else getattr(self, "default_message", "")
        super().__init__(str(message))
        self.message = message
        if field is not None:
            self.field = field

    def __str__(self) -> str:
        return str(self.message)
