"""Where delivered messages go: files under the instance folder (default) or an SMTP relay."""

from __future__ import annotations

import os
import smtplib
import ssl
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class Envelope:
    id: int
    sender: str
    recipient: str
    raw: bytes | None
    # A recipe row's record, composed into ``raw`` by the worker just before sending.
    recipe: dict | None = None


class SMTPUTF8Unavailable(smtplib.SMTPException):
    """The message needs SMTPUTF8 and the relay does not announce it: sending it anyway would
    hand 8-bit headers to a relay that never agreed to them."""


class Backend(Protocol):
    def __enter__(self) -> Backend: ...
    def __exit__(self, *exc) -> None: ...
    def send(self, envelope: Envelope) -> None: ...


class FileBackend:
    """Each message as ``<id>.eml``, byte for byte what SMTP would carry, readable by the owner only
    (the folder 0700, the files 0600): these copies hold personal links."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def __enter__(self) -> FileBackend:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, envelope: Envelope) -> None:
        final = self.directory / f"{envelope.id:08d}.eml"
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".part")  # 0600
        with os.fdopen(handle, "wb") as out:
            out.write(envelope.raw)
        os.replace(temporary, final)


class SMTPBackend:
    """One connection for a whole batch; STARTTLS or implicit TLS; optional login."""

    def __init__(
        self,
        host: str,
        port: int,
        security: str = "starttls",
        username: str = "",
        password: str = "",
        timeout: float = 30.0,
    ):
        if security not in ("none", "starttls", "ssl"):
            raise ValueError("SMTP security must be none, starttls or ssl")
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.timeout = username, password, timeout
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> SMTPBackend:
        context = ssl.create_default_context()
        if self.security == "ssl":
            self.connection = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            self.connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.security == "starttls":
                self.connection.starttls(context=context)
        if self.username:
            self.connection.login(self.username, self.password)
        return self

    def __exit__(self, *exc) -> None:
        if self.connection is None:
            return
        try:
            self.connection.quit()
        except smtplib.SMTPException:
            self.connection.close()
        except OSError:
            pass
        self.connection = None

    def send(self, envelope: Envelope) -> None:
        assert self.connection is not None, "use the backend as a context manager"
        self.connection.sendmail(
            envelope.sender, [envelope.recipient], envelope.raw, mail_options=self.options(envelope)
        )

    def options(self, envelope: Envelope) -> list[str]:
        """SMTPUTF8 only for a message that needs it (an address that is not ASCII, hence UTF-8
        headers), and then only from a relay that offers it; BODY=8BITMIME for an 8-bit body."""
        connection = self.connection
        assert connection is not None
        connection.ehlo_or_helo_if_needed()
        head, _, body = envelope.raw.partition(b"\r\n\r\n")
        options = []
        if not (envelope.sender + envelope.recipient).isascii() or not head.isascii():
            if not connection.has_extn("smtputf8"):
                raise SMTPUTF8Unavailable(
                    f"the relay {self.host}:{self.port} does not offer SMTPUTF8, which this "
                    "message needs (an address that is not ASCII, RFC 6531): enable SMTPUTF8 on "
                    "the relay, use one that offers it, or correct the address"
                )
            options.append("SMTPUTF8")
        if not body.isascii() and connection.has_extn("8bitmime"):
            options.append("BODY=8BITMIME")
        return options


def backend_from_config(config) -> Backend:
    kind = config["MAIL_BACKEND"]
    if kind == "file":
        return FileBackend(config["MAIL_FILE_DIR"])
    if kind == "smtp":
        return SMTPBackend(
            config["SMTP_HOST"],
            int(config["SMTP_PORT"]),
            security=config["SMTP_SECURITY"],
            username=config["SMTP_USERNAME"] or "",
            password=config["SMTP_PASSWORD"] or "",
            timeout=float(config["SMTP_TIMEOUT"]),
        )
    raise ValueError(f"unknown MAIL_BACKEND {kind!r}: use 'file' or 'smtp'")
