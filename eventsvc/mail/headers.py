"""Headers written by hand, so that whatever a stored name or title holds, they parse back exactly.

Python's header folder quotes a display name with specials and then folds inside the quotes,
which turns ``Dupont "x" <attacker@evil.example>,`` into a second address (issue 13). Here a name
or a subject is cleaned (no control character, one line, a bounded length), split into plain
words and runs of RFC 2047 encoded words (7-bit, whatever the language), folded by us, and stored
on the message as a finished header that the serialiser writes as is. An address header is parsed
back before use: if it does not give exactly the intended address, the name is dropped.

Pure: neither Flask nor the database.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

NAME_LIMIT = 200
SUBJECT_LIMIT = 250
# Encoded words and plain words at most this long: with "Reply-To: " before the first, every line
# of a header stays within RFC 2047's 76 characters.
WORD_LIMIT = 60
LINE_LIMIT = 76
# atext (RFC 5322) without "=" and "?", which could make a plain word read as an encoded word.
_PHRASE_PLAIN = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+/^_`{|}~-"
)
# What RFC 2047 (5.3) lets an encoded word in a phrase carry unencoded; the space becomes "_".
_Q_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!*+-/")
_PREFIX, _SUFFIX = "=?utf-8?q?", "?="
# The policy messages are built with: bodies quoted-printable or base64, never 8-bit.
SEVEN_BIT = policy.SMTP.clone(cte_type="7bit")


@dataclass(frozen=True)
class Mailbox:
    """A display name and an address, as the composer hands them over."""

    name: str
    email: str


def clean(value: object, limit: int = NAME_LIMIT) -> str:
    """One line of printable text: control characters (CR, LF, tab, NUL...) and separators become
    spaces, runs of spaces one; format characters (bidi overrides, zero-width...) and lone
    surrogates go; a value longer than ``limit`` is cut with « … »."""
    text = "" if value is None else str(value)
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Zl", "Zp", "Zs"):
            kept.append(" ")
        elif category not in ("Cf", "Cs"):
            kept.append(char)
    text = " ".join("".join(kept).split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def _q_encode(char: str) -> str:
    if char == " ":
        return "_"
    if char in _Q_PLAIN:
        return char
    return "".join(f"={byte:02X}" for byte in char.encode("utf-8"))


def _encoded_words(text: str) -> list[str]:
    """``text`` as UTF-8 Q encoded words of at most WORD_LIMIT characters, never splitting a
    character, and cut after a space where there is one: decoders join adjacent encoded words
    (RFC 2047 6.2), and one that keeps the blank between them (Python's address parser does) then
    only doubles a space instead of splitting a word."""
    room = WORD_LIMIT - len(_PREFIX) - len(_SUFFIX)
    words: list[str] = []
    current: list[str] = []
    for char in text:
        encoded = _q_encode(char)
        if current and sum(map(len, current)) + len(encoded) > room:
            cut = max((i + 1 for i, piece in enumerate(current) if piece == "_"), default=0)
            cut = cut if 0 < cut < len(current) else len(current)
            words.append(_PREFIX + "".join(current[:cut]) + _SUFFIX)
            current = current[cut:]
        current.append(encoded)
    if current:
        words.append(_PREFIX + "".join(current) + _SUFFIX)
    return words


def _is_plain(word: str, phrase: bool) -> bool:
    if len(word) > WORD_LIMIT or "=?" in word:
        return False
    if phrase:
        return all(c in _PHRASE_PLAIN for c in word)
    return all("!" <= c <= "~" for c in word)


def words(text: str, *, phrase: bool) -> list[str]:
    """Tokens for a header: plain words as they are, every run of other words (with the spaces
    inside the run) as encoded words. Two runs are never adjacent, so no space is lost."""
    tokens: list[str] = []
    run: list[str] = []
    for word in text.split(" ") if text else []:
        if _is_plain(word, phrase):
            if run:
                tokens.extend(_encoded_words(" ".join(run)))
                run = []
            tokens.append(word)
        else:
            run.append(word)
    if run:
        tokens.extend(_encoded_words(" ".join(run)))
    return tokens


def fold(name: str, tokens: list[str]) -> str:
    """The header's value, folded between tokens (lines joined by ``\\n `` for the serialiser)."""
    lines: list[str] = []
    width = len(name) + 2
    for token in tokens:
        if lines and width + 1 + len(token) <= LINE_LIMIT:
            lines[-1] += " " + token
            width += 1 + len(token)
        elif not lines:
            lines.append(token)
            width += len(token)
        else:
            lines.append(token)
            width = 1 + len(token)
    return "\n ".join(lines)


def addr_spec(email: str) -> str:
    """The address as it goes in a header (a local part that needs quotes gets them)."""
    local, at, domain = (email or "").strip().rpartition("@")
    if not at or not local or not domain:
        raise ValueError(f"not an email address: {email!r}")
    return Address(username=local, domain=domain).addr_spec


def address_value(header: str, name: object, email: str) -> str:
    """``Name <address>`` for an address header, checked by parsing it back."""
    spec = addr_spec(email)
    display = clean(name)
    if display:
        value = fold(header, [*words(display, phrase=True), f"<{spec}>"])
        if _parses_to(header, value, display, spec):
            return value
    if _parses_to(header, spec, "", spec):
        return spec
    raise ValueError(f"an address header cannot carry {email!r}")


def _parses_to(header: str, value: str, display: str, spec: str) -> bool:
    """One address, the intended one, under the intended name (blanks aside: parsers differ on
    those between encoded words)."""
    try:
        parsed = policy.default.header_factory(header, value.replace("\n ", " "))
        addresses = parsed.addresses
    except Exception:  # noqa: BLE001 - whatever the parser thinks of it, it is not usable
        return False
    return (
        len(addresses) == 1
        and addresses[0].addr_spec == spec
        and "".join(addresses[0].display_name.split()) == "".join(display.split())
    )


def parse_mailbox(value: str) -> Mailbox:
    """A configured sender such as ``Inscriptions <inscriptions@example.fr>``."""
    addresses = policy.default.header_factory("From", clean(value, 1000)).addresses
    if len(addresses) != 1 or not addresses[0].domain:
        raise ValueError(f"not one email address: {value!r}")
    return Mailbox(addresses[0].display_name, addresses[0].addr_spec)


def set_address(message: EmailMessage, header: str, mailbox: Mailbox) -> None:
    del message[header]
    message.set_raw(header, address_value(header, mailbox.name, mailbox.email))


def set_text(message: EmailMessage, header: str, text: object, limit: int = SUBJECT_LIMIT) -> None:
    del message[header]
    message.set_raw(header, fold(header, words(clean(text, limit), phrase=False)))


def message_id_domain(email: str) -> str:
    """The sender's domain, as ASCII (IDNA) so that the Message-ID stays 7-bit."""
    domain = email.rpartition("@")[2].strip().rstrip(".")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = ""
    return ascii_domain or "localhost"
