"""Login and password change."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField, ValidationError
from wtforms.validators import DataRequired, InputRequired

from ..common.forms import Form
from .service import password_problem


class LoginForm(Form):
    email = StringField(
        _l("Adresse électronique"),
        validators=[DataRequired(message=_l("Indiquez l'adresse de votre compte."))],
    )
    password = PasswordField(
        _l("Mot de passe"), validators=[InputRequired(message=_l("Indiquez votre mot de passe."))]
    )
    next = HiddenField()


class PasswordChangeForm(Form):
    current = PasswordField(
        _l("Mot de passe actuel"),
        validators=[InputRequired(message=_l("Indiquez votre mot de passe actuel."))],
    )
    new = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[InputRequired(message=_l("Choisissez un nouveau mot de passe."))],
    )
    confirm = PasswordField(
        _l("Nouveau mot de passe, à nouveau"),
        validators=[InputRequired(message=_l("Tapez le nouveau mot de passe une seconde fois."))],
    )

    email = ""

    def validate_new(self, field):
        problem = password_problem(field.data or "", self.email)
        if problem:
            raise ValidationError(problem)

    def validate_confirm(self, field):
        if field.data != self.new.data:
            raise ValidationError(
                _l("Les deux nouveaux mots de passe diffèrent : tapez-les à nouveau.")
            )
