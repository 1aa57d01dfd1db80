"""Validation shared by every domain, without Flask or the database: emails, single-line text,
control characters, times of day. Raises :class:`RuleError` with the message for the person."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time

from email_validator import EmailNotValidError, validate_email
from flask_babel import lazy_gettext as _l

from .errors import DomainError

# The longest address SMTP carries (RFC 5321); the columns hold 320 characters.
EMAIL_MAX_LENGTH = 254
EMAIL_COLUMN_LENGTH = 320
# Invisible controls that only copy-paste or robots bring: PostgreSQL refuses NUL in text, and
# XML (hence XLSX exports and calendars) refuses the others. In a text of several lines (comment,
# message) only line breaks stay allowed: LF, or CRLF as browsers and files send them.
CONTROL_CHARACTERS = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]|\r(?!\n)")
# A single-line value (a name, an organisation, a title) ends up in email headers, calendar lines,
# CSV cells and PDF lines: no line break of any kind (what ``str.splitlines`` splits on), no tab,
# no control character, C1 included.
LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")
LINE_CONTROL_CHARACTERS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
TIME_PATTERN = re.compile(r"^\s*(\d{1,2})\s*[:hH]\s*(\d{2})?\s*$")


class RuleError(DomainError, ValueError):
    """A value refused with a message meant for the person who typed it."""


def check_no_control_characters(value: str | None) -> None:
    """For a text of several lines: line breaks are fine, tabs and other controls are not."""
    if value and CONTROL_CHARACTERS.search(value):
        raise _tab_refused() if "\t" in value else _control_refused()


def check_single_line(value: str | None) -> None:
    """For a value that is one line (names, organisation, title...): no line break, no tab, no
    control character. Each has its own message, so that people see what to remove."""
    if not value:
        return
    if LINE_BREAKS.search(value):
        raise RuleError(_l("Ce champ tient sur une seule ligne : retirez le retour à la ligne."))
    if "\t" in value:
        raise _tab_refused()
    if LINE_CONTROL_CHARACTERS.search(value):
        raise _control_refused()


def _tab_refused() -> RuleError:
    return RuleError(_l("Ce champ ne prend pas de tabulation : remplacez-la par une espace."))


def _control_refused() -> RuleError:
    return RuleError(
        _l(
            "Ce champ contient un caractère de contrôle invisible, souvent venu d'un "
            "copier-coller : effacez-le et tapez à nouveau le texte."
        )
    )


@dataclass(frozen=True)
class CheckedEmail:
    typed: str  # as typed, less the surrounding whitespace
    normalised: str
    key: str  # case-folded: Karim.Haddad@x and karim.haddad@x are one person


def check_email(value: str, *, check_deliverability: bool = False) -> CheckedEmail:
    candidate = value.strip()
    if not candidate:
        raise RuleError(_l("Indiquez votre adresse électronique."))
    if len(candidate) > EMAIL_MAX_LENGTH:
        raise _too_long()
    if ";" in candidate or "," in candidate:
        raise RuleError(
            _l(
                "Cette adresse contient un caractère « ; » ou « , » : vérifiez qu'il s'agit "
                "d'une seule adresse, par exemple prenom.nom@exemple.fr."
            )
        )
    if candidate.count("@") != 1:
        raise RuleError(
            _l(
                "Une adresse électronique contient un seul « @ », par exemple "
                "prenom.nom@exemple.fr : vérifiez la vôtre."
            )
        )
    if any(char.isspace() for char in candidate):
        raise RuleError(
            _l("Une adresse électronique ne contient pas d'espace : vérifiez la vôtre.")
        )
    try:
        result = validate_email(candidate, check_deliverability=check_deliverability)
    except EmailNotValidError as error:
        if check_deliverability and "does not" in str(error) and "domain" in str(error).lower():
            raise RuleError(
                _l(
                    "Le domaine de cette adresse ne reçoit pas de courrier : vérifiez ce qui suit "
                    "le « @ »."
                )
            ) from error
        raise RuleError(
            _l(
                "Cette adresse électronique n'est pas valide : vérifiez-la "
                "(exemple : prenom.nom@exemple.fr)."
            )
        ) from error
    normalised = result.normalized
    key = normalised.casefold()  # may lengthen it: « ß » becomes « ss », « ﬃ » « ffi »
    if max(len(normalised), len(key)) > EMAIL_COLUMN_LENGTH:
        raise _too_long()
    return CheckedEmail(typed=candidate, normalised=normalised, key=key)


def _too_long() -> RuleError:
    return RuleError(
        _l(
            "Cette adresse électronique est trop longue (%(max)d caractères au plus) : "
            "vérifiez-la.",
            max=EMAIL_MAX_LENGTH,
        )
    )


def parse_time(value: str) -> time | None:
    """``HH:MM`` (also ``14h``, ``9h30``) to a time; empty is None."""
    if value is None or not value.strip():
        return None
    match = TIME_PATTERN.match(value)
    if not match:
        raise RuleError(_l("Indiquez une heure au format HH:MM, par exemple 14:30."))
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        raise RuleError(_l("Cette heure n'existe pas : indiquez une heure entre 00:00 et 23:59."))
    return time(hours, minutes)
