"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps what it receives.

``strict=True`` plays the relay that RFC 6532 allows: it does not announce SMTPUTF8 and refuses a
message with 8-bit bytes in its headers (or an 8-bit body not declared BODY=8BITMIME), or a header
line longer than RFC 5322's 998 characters, keeping what it refused in ``mailbox.refused``.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy

from aiosmtpd.controller import Controller


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Mailbox:
    messages: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    strict: bool = False
    refused: list[tuple[str, bytes]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        data = envelope.original_content
        refusal = self.strict and refuse(envelope, data)
        with self.lock:
            if refusal:
                self.refused.append((refusal, data))
                return refusal
            self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), data))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [m for m in self.messages if address in m.rcpt_tos]


def refuse(envelope, data: bytes) -> str | None:
    """What a strict relay says to a message it must not take, or None."""
    head, _, body = data.partition(b"\r\n\r\n")
    if not envelope.smtp_utf8 and not head.isascii():
        return "554 5.6.7 8-bit header without SMTPUTF8 (RFC 6532)"
    if not body.isascii() and "BODY=8BITMIME" not in envelope.mail_options:
        return "554 5.6.1 8-bit body without BODY=8BITMIME (RFC 6152)"
    if any(len(line) > 998 for line in head.split(b"\r\n")):
        return "554 5.6.0 header line over 998 characters (RFC 5322)"
    return None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    def __init__(self, port: int | None = None, *, strict: bool = False):
        self.port = port or free_port()
        self.mailbox = Mailbox(strict=strict)
        self.controller = Controller(
            self.mailbox, hostname="127.0.0.1", port=self.port, enable_SMTPUTF8=not strict
        )

    def start(self) -> SMTPServer:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()


def smtp_settings(server: SMTPServer) -> dict:
    """App settings that deliver to this server."""
    return {
        "MAIL_BACKEND": "smtp",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": server.port,
        "SMTP_SECURITY": "none",
        "SMTP_TIMEOUT": 5,
        "MAIL_FROM": "Inscriptions <inscriptions@eventsvc.example.org>",
    }
