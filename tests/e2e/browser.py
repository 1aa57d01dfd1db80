"""What the browser tests share: fields by their accessible name, the phone's width, axe-core."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from ..factories import ORGANISER_PASSWORD
from .conftest import AXE


def field(page, name: str):
    """A text field by the name a screen reader announces (the « * » mark is aria-hidden)."""
    return page.get_by_role("textbox", name=name, exact=True)


def fits_the_screen(page) -> bool:
    """Nothing wider than the 360 px screen: no sideways scrolling."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def axe_violations(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => await axe.run(document)")
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "where": [node["target"] for node in violation["nodes"]],
        }
        for violation in results["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


def log_in(page, live_server, user):
    page.goto(f"{live_server}/login")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/dashboard/"))
