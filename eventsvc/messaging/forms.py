"""The form of a message to participants: the audience, the subject and the text."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..common.forms import Form, strip
from ..common.query_args import ID_MAX, bounded_int
from ..events.models import Event
from ..i18n import part_label
from ..registrations import queries as registrations
from .operations import BODY_MAX, SUBJECT_MAX
from .queries import ALL, CONFIRMED, FILTER, WAITLISTED, Audience

PART = "part"  # the form's choice « one part's attendees »: confirmed people attending it


class MessageForm(Form):
    to = RadioField(
        _l("À qui écrire"),
        choices=[
            SelectChoice(CONFIRMED, _l("Toutes les personnes confirmées")),
            SelectChoice(WAITLISTED, _l("La liste d'attente")),
            SelectChoice(ALL, _l("Les personnes confirmées et la liste d'attente")),
            SelectChoice(PART, _l("Les personnes confirmées qui viennent à une partie")),
            SelectChoice(FILTER, _l("Le filtre de la page des inscriptions")),
        ],
        default=CONFIRMED,
    )
    part_id = SelectField(_l("Partie"), choices=[], validate_choice=False)
    # The registrations page's filter, carried by its « Écrire à ces personnes » link.
    filter_status = HiddenField()
    filter_part = HiddenField()
    filter_attendance = HiddenField()
    filter_text = HiddenField()
    subject = StringField(
        _l("Objet"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Donnez un objet au message.")),
            Length(max=SUBJECT_MAX, message=_l("%(max)d caractères au plus.")),
        ],
    )
    body = TextAreaField(
        _l("Message"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Écrivez le message.")),
            Length(
                max=BODY_MAX,
                message=_l("%(max)d caractères au plus : raccourcissez le message."),
            ),
        ],
    )
    preview_locale = SelectField(
        _l("Langue de l'aperçu"),
        choices=[SelectChoice("fr", "Français"), SelectChoice("en", "English")],
        default="fr",
    )
    # The number of people the preview announced: sending checks it has not changed.
    expected = HiddenField()

    @classmethod
    def for_event(cls, event: Event, **kwargs) -> MessageForm:
        form = cls(**kwargs)
        form.part_id.choices = [SelectChoice(str(p.id), part_label(p)) for p in event.parts]
        return form

    def validate_part_id(self, field):
        if self.to.data == PART and field.data not in {c.value for c in field.choices}:
            raise ValidationError(_l("Choisissez la partie."))

    def carry_filter(self, args) -> None:
        """Fill the hidden filter from the registrations page's query string (GET)."""
        filters = registrations.Filters.from_args(args)
        self.filter_status.data = filters.status
        self.filter_part.data = str(filters.part_id or "")
        self.filter_attendance.data = filters.attendance
        self.filter_text.data = filters.text

    def filters(self) -> registrations.Filters:
        return registrations.Filters.from_args(
            {
                "status": self.filter_status.data or "",
                "part": self.filter_part.data or "",
                "attendance": self.filter_attendance.data or "",
                "q": self.filter_text.data or "",
            }
        )

    def carried_filter(self) -> Audience:
        return Audience(FILTER, filters=self.filters())

    def audience(self) -> Audience:
        if self.to.data == FILTER:
            return Audience(FILTER, filters=self.filters())
        if self.to.data == PART:
            return Audience(
                CONFIRMED, part_id=bounded_int(self.part_id.data, minimum=1, maximum=ID_MAX)
            )
        return Audience(self.to.data)

    def expected_count(self) -> int | None:
        return bounded_int(self.expected.data or "", minimum=0, maximum=ID_MAX)
