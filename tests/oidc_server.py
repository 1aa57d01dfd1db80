"""A real OpenID provider on a loopback port for the single sign-on tests: npm's ``oidc-provider``
run by ``tests/oidc_provider.mjs`` (``make test`` installs it with ``npm ci``)."""

from __future__ import annotations

import json
import socket
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(__file__).resolve().parent / "oidc_provider.mjs"
CLIENT_SECRET = "a-secret-shared-with-the-test-provider-only"

# The provider's people, by the login name typed on its own login page.
ACCOUNTS = {
    "organiser": {
        "email": "Claire.Martin@Example.org",
        "email_verified": True,
        "given_name": "Claire",
        "usual_name": "Martin",
        "siret": "21330063500017",
    },
    "newcomer": {
        "email": "paul.durand@gironde.fr",
        "given_name": "Paul",
        "usual_name": "Durand",
        "siret": "22330001300016",
    },
    "stranger": {"email": "eve@ailleurs.example", "given_name": "Ève", "family_name": "Moreau"},
    "unverified": {"email": "marc@gironde.fr", "email_verified": False, "given_name": "Marc"},
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class OpenIDProvider:
    """The provider on ``port``: :meth:`start` waits until it listens, :meth:`stop` ends it."""

    def __init__(
        self,
        port: int,
        redirect_uris: list[str],
        post_logout: list[str] = (),
        auth_method: str = "client_secret_basic",
    ):
        self.port = port
        self.issuer = f"http://127.0.0.1:{port}"
        self.config = {
            "port": port,
            "redirect_uris": redirect_uris,
            "post_logout_redirect_uris": list(post_logout),
            "client_secret": CLIENT_SECRET,
            "accounts": ACCOUNTS,
            "auth_method": auth_method,
        }
        self.process: subprocess.Popen | None = None

    def start(self) -> OpenIDProvider:
        self.process = subprocess.Popen(
            ["node", str(SCRIPT), json.dumps(self.config)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self.process.stdout.readline()
        if not line.startswith("listening"):
            self.stop()
            raise RuntimeError(
                f"oidc-provider did not start ({line!r}): run `npm ci` (make setup) first"
            )
        return self

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process.stdout.close()
            self.process = None
