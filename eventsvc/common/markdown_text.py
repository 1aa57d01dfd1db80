"""The organiser's own text in an email (confirmation, invitation, a message to participants):
a small Markdown subset rendered safely, as HTML for the HTML part and as plain text for the
text part.

The subset: paragraphs, line breaks, *emphasis*, **bold**, lists (``-`` or ``1.``) and links
(``[words](https://…)``, ``<https://…>`` or a bare ``https://…``). Nothing else is Markdown
here: headings, images, tables, code and quotes stay as the characters typed. It is parsed by
markdown-it-py (CommonMark) with raw HTML off, so HTML typed in the text is shown as text
(escaped), never interpreted; links are kept only to ``http:``, ``https:`` and ``mailto:``
addresses (``javascript:``, ``data:``... stay as the characters typed, not a link).

Both functions take the same source and return what one email shows twice: ``to_html`` a
:class:`markupsafe.Markup` ready for a template, ``to_plain`` readable text with each link's
address written out after its words.
"""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

SCHEMES = ("http://", "https://", "mailto:")
RULES = ["list", "emphasis", "link", "newline", "escape", "autolink", "linkify"]


def _safe_link(url: str) -> bool:
    return url.strip().lower().startswith(SCHEMES)


@cache
def _parser() -> MarkdownIt:
    # "zero": only paragraphs and text; the rules of the subset are switched on one by one.
    parser = MarkdownIt("zero", {"html": False, "breaks": True, "linkify": True}).enable(RULES)
    # Addresses written bare (https://…, www.…) become links too; not e-mail addresses alone.
    parser.linkify.set({"fuzzy_email": False})
    parser.validateLink = _safe_link
    return parser


def to_html(text: str | None) -> Markup:
    """The text as HTML (paragraphs, lists, emphasis, links); empty for no text."""
    if not text or not text.strip():
        return Markup("")
    return Markup(_parser().render(text))  # noqa: S704 - html off: everything typed is escaped


def to_plain(text: str | None) -> str:
    """The text as an email's plain-text part shows it: paragraphs separated by a blank line,
    list items as « - » or « 1. », emphasis marks dropped, a link as « words (address) »."""
    if not text or not text.strip():
        return ""
    lines: list[str] = []
    lists: list[list] = []  # [ordered, next number] of each open list, innermost last
    prefix = ""
    for token in _parser().parse(text):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            start = int(token.attrGet("start") or 1)
            lists.append([token.type == "ordered_list_open", start])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                lines.append("")
        elif token.type == "list_item_open":
            ordered, number = lists[-1]
            indent = "  " * (len(lists) - 1)
            prefix = f"{indent}{number}. " if ordered else f"{indent}- "
            lists[-1][1] = number + 1
        elif token.type == "inline":
            written = _inline(token.children or []).split("\n")
            hang = " " * len(prefix) if prefix else "  " * len(lists)
            lines.append((prefix or hang) + written[0])
            lines.extend(hang + line for line in written[1:])
            prefix = ""
        elif token.type == "paragraph_close" and not lists:
            lines.append("")
    return "\n".join(lines).strip("\n")


def _inline(children) -> str:
    out: list[str] = []
    opened: list[tuple[int, str]] = []  # (where the link's words start, its address)
    for child in children:
        if child.type == "text":
            out.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            out.append("\n")
        elif child.type == "link_open":
            # A bare address or <address> already shows itself: only [words](address) adds it.
            written_out = child.markup in ("linkify", "autolink")
            opened.append((len(out), "" if written_out else str(child.attrGet("href") or "")))
        elif child.type == "link_close" and opened:
            start, href = opened.pop()
            words = "".join(out[start:])
            shown = href.removeprefix("mailto:")
            if href and words.strip() not in (href, shown):
                out.append(f" ({shown})")
    return "".join(out)
