"""Mass sending: one recipient who cannot be written to never stops the others.

An event moved or cancelled, invitations, reminders, certificates: each recipient's work (the rows
it writes, the message it queues) runs in its own savepoint. A failure rolls back that recipient
only; the others stay queued, the change that caused the sending is kept, and the recipient is
reported with a reason the organiser can act on: in the log of the event (an audit line) and to
whoever started the operation, through :func:`collect`.

Only the faults of one recipient's data are caught: a lost database connection still fails the
whole operation, which then rolls back as before.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy.exc import DataError, DBAPIError, IntegrityError

from ..audit import service as audit
from ..extensions import db

log = logging.getLogger(__name__)

T = TypeVar("T")

# What no header can carry: a stored value with one makes the message impossible to build.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    registration: Any = None  # the Registration, when there is one (its audit lines follow it)


@dataclass(frozen=True)
class Unsent:
    """Someone a mass operation could not write to, and why (a lazy, translatable text)."""

    name: str
    email: str
    reason: Any

    @property
    def label(self) -> str:
        """The person as the organiser knows them, with any invisible character made visible."""
        name = visible(self.name)
        return f"{name} <{visible(self.email)}>" if name else f"<{visible(self.email)}>"


_collecting: ContextVar[list[Unsent] | None] = ContextVar("eventsvc_unsent", default=None)


@contextmanager
def collect() -> Iterator[list[Unsent]]:
    """The recipients that mass operations run within the block could not write to.

    For the view or the command that starts an operation: a change may reach the sending through
    several layers (edit, reschedule, announce, notify) that need not pass a list up."""
    unsent: list[Unsent] = []
    token = _collecting.set(unsent)
    try:
        yield unsent
    finally:
        _collecting.reset(token)


def send_each(
    items: Iterable[T],
    send: Callable[[T], Any],
    *,
    recipient: Callable[[T], Recipient],
    event,
    message: str,
) -> list[Unsent]:
    """Call ``send(item)`` for every item, each in its own savepoint; returns who failed.

    ``message`` names what was being sent (``event_cancelled``, ``invitation``...) in the audit
    line written for each failure."""
    unsent: list[Unsent] = []
    for item in items:
        try:
            with db.session.begin_nested():
                send(item)
        except Exception as error:
            if isinstance(error, DBAPIError) and not isinstance(error, DataError | IntegrityError):
                raise  # the database itself, not this recipient: the whole operation fails
            who = recipient(item)
            failure = Unsent(who.name, who.email, reason(error, who))
            log.warning(
                "%s not queued for %s: %s",
                message,
                failure.label,
                f"{type(error).__name__}: {error}",
                exc_info=not isinstance(error, ValueError | DataError),
            )
            audit.record(
                "mail.not_queued",
                event=event,
                registration=who.registration,
                details={"message": message, "to": failure.label, "reason": failure.reason},
            )
            unsent.append(failure)
    collected = _collecting.get()
    if collected is not None:
        collected.extend(unsent)
    return unsent


def reason(error: Exception, who: Recipient):
    """Why, in words that say what to correct."""
    if _UNPRINTABLE.search(who.email or ""):
        return _l(
            "son adresse électronique enregistrée contient un retour à la ligne ou un caractère "
            "invisible : corrigez-la."
        )
    if _UNPRINTABLE.search(who.name or ""):
        return _l(
            "son nom enregistré contient un retour à la ligne ou un caractère invisible : "
            "corrigez-le."
        )
    if isinstance(error, DataError):
        return _l("la base de données a refusé ce message (caractère non valide).")
    return _l(
        "le message n'a pas pu être préparé (%(error)s) ; le détail est dans le journal du "
        "serveur.",
        error=type(error).__name__,
    )


def visible(text: str) -> str:
    """``text`` on one line: line breaks shown as ↵, other invisible characters as �."""
    text = re.sub("\r\n|[\r\n\u2028\u2029]", "\u21b5", text or "")
    return _UNPRINTABLE.sub("\ufffd", text)


def summary(unsent: list[Unsent], *, limit: int | None = None) -> list[str]:
    """Lines for the organiser (a flash each, or printed by a command): who, why, what to do."""
    if not unsent:
        return []
    lines = [
        ngettext(
            "%(num)d personne n'a pas pu recevoir ce message : tout le reste est fait, les autres "
            "messages sont partis. Corrigez ce qui est indiqué et prévenez-la directement.",
            "%(num)d personnes n'ont pas pu recevoir ce message : tout le reste est fait, les "
            "autres messages sont partis. Corrigez ce qui est indiqué et prévenez-les "
            "directement.",
            len(unsent),
        )
    ]
    shown = unsent if limit is None else unsent[:limit]
    lines += [
        _("%(person)s : %(reason)s", person=failure.label, reason=failure.reason)
        for failure in shown
    ]
    if len(shown) < len(unsent):
        lines.append(
            ngettext(
                "… et %(num)d autre : voir le journal de l'événement.",
                "… et %(num)d autres : voir le journal de l'événement.",
                len(unsent) - len(shown),
            )
        )
    return lines
