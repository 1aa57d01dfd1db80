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
    raw: bytes


class Backend(Protocol):
    def __enter__(self) -> Backend: ...
    def __exit__(self, *exc) -> None: ...
    def send(self, envelope: Envelope) -> None: ...


class FileBackend:
    """Each message as ``<id>.eml``, byte for byte what SMTP would carry."""

    def __init__(self, directory: str | os.PathLike):
        self.directory = Path(directory)

    def __enter__(self) -> FileBackend:
        self.directory.mkdir(parents=True, exist_ok=True)
        return self

    def __exit__(self, *exc) -> None:
        return None

    def send(self, envelope: Envelope) -> None:
        final = self.directory / f"{envelope.id:08d}.eml"
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".part")
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
        international = not (envelope.sender + envelope.recipient).isascii()
        self.connection.sendmail(
            envelope.sender,
            [envelope.recipient],
            envelope.raw,
            mail_options=["SMTPUTF8"] if international else [],
        )


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
