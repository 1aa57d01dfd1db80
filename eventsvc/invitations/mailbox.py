"""Reading the organiser's mailbox, where the members' calendars send their replies (the
ORGANIZER of the invitations): over IMAP (``IMAP_*`` settings), or one message from a file.

Each unread message of ``IMAP_FOLDER`` is read (BODY.PEEK: reading does not mark it), applied in
its own transaction (:func:`calendar_replies.apply_message`), then marked \\Seen; a message that
is not a calendar reply is marked \\Seen too and left for a person to read. Nothing is ever
deleted. A message whose reply fails (the database down) stays unread: the next pass retries it.

``flask invitations read-replies`` runs it; the mail delivery loop does every
``INVITATION_REPLIES_EVERY`` seconds when ``IMAP_HOST`` is set.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
from collections import Counter
from email import message_from_bytes, policy
from email.message import EmailMessage

from flask import current_app

from ..database import begin_write
from ..extensions import db
from .calendar_replies import apply_message

log = logging.getLogger(__name__)

SECURITIES = ("ssl", "starttls", "none")


class MailboxError(Exception):
    """The mailbox cannot be read (settings, connection, login)."""


def configured() -> bool:
    return bool(current_app.config.get("IMAP_HOST"))


def parse(data: bytes) -> EmailMessage:
    return message_from_bytes(data, policy=policy.default)  # type: ignore[return-value]


def apply_bytes(data: bytes) -> Counter:
    """One message, applied in its own transaction; the count of its outcomes by result."""
    begin_write(db.session)
    outcomes = apply_message(parse(data))
    db.session.commit()
    return Counter(outcome.result for outcome in outcomes)


def _context() -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=current_app.config.get("IMAP_CA_FILE") or None)
    return context


def connect() -> imaplib.IMAP4:
    config = current_app.config
    security = str(config.get("IMAP_SECURITY") or "ssl").lower()
    if security not in SECURITIES:
        raise MailboxError(f"IMAP_SECURITY must be one of {', '.join(SECURITIES)}: {security!r}")
    host = config["IMAP_HOST"]
    port = int(config.get("IMAP_PORT") or (993 if security == "ssl" else 143))
    timeout = float(config.get("IMAP_TIMEOUT") or 30)
    client = None
    try:
        if security == "ssl":
            client = imaplib.IMAP4_SSL(host, port, ssl_context=_context(), timeout=timeout)
        else:
            client = imaplib.IMAP4(host, port, timeout=timeout)
            if security == "starttls":
                client.starttls(ssl_context=_context())
        client.login(config.get("IMAP_USER") or "", config.get("IMAP_PASSWORD") or "")
    except (OSError, imaplib.IMAP4.error) as error:
        if client is not None:
            with contextlib.suppress(OSError):
                client.shutdown()
        raise MailboxError(f"IMAP {host}:{port}: {error}") from error
    return client


def read_replies() -> Counter:
    """Apply every unread message of the folder; the count of outcomes by result, plus
    ``messages`` (read) and ``failed`` (left unread)."""
    counts: Counter = Counter()
    client = connect()
    try:
        folder = current_app.config.get("IMAP_FOLDER") or "INBOX"
        status, _data = client.select(_quoted(folder))
        if status != "OK":
            raise MailboxError(f"IMAP folder {folder!r} cannot be opened")
        status, data = client.uid("SEARCH", None, "UNSEEN")
        uids = data[0].split() if status == "OK" and data and data[0] else []
        for uid in uids:
            counts["messages"] += 1
            raw = _fetch(client, uid)
            if raw is None:
                counts["failed"] += 1
                continue
            try:
                counts.update(apply_bytes(raw))
            except Exception:  # the database, a bug: leave it unread, try the others
                log.exception("calendar reply in IMAP message %s could not be applied", uid)
                db.session.rollback()
                counts["failed"] += 1
                continue
            client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
    except (OSError, imaplib.IMAP4.error) as error:  # the connection lost, a timeout
        raise MailboxError(f"IMAP: {error}") from error
    finally:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            client.logout()
    return counts


def _fetch(client: imaplib.IMAP4, uid: bytes) -> bytes | None:
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            return item[1]
    return None


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def read_replies_if_configured() -> Counter | None:
    """The delivery loop's periodic job: nothing when no IMAP server is set."""
    if not configured():
        return None
    try:
        return read_replies()
    except MailboxError as error:
        log.warning("calendar replies not read: %s", error)
        return None
