"""Reading QR codes back, independently of segno: ``zbarimg`` (Debian's zbar-tools) decodes a
PNG; an SVG is read module by module from its path (the shapes segno draws: one horizontal line
per run of dark modules), drawn as a PNG with Pillow and decoded by zbarimg like the others."""

from __future__ import annotations

import re
import subprocess
from io import BytesIO
from xml.etree import ElementTree

from PIL import Image

from eventsvc.common import qr_codes

SVG_NS = "{http://www.w3.org/2000/svg}"


def zbar(png: bytes, tmp_path) -> str:
    """What zbarimg reads in the image: exactly one QR code, its text."""
    path = tmp_path / "code.png"
    path.write_bytes(png)
    result = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(path)],
        capture_output=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def png_modules(png: bytes) -> tuple[tuple[bool, ...], ...]:
    """The modules of a PNG drawn by qr_codes: sampled at each module's centre, quiet zone cut."""
    image = Image.open(BytesIO(png)).convert("L")
    width, height = image.size
    assert width == height
    # Along the diagonal, the quiet zone's white then the finder pattern's dark corner.
    first_dark = next(i for i in range(width) if image.getpixel((i, i)) < 128)
    scale = first_dark // qr_codes.QUIET_ZONE
    side, half = width // scale, scale // 2
    grid = [
        tuple(image.getpixel((x * scale + half, y * scale + half)) < 128 for x in range(side))
        for y in range(side)
    ]
    border = qr_codes.QUIET_ZONE
    assert not any(any(row) for row in grid[:border] + grid[-border:])
    return tuple(row[border:-border] for row in grid[border:-border])


def svg_modules(svg: str) -> tuple[tuple[bool, ...], ...]:
    """The modules an SVG of qr_codes draws: a white square, then one path of horizontal lines
    one module thick (``M x y`` / ``m dx dy`` to move, ``h n`` to draw n modules)."""
    root = ElementTree.fromstring(svg)  # well-formed XML, or this raises
    assert root.tag == f"{SVG_NS}svg"
    _, _, width, height = (int(float(v)) for v in root.get("viewBox").split())
    background, path = root.findall(f"{SVG_NS}path")
    assert background.get("fill") == "#fff" and path.get("stroke") == "#000"
    grid = [[False] * width for _ in range(height)]
    x = y = 0.0
    for command, a, b in re.findall(r"([MmHh])(-?[\d.]+)(?:\s+(-?[\d.]+))?", path.get("d")):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            length = float(a)
            start = x if command == "h" else 0
            for column in range(int(start), int(start + length)):
                grid[int(y)][column] = True
            x = start + length
    border = qr_codes.QUIET_ZONE
    return tuple(tuple(row[border:-border]) for row in grid[border:-border])


def as_png(modules, scale=8) -> bytes:
    """A matrix of modules drawn as a PNG (quiet zone added), for zbarimg."""
    side = len(modules) + 2 * qr_codes.QUIET_ZONE
    image = Image.new("L", (side * scale, side * scale), 255)
    for y, row in enumerate(modules):
        for x, dark in enumerate(row):
            if dark:
                left, top = (x + qr_codes.QUIET_ZONE) * scale, (y + qr_codes.QUIET_ZONE) * scale
                image.paste(0, (left, top, left + scale, top + scale))
    out = BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def pdf_pages_as_png(pdf: bytes, tmp_path, dpi: int = 200) -> list[bytes]:
    """Each page of a PDF drawn in grey by Ghostscript (``gs``), as PNG bytes."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "document.pdf"
    source.write_bytes(pdf)
    subprocess.run(
        ["gs", "-q", "-dSAFER", "-dNOPAUSE", "-dBATCH", "-sDEVICE=pnggray", f"-r{dpi}",
         f"-sOutputFile={tmp_path}/page-%03d.png", str(source)],
        check=True,
    )  # fmt: skip
    return [path.read_bytes() for path in sorted(tmp_path.glob("page-*.png"))]


def zbar_all(png: bytes, tmp_path) -> list[str]:
    """Every QR code zbarimg reads in the image, its text (in no particular order)."""
    path = tmp_path / "codes.png"
    path.write_bytes(png)
    result = subprocess.run(
        ["zbarimg", "--raw", "-q", "-Sdisable", "-Sqrcode.enable", str(path)],
        capture_output=True,
        check=False,
    )
    return result.stdout.decode("utf-8").splitlines()
