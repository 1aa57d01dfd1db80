"""The organiser's forms (contacts, lists, inviting, settings) and the invitee's reply slip."""

from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ..common import csv_reading
from ..common.forms import Form, IdCheckboxesField
from ..common.uploads import FileSizeAtMost, PlainWorkbook
from ..common.validation import RuleError, check_email
from ..registrations.forms import no_control_characters, strip
from .contacts import ContactData
from .replies import Representative


class CheckboxesField(IdCheckboxesField):
    """The organiser's lists or contacts, by id."""


class EmailField(StringField):
    checked = None

    def pre_validate(self, form):
        try:
            self.checked = check_email(
                self.data or "",
                check_deliverability=current_app.config["CHECK_EMAIL_DELIVERABILITY"],
            )
        except RuleError as error:
            raise ValidationError(error.message) from None


def _text(label, limit, required=False, message=None):
    validators = [DataRequired(message=message)] if required else [Optional()]
    return StringField(
        label,
        filters=[strip],
        validators=[
            *validators,
            Length(max=limit, message=_l("%(max)d caractères au plus.")),
            no_control_characters,
        ],
    )


class ContactForm(Form):
    civility = _text(_l("Civilité (M., Mme…)"), 20)
    first_name = _text(_l("Prénom"), 100)
    last_name = _text(_l("Nom"), 100, required=True, message=_l("Indiquez le nom."))
    function = _text(_l("Fonction (Maire, Adjointe à la culture…)"), 200)
    organisation = _text(_l("Organisation ou commune"), 200)
    email = EmailField(
        _l("Adresse électronique"),
        validators=[InputRequired(message=_l("Indiquez l'adresse électronique."))],
    )
    lists = CheckboxesField(_l("Listes"), choices=[])

    def to_data(self) -> ContactData:
        return ContactData(
            civility=self.civility.data or "",
            first_name=self.first_name.data or "",
            last_name=self.last_name.data,
            function=self.function.data or "",
            organisation=self.organisation.data or "",
            email=self.email.checked,
            list_ids=list(self.lists.data or []),
        )


class ListForm(Form):
    name = _text(_l("Nom de la liste"), 120, required=True, message=_l("Nommez la liste."))


class ContactImportForm(Form):
    list_name = _text(
        _l("Liste à créer ou compléter"), 120, required=True, message=_l("Nommez la liste.")
    )
    file = FileField(
        _l("Fichier CSV ou Excel (.xlsx) des contacts"),
        validators=[
            FileSizeAtMost(csv_reading.CONTACTS),
            PlainWorkbook(csv_reading.CONTACTS),
        ],
    )
    # After the preview: the file itself, so that any process can import it.
    content = HiddenField()
    confirmed = HiddenField()


class InviteForm(Form):
    lists = CheckboxesField(_l("Listes à inviter"), choices=[])
    contacts = CheckboxesField(_l("Contacts à inviter"), choices=[])
    confirmed = HiddenField()


class ConfirmForm(Form):
    """A button that confirms what the page shows."""


class SettingsForm(Form):
    invitation_only = BooleanField(
        _l("Sur invitation : le formulaire public n'est pas proposé aux personnes non invitées")
    )
    reminder_days_before = IntegerField(
        _l("Relance automatique, en jours avant la clôture des inscriptions (facultatif)"),
        validators=[
            Optional(),
            NumberRange(min=1, max=90, message=_l("Un nombre de jours entre 1 et 90.")),
        ],
    )


class AttachmentForm(Form):
    file = FileField(
        _l("Pièce jointe (ordre du jour…)"),
        validators=[FileRequired(message=_l("Choisissez le fichier à joindre."))],
    )


class RemoveAttachmentForm(Form):
    attachment_id = IntegerField(validators=[InputRequired()])


class DeclineForm(Form):
    message = TextAreaField(
        _l("Message pour l'organisateur (facultatif)"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=2000, message=_l("%(max)d caractères au plus.")),
            no_control_characters,
        ],
    )


class RepresentativeForm(Form):
    rep_first_name = _text(
        _l("Prénom de la personne qui vous représente"),
        100,
        required=True,
        message=_l("Indiquez son prénom."),
    )
    rep_last_name = _text(_l("Son nom"), 100, required=True, message=_l("Indiquez son nom."))
    rep_function = _text(_l("Sa fonction (facultatif)"), 200)
    rep_email = EmailField(
        _l("Son adresse électronique"),
        validators=[InputRequired(message=_l("Indiquez son adresse électronique."))],
    )

    def to_representative(self) -> Representative:
        return Representative(
            first_name=self.rep_first_name.data,
            last_name=self.rep_last_name.data,
            function=self.rep_function.data or "",
            email=self.rep_email.checked,
        )
