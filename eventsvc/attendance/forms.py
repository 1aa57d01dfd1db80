"""The welcome desk's form: someone who came without signing up."""

from __future__ import annotations

import re
import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, StringField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from ..common.forms import Form, strip
from ..common.forms import text_of_its_type as no_control_characters
from ..common.validation import RuleError, check_email
from ..registrations.forms import NAME_MAX, ORGANISATION_MAX


class WalkInForm(Form):
    first_name = StringField(
        _l("Prénom"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Indiquez le prénom de la personne.")),
            Length(max=NAME_MAX, message=_l("%(max)d caractères au plus.")),
            no_control_characters,
        ],
    )
    last_name = StringField(
        _l("Nom"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Indiquez le nom de la personne.")),
            Length(max=NAME_MAX, message=_l("%(max)d caractères au plus.")),
            no_control_characters,
        ],
    )
    organisation = StringField(
        _l("Organisation (facultatif)"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=ORGANISATION_MAX, message=_l("%(max)d caractères au plus.")),
            no_control_characters,
        ],
    )
    email = StringField(_l("Adresse électronique (facultatif)"), filters=[strip])
    # Drawn when the form is shown, sent again by a double tap or a retry: one walk-in, not two.
    request_id = HiddenField()

    checked_email = None

    def validate_email(self, field):
        if not field.data:
            return
        try:
            self.checked_email = check_email(
                field.data, check_deliverability=current_app.config["CHECK_EMAIL_DELIVERABILITY"]
            )
        except RuleError as error:
            raise ValidationError(error.message) from None

    @property
    def email_value(self) -> str:
        return self.checked_email.normalised if self.checked_email else ""

    def fresh(self) -> WalkInForm:
        self.request_id.data = secrets.token_hex(16)
        return self

    @property
    def request_id_value(self) -> str:
        value = self.request_id.data or ""
        return value if REQUEST_ID.fullmatch(value) else ""


REQUEST_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
