"""gunicorn's access log without personal-link tokens: a copy of the logs must not open anyone's
registration, any more than a copy of the database does."""

from __future__ import annotations

from gunicorn.glogging import Logger

from .redaction import may_hold_token, redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str) and may_hold_token(value):
                atoms[key] = redact(value)
        return atoms
