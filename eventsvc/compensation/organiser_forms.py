"""Forms of the organiser's compensation pages: distance table upload, claim review, batches."""

from __future__ import annotations

from decimal import Decimal

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from ..common import csv_reading
from ..common.forms import Form
from ..common.uploads import FileSizeAtMost
from ..events.forms import parse_day, strip
from .forms import parse_number

NOT_A_NUMBER = _l("Indiquez un nombre positif, par exemple 12,5 (virgule ou point).")


def positive_number(text: str | None) -> Decimal | None:
    """« 12,5 » → Decimal; None when empty; ValidationError for anything else or a negative."""
    try:
        number = parse_number(text or "")
    except ValueError:
        raise ValidationError(NOT_A_NUMBER) from None
    if number is not None and number < 0:
        raise ValidationError(NOT_A_NUMBER)
    return number


class DistanceUploadForm(Form):
    file = FileField(
        _l("Fichier CSV du distancier"),
        validators=[
            FileRequired(message=_l("Choisissez le fichier CSV du distancier.")),
            FileAllowed(
                ["csv", "txt"],
                message=_l("Choisissez un fichier .csv (enregistré « CSV » depuis le tableur)."),
            ),
            FileSizeAtMost(csv_reading.DISTANCES),
        ],
    )


class DistanceConfirmForm(Form):
    upload = HiddenField()


class ComputeForm(Form):
    reset_corrections = BooleanField(_l("Recalculer aussi les indemnités corrigées à la main"))


class CorrectLineForm(Form):
    quantity = StringField(_l("Quantité corrigée"), filters=[strip])
    rate = StringField(_l("Taux corrigé (€)"), filters=[strip])
    reason = TextAreaField(
        _l("Raison de la correction"),
        filters=[strip],
        validators=[
            DataRequired(
                message=_l("Indiquez la raison de la correction : elle est gardée avec la ligne.")
            ),
            Length(max=500, message=_l("%(max)d caractères au plus.")),
        ],
    )

    def validate_quantity(self, field):
        positive_number(field.data)

    def validate_rate(self, field):
        positive_number(field.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid and not self.quantity.data and not self.rate.data:
            self.quantity.errors.append(_l("Indiquez la quantité ou le taux corrigé."))
            return False
        return valid


class ReceiptsForm(Form):
    received = HiddenField(default="1")


class DistanceCheckForm(Form):
    round_trip_km = StringField(
        _l("Distance aller-retour vérifiée (km)"),
        filters=[strip],
        validators=[DataRequired(message=_l("Indiquez la distance aller-retour en km."))],
    )

    def validate_round_trip_km(self, field):
        positive_number(field.data)


class TransportReceiptForm(Form):
    amount = StringField(_l("Montant des justificatifs de transport (€)"), filters=[strip])

    def validate_amount(self, field):
        positive_number(field.data)


class ChildcareAsideForm(Form):
    reason = StringField(
        _l("Pourquoi la garde n'est-elle pas payée ?"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Indiquez pourquoi la garde d'enfants n'est pas payée.")),
            Length(max=500, message=_l("%(max)d caractères au plus.")),
        ],
    )


class ValidateForm(Form):
    accept_checks = BooleanField(_l("J'ai vérifié les points signalés et je les accepte"))


class BatchForm(Form):
    name = StringField(
        _l("Nom du lot"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Donnez un nom au lot, par exemple « 2024 T2 ».")),
            Length(max=200, message=_l("%(max)d caractères au plus.")),
        ],
    )
    start = StringField(_l("Du"), filters=[strip])
    end = StringField(_l("Au"), filters=[strip])

    def validate_start(self, field):
        if parse_day(field.data) is None:
            raise ValidationError(_l("Indiquez le premier jour de la période."))

    def validate_end(self, field):
        if parse_day(field.data) is None:
            raise ValidationError(_l("Indiquez le dernier jour de la période."))


class PaidForm(Form):
    paid_on = StringField(_l("Payé le"), filters=[strip])

    def validate_paid_on(self, field):
        if parse_day(field.data) is None:
            raise ValidationError(_l("Indiquez la date du paiement."))
