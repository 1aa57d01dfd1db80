"""Check a calendar the service produced with parsers that are not ours: ical.js and libical."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import icalendar

HERE = Path(__file__).parent
ROOT = HERE.parent


def check_with_libical(ics: bytes) -> dict:
    result = subprocess.run(
        ["/usr/bin/python3", str(HERE / "libical_check.py")],
        input=ics,
        capture_output=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def check_with_icaljs(ics: bytes) -> dict:
    result = subprocess.run(
        ["node", str(HERE / "icaljs_check.mjs")],
        input=ics,
        capture_output=True,
        timeout=60,
        check=True,
        cwd=ROOT,
    )
    return json.loads(result.stdout)


def assert_wire_format(ics: bytes) -> None:
    """RFC 5545 3.1: CRLF line breaks, lines folded at 75 octets, then a space."""
    assert ics.endswith(b"\r\n")
    assert b"\n" not in ics.replace(b"\r\n", b"")
    for line in ics.split(b"\r\n"):
        assert len(line) <= 75, line
    unfolded = re.sub(rb"\r\n[ \t]", b"", ics)
    assert all(line[:1] not in (b" ", b"\t") for line in unfolded.split(b"\r\n"))


def assert_valid_itip(ics: bytes, method: str) -> dict:
    """Every independent check at once; returns ical.js's reading for further assertions."""
    assert_wire_format(ics)
    parsed = icalendar.Calendar.from_ical(ics)
    assert parsed["METHOD"] == method
    libical = check_with_libical(ics)
    assert libical["parsed"] and libical["restriction_ok"], libical
    assert libical["errors"] == [], libical
    reading = check_with_icaljs(ics)
    assert reading["method"] == method
    return reading
