"""A Dovecot IMAP server of the test's own on a free loopback port, from Debian's
``dovecot-imapd``, started as a process of the test (no system service, nothing in /etc).

The generated configuration keeps everything in one directory: the runtime and state
directories, the log, the maildirs, a passwd-file with one test account. ``security`` is
``none`` (plain IMAP), ``starttls`` or ``ssl`` (IMAPS), the latter two with a self-signed
certificate made with ``openssl`` for 127.0.0.1 (its file is the CA the client trusts).

Run by an ordinary user, every Dovecot process is that user (login processes included, no
chroot). Run as root (a container), Dovecot refuses root for its login processes and for mail
access: they run as the package's ``dovenull`` and ``dovecot`` users, who then own the maildirs.
"""

from __future__ import annotations

import grp
import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from .smtp_server import free_port

USER = "reponses@maires-exemple.fr"
PASSWORD = "mot-de-passe-de-test"  # noqa: S105 - the test server's only account


def _greets(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
            return connection.recv(64).startswith(b"* OK")
    except OSError:
        return False


def _identities() -> tuple[str, str, str, int, int]:
    """(internal user, its group, login user, mail uid, mail gid)."""
    if os.geteuid() != 0:
        user = pwd.getpwuid(os.geteuid()).pw_name
        group = grp.getgrgid(os.getegid()).gr_name
        return user, group, user, os.geteuid(), os.getegid()
    dovecot = pwd.getpwnam("dovecot")
    return (
        "dovecot",
        grp.getgrgid(dovecot.pw_gid).gr_name,
        "dovenull",
        dovecot.pw_uid,
        dovecot.pw_gid,
    )


def self_signed_certificate(directory: Path) -> tuple[Path, Path]:
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],  # fmt: skip
        check=True,
        capture_output=True,
        timeout=60,
    )
    return cert, key


class DovecotServer:
    def __init__(self, security: str = "none"):
        executable = shutil.which("dovecot") or "/usr/sbin/dovecot"
        # Not under pytest's tmp_path: run as root, the mail user must be able to reach it.
        self.directory = Path(tempfile.mkdtemp(prefix="eventsvc-dovecot-"))
        self.directory.chmod(0o755)
        self.security = security
        self.port = free_port()
        internal, group, login, uid, gid = _identities()
        mail = self.directory / "mail"
        mail.mkdir()
        os.chown(mail, uid, gid)
        (self.directory / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        self.ca_file: Path | None = None
        tls = "ssl = no"
        if security != "none":
            cert, key = self_signed_certificate(self.directory)
            self.ca_file = cert
            tls = f"ssl = required\nssl_cert = <{cert}\nssl_key = <{key}"
        listener = "imaps" if security == "ssl" else "imap"
        other = "imap" if security == "ssl" else "imaps"
        ssl_flag = "ssl = yes" if security == "ssl" else ""
        self.config = self.directory / "dovecot.conf"
        self.config.write_text(
            f"""
base_dir = {self.directory}/run
state_dir = {self.directory}/state
instance_name = eventsvc-test-{self.port}
log_path = {self.directory}/dovecot.log
protocols = imap
listen = 127.0.0.1
{tls}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = {internal}
default_internal_group = {group}
default_login_user = {login}
first_valid_uid = {uid}
last_valid_uid = 0
mail_location = maildir:{mail}/%n
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.directory}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={mail}/%n
}}
service imap-login {{
  chroot =
  inet_listener {listener} {{
    address = 127.0.0.1
    port = {self.port}
    {ssl_flag}
  }}
  inet_listener {other} {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service stats {{
  chroot =
}}
"""
        )
        with open(self.directory / "stderr", "wb") as stderr:
            self.process = subprocess.Popen(
                [executable, "-F", "-c", str(self.config)],
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
        deadline = time.monotonic() + 30
        while not self._ready():
            if self.process.poll() is not None or time.monotonic() > deadline:
                error = (self.directory / "stderr").read_text(errors="replace")
                self.stop()
                raise RuntimeError(
                    f"dovecot did not start on port {self.port}\n{error}\n{self.log()}"
                )
            time.sleep(0.05)

    def _ready(self) -> bool:
        if self.security == "ssl":
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return True
            except OSError:
                return False
        return _greets(self.port)

    def log(self) -> str:
        path = self.directory / "dovecot.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def settings(self) -> dict:
        """The app's settings to read this server's mailbox."""
        return {
            "IMAP_HOST": "127.0.0.1",
            "IMAP_PORT": self.port,
            "IMAP_SECURITY": self.security,
            "IMAP_USER": USER,
            "IMAP_PASSWORD": PASSWORD,
            "IMAP_FOLDER": "INBOX",
            "IMAP_CA_FILE": str(self.ca_file) if self.ca_file else None,
        }

    def client(self) -> imaplib.IMAP4:
        """A client of the test (to append messages and look at their flags)."""
        context = ssl.create_default_context(cafile=str(self.ca_file)) if self.ca_file else None
        if self.security == "ssl":
            client = imaplib.IMAP4_SSL("127.0.0.1", self.port, ssl_context=context, timeout=10)
        else:
            client = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
            if self.security == "starttls":
                client.starttls(ssl_context=context)
        client.login(USER, PASSWORD)
        return client

    def append(self, data: bytes, folder: str = "INBOX") -> None:
        client = self.client()
        try:
            status, detail = client.append(folder, None, None, data)
            assert status == "OK", detail
        finally:
            client.logout()

    def flags(self, folder: str = "INBOX") -> list[set[str]]:
        """Each message's flags, in the folder's order; the folder opened read-only."""
        client = self.client()
        try:
            client.select(folder, readonly=True)
            status, data = client.fetch("1:*", "(FLAGS)")
            assert status == "OK", data
            found = []
            for item in data:
                if not item:
                    continue
                text = item.decode() if isinstance(item, bytes) else item[0].decode()
                inner = text.split("FLAGS (", 1)[1].split(")", 1)[0]
                found.append(set(inner.split()) - {"\\Recent"})
            return found
        finally:
            client.logout()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.directory, ignore_errors=True)
