"""The dashboard's webhook forms: a new endpoint (URL, event types), and the buttons."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField, ValidationError, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..common.forms import Form, strip
from .rules import EVENT_TYPES

EVENT_TYPE_LABELS = {
    "registration.created": _l("Nouvelle inscription"),
    "registration.changed": _l("Inscription modifiée"),
    "registration.cancelled": _l("Inscription annulée"),
    "registration.promoted": _l("Confirmée depuis la liste d'attente"),
    "checkin.recorded": _l("Présence pointée"),
    "claim.validated": _l("Indemnité validée"),
}


class EventTypesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        if any(value not in EVENT_TYPES for value in self.data or []):
            raise ValidationError(_l("Choisissez dans la liste proposée."))


class EndpointForm(Form):
    url = StringField(
        _l("Adresse (URL) qui recevra les événements"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Indiquez l'adresse.")),
            Length(max=2000, message=_l("%(max)d caractères au plus.")),
        ],
    )
    event_types = EventTypesField(
        _l("Événements à envoyer"),
        choices=[SelectChoice(name, EVENT_TYPE_LABELS[name]) for name in EVENT_TYPES],
        validators=[DataRequired(message=_l("Choisissez au moins un type d'événement connu."))],
    )


class ButtonForm(Form):
    """A button (disable, enable, delete, replay): the CSRF token only."""
