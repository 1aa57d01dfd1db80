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


def draw_signature(page, pad="#sign-pad") -> None:
    """A signature with the mouse: two strokes across the pad."""
    box = page.locator(pad).bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    for start, end in (((0.1, 0.6), (0.5, 0.3)), ((0.5, 0.7), (0.9, 0.4))):
        page.mouse.move(x + w * start[0], y + h * start[1])
        page.mouse.down()
        for step in range(1, 9):
            fraction = step / 8
            page.mouse.move(
                x + w * (start[0] + (end[0] - start[0]) * fraction),
                y + h * (start[1] + (end[1] - start[1]) * fraction),
            )
        page.mouse.up()
