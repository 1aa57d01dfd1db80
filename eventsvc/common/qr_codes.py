"""QR codes of the links eventsvc hands out: the personal link (email, personal page) and the
event's public page (posters, slides). Pure: a link in, PNG bytes or SVG text out (``segno``,
which needs nothing else).

Choices, the same everywhere so that every code scans alike:

- error correction at least M (15 % of the code can be lost: a creased poster, a thumb on a
  phone screen); segno raises it to Q or H when that fits in the same size (``boost_error``);
- the quiet zone of the standard, 4 modules of white on every side: a scanner finds the code on
  a dark slide or a busy poster;
- black on opaque white, never transparent: a dark-mode mail client or slide keeps it readable;
- never a Micro QR code, which phone cameras do not read.
"""

from __future__ import annotations

import io

import segno

QUIET_ZONE = 4
# Pixels per module. An email shows the code at about 180 CSS pixels; twice that is sharp on a
# phone's screen. A poster's PNG is about 1,000 pixels wide, 8.5 cm at 300 dpi, and scales up
# cleanly in any slide or desktop publishing program (nearest neighbour: sharp modules).
SCREEN_SCALE = 8
PRINT_SCALE = 20
PRINT_DPI = 300
DARK = "#000000"
LIGHT = "#ffffff"


def make(link: str) -> segno.QRCode:
    if not link:
        raise ValueError("a QR code needs a link")
    return segno.make_qr(link, error="m", boost_error=True)


def png(link: str, *, scale: int = SCREEN_SCALE, dpi: int | None = None) -> bytes:
    """A PNG of the link's QR code, ``scale`` pixels per module, quiet zone included."""
    out = io.BytesIO()
    make(link).save(
        out, kind="png", scale=scale, border=QUIET_ZONE, dark=DARK, light=LIGHT, dpi=dpi
    )
    return out.getvalue()


def print_png(link: str) -> bytes:
    """The PNG for posters and slides: about 1,000 pixels, marked 300 dpi."""
    return png(link, scale=PRINT_SCALE, dpi=PRINT_DPI)


def svg(link: str, *, title: str | None = None) -> str:
    """A standalone SVG document (a file to download): one path, sized in millimetres so that a
    print program places it at a sensible size (1 mm per module), scalable without loss."""
    out = io.BytesIO()
    make(link).save(
        out,
        kind="svg",
        scale=1,
        unit="mm",
        border=QUIET_ZONE,
        dark=DARK,
        light=LIGHT,
        title=title,
        encoding="utf-8",
    )
    return out.getvalue().decode("utf-8")


def inline_svg(link: str, *, label: str, css_class: str = "qr-code") -> str:
    """An ``<svg>`` element to put in a page: no size of its own (the page's style sheet sizes it
    through ``css_class``), no style attribute (the Content-Security-Policy forbids them), and an
    accessible name (``role="img"`` with ``label`` as its title). The label is escaped here."""
    out = io.BytesIO()
    make(link).save(
        out,
        kind="svg",
        xmldecl=False,
        svgns=True,
        omitsize=True,
        border=QUIET_ZONE,
        dark=DARK,
        light=LIGHT,
        title=label,
        svgclass=css_class,
        lineclass=None,
        encoding="utf-8",
        nl=False,
    )
    text = out.getvalue().decode("utf-8")
    return text.replace("<svg ", '<svg role="img" ', 1)


def modules(link: str) -> tuple[tuple[bool, ...], ...]:
    """The code's dark modules, row by row, quiet zone excluded (to compare two renderings)."""
    return tuple(tuple(bool(cell) for cell in row) for row in make(link).matrix)
