"""The organiser's forms for an event's parts and questions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from ..common.forms import Form
from .forms import TOO_LONG, StartEndChecks, parse_clock, parse_day, parse_positive_int, strip
from .models import QuestionKind
from .operations_parts import PartData, QuestionData


class PartForm(StartEndChecks, Form):
    label = StringField(
        _l("Intitulé"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Donnez un intitulé, par exemple « Matin ».")),
            Length(max=120, message=TOO_LONG),
        ],
    )
    day = StringField(_l("Date"), filters=[strip])
    start = StringField(_l("Début"), filters=[strip])
    end = StringField(_l("Fin"), filters=[strip])
    capacity = StringField(_l("Nombre de places (facultatif)"), filters=[strip])
    confirmed = HiddenField()

    def validate_day(self, field):
        if parse_day(field.data) is None:
            raise ValidationError(_l("Indiquez la date de cette partie."))

    def validate_capacity(self, field):
        parse_positive_int(field.data)

    def fill_from(self, part) -> None:
        self.label.data = part.label
        self.day.data = part.local_start.date().isoformat()
        self.start.data = part.local_start.strftime("%H:%M")
        self.end.data = part.local_end.strftime("%H:%M")
        self.capacity.data = str(part.capacity) if part.capacity else ""

    def to_data(self) -> PartData:
        return PartData(
            label=self.label.data,
            day=parse_day(self.day.data),
            start=parse_clock(self.start.data),
            end=parse_clock(self.end.data),
            capacity=parse_positive_int(self.capacity.data),
        )


QUESTION_KINDS = [
    SelectChoice(QuestionKind.TEXT.value, _l("Texte court")),
    SelectChoice(QuestionKind.LONG_TEXT.value, _l("Texte long")),
    SelectChoice(QuestionKind.SINGLE_CHOICE.value, _l("Choix unique")),
    SelectChoice(QuestionKind.MULTIPLE_CHOICE.value, _l("Choix multiples")),
]
CHOICE_KINDS = (QuestionKind.SINGLE_CHOICE.value, QuestionKind.MULTIPLE_CHOICE.value)


class QuestionForm(Form):
    label = StringField(
        _l("Question"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Écrivez la question.")),
            Length(max=300, message=TOO_LONG),
        ],
    )
    kind = SelectField(_l("Type de réponse"), choices=QUESTION_KINDS, default="text")
    choices = TextAreaField(_l("Réponses proposées (une par ligne)"))
    required = BooleanField(_l("Réponse obligatoire"))

    def validate_choices(self, field):
        lines = [line.strip() for line in (field.data or "").splitlines() if line.strip()]
        if self.kind.data in CHOICE_KINDS and len(lines) < 2:
            raise ValidationError(
                _l("Un choix demande au moins deux réponses : écrivez-en une par ligne.")
            )
        if any(len(line) > 200 for line in lines):
            raise ValidationError(_l("Une réponse proposée fait 200 caractères au plus."))

    def fill_from(self, question) -> None:
        self.label.data = question.label
        self.kind.data = question.kind
        self.choices.data = "\n".join(question.choices or [])
        self.required.data = question.required

    def to_data(self) -> QuestionData:
        return QuestionData(
            label=self.label.data,
            kind=self.kind.data,
            choices=(self.choices.data or "").splitlines(),
            required=bool(self.required.data),
        )
