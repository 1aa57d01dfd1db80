"""The base of every form: what a text field may hold, checked once for all of them.

A single-line field (any ``StringField``: names, organisation, title, label...) refuses line
breaks, tabs and control characters: such a value breaks email headers, calendar lines, CSV cells
and PDF lines long after it was typed. A text area keeps its line breaks and refuses the rest.
Password fields are left alone (never shown, never sent), and so is the CSRF token.

``tests/test_text_fields.py`` checks that every form of the service derives from :class:`Form`
(or :class:`SubForm` for the forms embedded in another one).
"""

from __future__ import annotations

from typing import ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Form as PlainForm
from wtforms import (
    PasswordField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    widgets,
)

from .validation import RuleError, check_no_control_characters, check_single_line


def strip(value):
    """WTForms filter: a text without the blanks around it (other values as they are)."""
    return value.strip() if isinstance(value, str) else value


def single_line(form, field) -> None:
    """WTForms validator: one line, nothing invisible (the message says what to remove)."""
    _run(check_single_line, field.data)


def several_lines(form, field) -> None:
    """WTForms validator: line breaks allowed, no tab or other control character."""
    _run(check_no_control_characters, field.data)


def text_of_its_type(form, field) -> None:
    """WTForms validator for forms that name the check: the one of the field's type."""
    check = text_check(field)
    if check is not None:
        check(form, field)


_CHECKS = (single_line, several_lines, text_of_its_type)


def text_check(field):
    """The check a field's type calls for, or None."""
    if isinstance(field, PasswordField) or field.name.endswith("csrf_token"):
        return None
    if isinstance(field, TextAreaField):
        return several_lines
    if isinstance(field, StringField):
        return single_line
    return None


def _run(check, value) -> None:
    if not isinstance(value, str):
        return
    try:
        check(value)
    except RuleError as error:
        raise ValidationError(error.message) from None


class TextChecks:
    """Adds the check of its type to every text field, at every validation; trims single-line
    values first.

    ``unchecked_fields`` names fields to leave alone (a honeypot must look accepted)."""

    unchecked_fields: ClassVar[tuple[str, ...]] = ()

    def validate(self, extra_validators=None):
        extra = {name: list(checks) for name, checks in (extra_validators or {}).items()}
        for name, field in self._fields.items():
            check = text_check(field)
            if check is None or name in self.unchecked_fields:
                continue
            if check is single_line and isinstance(field.data, str):
                # What surrounds a one-line value is never meant (a pasted line break, a tab
                # typed to move on): trimmed here, so that it is neither refused nor stored.
                field.data = field.data.strip()
            named = [*field.validators, *extra.get(name, ())]
            if any(c in named for c in _CHECKS):
                continue
            extra.setdefault(name, []).append(check)
        return super().validate(extra)


class Form(TextChecks, FlaskForm):
    """Every page form of the service (CSRF included, as any ``FlaskForm``)."""


class SubForm(TextChecks, PlainForm):
    """A form embedded in another one through a ``FormField`` (no CSRF token of its own)."""


class IdCheckboxesField(SelectMultipleField):
    """Checkboxes whose values are ids among ``choices``: anything else (a crafted or stale POST)
    gets the field's message next to it, never a crash and never a silent drop."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()
    unknown_message = _l("Choisissez dans la liste proposée.")
    _bad_input = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, coerce=int, **kwargs)

    def process_formdata(self, valuelist):
        self.data, self._bad_input = [], False
        for value in valuelist:
            try:
                self.data.append(int(value))
            except (TypeError, ValueError):
                self._bad_input = True

    def pre_validate(self, form):
        known = {choice.value for choice in self.choices}
        if self._bad_input or any(value not in known for value in self.data or []):
            raise ValidationError(self.unknown_message)
