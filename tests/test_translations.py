"""French is written in the code; every message must also exist in English."""

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent


def test_every_message_has_an_english_translation(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-o",
            str(pot),
            "--no-location",
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    with open(pot, "rb") as handle:
        wanted = {message.id for message in read_po(handle) if message.id}
    with open(ROOT / "eventsvc/translations/en/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle)
    assert not catalogue.fuzzy, (
        "a fuzzy catalogue is not compiled: remove '#, fuzzy' from its header"
    )
    untranslated = []
    for message_id in wanted:
        message = catalogue.get(message_id)
        strings = message.string if message is not None else None
        if isinstance(strings, str):
            strings = (strings,)
        if message is None or message.fuzzy or not strings or not all(strings):
            untranslated.append(message_id)
    assert untranslated == [], "run `make extract-messages` and translate these in en/messages.po"
