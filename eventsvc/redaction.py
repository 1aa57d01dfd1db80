"""Keep personal-link tokens out of logs: access logs print paths, and /r/<token> (a
registration) and /i/<token> (an invitation's reply page) are keys."""

from __future__ import annotations

import logging
import re

TOKEN_IN_PATH = re.compile(r"(/[ri]/)[A-Za-z0-9_-]{20,}")
REDACTED = r"\1[token]"


def redact(text: str) -> str:
    return TOKEN_IN_PATH.sub(REDACTED, text)


def may_hold_token(text: str) -> bool:
    return "/r/" in text or "/i/" in text


class RedactTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and may_hold_token(record.getMessage()):
            record.msg = redact(record.getMessage())
            record.args = ()
        return True


def install(logger_names=("werkzeug", "gunicorn.access", "gunicorn.error", "eventsvc")) -> None:
    for name in logger_names:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
