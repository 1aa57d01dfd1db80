"""A Redis of the test run's own, on a free loopback port, from Debian's ``redis-server``.

The tests that count rate limits in Redis start it rather than expect one on 6379: ``make test``
then needs nothing running beforehand, and no earlier run's counts linger.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from .smtp_server import free_port


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    def __init__(self, directory: Path):
        executable = shutil.which("redis-server") or "/usr/bin/redis-server"
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                executable,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(directory),
                "--logfile",
                str(directory / "log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while not _answers(self.port):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                log = (
                    (directory / "log").read_text(errors="replace")[-2000:]
                    if (directory / "log").exists()
                    else ""
                )
                raise RuntimeError(f"redis-server did not start on port {self.port}\n{log}")
            time.sleep(0.05)

    @property
    def uri(self) -> str:
        return f"redis://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
