"""The presence block of a body's meeting as a Word document (python-docx), to paste into the
minutes: a title, one paragraph per section with its label in bold, the quorum and the votes."""

from __future__ import annotations

import io

from docx import Document

from .minutes import Block


def presence_docx(minutes: Block) -> bytes:
    document = Document()
    document.add_heading(minutes.title, level=1)
    for label, names in minutes.sections():
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label} : ").bold = True
        paragraph.add_run(" ; ".join(names) if names else "—")
    document.add_paragraph(minutes.quorum_sentence())
    document.add_paragraph(minutes.votes_sentence())
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
