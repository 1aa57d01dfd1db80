"""The sign-up forms: the public one (field names are a contract: other tools post to them) and the
organiser's (add by hand, edit, CSV upload), which reuse its fields and rules."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    Field,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ..common import csv_reading
from ..common.forms import Form, IdCheckboxesField, strip, text_of_its_type
from ..common.uploads import FileSizeAtMost, PlainWorkbook
from ..common.validation import RuleError, check_email, parse_time
from ..events.models import Event, Question, QuestionKind
from .models import Registration
from .operations import ChangeCommand, SignupCommand
from .operations_manage import Identity
from .periods import arrival_and_departure_days, spans_several_days
from .rules import PartSpan, check_attendance

NAME_MAX, ORGANISATION_MAX, ANSWER_MAX = 100, 200, 2000
DAY_PLACEHOLDER = "{day}"  # where static/part_days.js writes the day in a time's label
LOCALES = [SelectChoice("fr", "Français"), SelectChoice("en", "English")]


class PartsField(IdCheckboxesField):
    """Checkboxes whose values are part ids; anything else gets a message, not a crash."""

    unknown_message = _l("Cette partie n'existe pas pour cet événement : choisissez dans la liste.")


class ChoicesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        known = {choice.value for choice in self.choices}
        if any(v not in known for v in self.data or []):
            raise ValidationError(_l("Choisissez parmi les réponses proposées."))


class SingleChoiceField(RadioField):
    def pre_validate(self, form):
        if self.data and self.data not in {choice.value for choice in self.choices}:
            raise ValidationError(_l("Choisissez parmi les réponses proposées."))


class AttendanceForm(Form):
    """What a person attends and says: the part of the sign-up they can change later."""

    unchecked_fields = ("website",)  # the honeypot: whatever a robot puts there looks accepted

    full_day = RadioField(
        _l("Serez-vous présent·e toute la journée ?"),
        choices=[
            SelectChoice("yes", _l("Oui, toute la journée")),
            SelectChoice("no", _l("Non, seulement une partie")),
        ],
        validators=[InputRequired(message=_l("Dites si vous venez toute la journée."))],
    )
    parts = PartsField(_l("Parties auxquelles vous participerez"), choices=[])
    arrival_time = StringField(_l("Heure d'arrivée (facultatif)"), filters=[strip])
    departure_time = StringField(_l("Heure de départ (facultatif)"), filters=[strip])
    comment = TextAreaField(_l("Commentaire (facultatif)"))
    # Honeypot: hidden from people (off screen, aria-hidden, out of the tab order), filled by
    # robots that fill every field. See the view for what such a submission gets.
    website = StringField(_l("Laissez ce champ vide : il sert à repérer les envois automatiques."))

    event: Event
    several_days = False  # the event's parts span more than one day (bound_to)

    @classmethod
    def for_event(cls, event: Event, **kwargs) -> AttendanceForm:
        """This form with one field per extra question of the event."""
        return cls.class_for(event).bound_to(event, **kwargs)

    @classmethod
    def class_for(cls, event: Event) -> type[AttendanceForm]:
        """This form's class with one field per extra question of the event, for pages that add
        sections of their own (``participant``). Kept per process under the event's id and
        ``updated_at`` (which a part's or a question's change moves), so that a request neither
        reads the questions nor builds a class; an event's older class is dropped."""
        key = (cls, event.id, event.updated_at)
        kept = event.id is not None and current_app.config["SIGNUP_FORM_CACHE"]
        found = _CLASSES.get(key) if kept else None
        if found is None:
            specs = tuple(QuestionSpec.of(question) for question in event.questions)
            found = _form_class(cls, specs)
            if kept:
                _remember(key, found)
        return found

    @classmethod
    def bound_to(cls, event: Event, **kwargs) -> AttendanceForm:
        """An instance of a class from :meth:`class_for` (or a subclass), for this event."""
        form = cls(**kwargs)
        form.event = event
        form.parts.choices = [SelectChoice(part.id, part.label) for part in event.parts]
        spans = {
            part.id: PartSpan(part.id, part.local_start, part.local_end) for part in event.parts
        }
        form.several_days = spans_several_days(spans.values())
        if form.several_days:
            form._speak_of_days(spans)
        return form

    def _speak_of_days(self, spans: dict[int, PartSpan]) -> None:
        """Over several days, « toute la journée » means nothing: ask about every part, and say
        which day the arrival and departure times are read on (the first and last day chosen)."""
        self.full_day.label.text = _l("Serez-vous présent·e à toutes les parties ?")
        self.full_day.choices = [
            SelectChoice("yes", _l("Oui, à toutes les parties")),
            SelectChoice("no", _l("Non, seulement à certaines parties")),
        ]
        self.full_day.validators = [
            InputRequired(message=_l("Dites si vous venez à toutes les parties."))
        ]
        ticked = [] if self.full_day.data == "yes" else self.parts.data or []
        chosen = [spans[i] for i in ticked if isinstance(i, int) and i in spans]
        first, last = arrival_and_departure_days(chosen, spans.values())
        self.arrival_time.label.text = _l(
            "Heure d'arrivée (%(day)s), facultatif", day=format_date(first, "EEEE d MMMM")
        )
        self.departure_time.label.text = _l(
            "Heure de départ (%(day)s), facultatif", day=format_date(last, "EEEE d MMMM")
        )
        # For static/part_days.js, which keeps both labels in step with the parts ticked
        # before the form is sent: each part's day (ISO, to order them, and worded) and the
        # labels with DAY_PLACEHOLDER where the day goes.
        self.part_days = {
            str(i): [span.start.date().isoformat(), format_date(span.start.date(), "EEEE d MMMM")]
            for i, span in spans.items()
        }
        self.day_labels = {
            "arrival": str(_l("Heure d'arrivée (%(day)s), facultatif", day=DAY_PLACEHOLDER)),
            "departure": str(_l("Heure de départ (%(day)s), facultatif", day=DAY_PLACEHOLDER)),
        }

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.website.data or "").strip())

    @property
    def question_fields(self) -> list[Field]:
        return [self[question.field_name] for question in self._questions]

    def validate_comment(self, field):
        limit = current_app.config["COMMENT_MAX_LENGTH"]
        if field.data and len(field.data) > limit:
            raise ValidationError(
                _l(
                    "Votre commentaire fait %(length)d caractères : raccourcissez-le à %(limit)d "
                    "caractères au plus.",
                    length=len(field.data),
                    limit=limit,
                )
            )

    def validate_arrival_time(self, field):
        self._arrival = self._parse_time(field)

    def validate_departure_time(self, field):
        self._departure = self._parse_time(field)

    @staticmethod
    def _parse_time(field):
        try:
            return parse_time(field.data)
        except RuleError as error:
            raise ValidationError(error.message) from None

    def validate(self, extra_validators=None) -> bool:
        self._arrival = self._departure = None
        valid = super().validate(extra_validators)
        if self.full_day.data not in ("yes", "no") or self.parts.errors:
            return valid
        if self.arrival_time.errors or self.departure_time.errors:
            return False
        spans_by_id = {
            part.id: PartSpan(part.id, part.local_start, part.local_end)
            for part in self.event.parts
        }
        chosen = [spans_by_id[i] for i in self.parts.data or [] if i in spans_by_id]
        problems = check_attendance(
            self.full_day.data == "yes", chosen, self._arrival, self._departure
        )
        for problem in problems:
            self[problem.field].errors.append(problem.message)
        return valid and not problems

    def to_change(self) -> ChangeCommand:
        full_day = self.full_day.data == "yes"
        return ChangeCommand(
            full_day=full_day,
            part_ids=[] if full_day else list(self.parts.data or []),
            arrival_time=None if full_day else self._arrival,
            departure_time=None if full_day else self._departure,
            comment=(self.comment.data or "").strip(),
            answers={
                question.id: _answer_value(self[question.field_name])
                for question in self._questions
            },
        )

    @staticmethod
    def initial_values(registration) -> dict:
        """The form's values for an existing registration (the personal page)."""
        values = {
            "full_day": "yes" if registration.full_day else "no",
            "parts": [part.id for part in registration.chosen_parts],
            "arrival_time": _clock(registration.arrival_time),
            "departure_time": _clock(registration.departure_time),
            "comment": registration.comment,
        }
        for answer in registration.answers:
            values[f"q_{answer.question_id}"] = answer.value
        return values


class SignupForm(AttendanceForm):
    checked_email = None
    first_name = StringField(
        _l("Prénom"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Indiquez votre prénom.")),
            Length(max=NAME_MAX, message=_l("%(max)d caractères au plus.")),
        ],
    )
    last_name = StringField(
        _l("Nom"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Indiquez votre nom.")),
            Length(max=NAME_MAX, message=_l("%(max)d caractères au plus.")),
        ],
    )
    organisation = StringField(
        _l("Organisation"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=ORGANISATION_MAX, message=_l("%(max)d caractères au plus.")),
        ],
    )
    email = StringField(
        _l("Adresse électronique"),
        validators=[InputRequired(message=_l("Indiquez votre adresse électronique."))],
    )

    def validate_email(self, field):
        try:
            self.checked_email = check_email(
                field.data or "",
                check_deliverability=current_app.config["CHECK_EMAIL_DELIVERABILITY"],
            )
        except RuleError as error:
            raise ValidationError(error.message) from None

    def to_command(self) -> SignupCommand:
        return SignupCommand(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            organisation=self.organisation.data or "",
            email_typed=self.checked_email.typed,
            email=self.checked_email.normalised,
            email_key=self.checked_email.key,
            **vars(self.to_change()),
        )


def _clock(value) -> str:
    return value.strftime("%H:%M") if value else ""


# The organiser's forms (dashboard pages of ``organiser.py`` and ``organiser_import.py``)


class ManualSignupForm(SignupForm):
    """A sign-up taken by the organiser (by phone): the public form's fields and checks."""

    locale = SelectField(_l("Langue de la personne (pour ses messages)"), choices=LOCALES)


class EditRegistrationForm(SignupForm):
    """Everything but the email, which stays the key the person is known by."""

    @classmethod
    def for_registration(cls, registration: Registration, **kwargs) -> EditRegistrationForm:
        form = cls.for_event(registration.event, **kwargs)
        del form.email
        return form

    def fill_from(self, registration: Registration) -> None:
        self.first_name.data = registration.first_name
        self.last_name.data = registration.last_name
        self.organisation.data = registration.organisation
        self.full_day.data = "yes" if registration.full_day else "no"
        self.parts.data = [part.id for part in registration.chosen_parts]
        self.arrival_time.data = _clock(registration.arrival_time)
        self.departure_time.data = _clock(registration.departure_time)
        self.comment.data = registration.comment
        answers = {answer.question_id: answer.value for answer in registration.answers}
        for question in self._questions:
            self[question.field_name].data = answers.get(question.id)

    def identity(self) -> Identity:
        return Identity(
            first_name=self.first_name.data,
            last_name=self.last_name.data,
            organisation=self.organisation.data or "",
        )


class UploadForm(Form):
    file = FileField(
        _l("Fichier CSV ou Excel (.xlsx)"),
        validators=[
            FileRequired(message=_l("Choisissez le fichier CSV exporté par votre formulaire.")),
            FileAllowed(
                ["csv", "txt", "tsv", "xlsx"],
                message=_l(
                    "Choisissez un fichier .csv ou .xlsx (enregistré « CSV » ou « Classeur "
                    "Excel » depuis le tableur, sans macros)."
                ),
            ),
            FileSizeAtMost(csv_reading.SIGNUPS),
            PlainWorkbook(csv_reading.SIGNUPS),
        ],
    )


# The name the walk-in and invitation forms use: the check of each field's type.
no_control_characters = text_of_its_type


def _answer_value(field: Field):
    if isinstance(field.data, list):
        return list(field.data)
    return (field.data or "").strip()


@dataclass(frozen=True)
class QuestionSpec:
    """What a form field needs of a question: plain values, safe to keep across requests."""

    id: int
    label: str
    kind: str
    choices: tuple[str, ...]
    required: bool

    @classmethod
    def of(cls, question: Question) -> QuestionSpec:
        return cls(
            question.id,
            question.label,
            question.kind,
            tuple(question.choices or ()),
            question.required,
        )

    @property
    def field_name(self) -> str:
        return f"q_{self.id}"


# (form class, event id, event.updated_at) -> the event's class; one entry per event and form.
_CLASSES: dict[tuple, type] = {}
_CLASSES_MAX = 1024


def _remember(key: tuple, form_class: type) -> None:
    cls, event_id, _version = key
    for old in [k for k in list(_CLASSES) if k[0] is cls and k[1] == event_id]:
        _CLASSES.pop(old, None)  # the event changed: its older class goes
    if len(_CLASSES) >= _CLASSES_MAX:
        _CLASSES.clear()
    _CLASSES[key] = form_class


@lru_cache(maxsize=256)
def _form_class(base: type, questions: tuple[QuestionSpec, ...]) -> type:
    """Building a form class costs more than a sign-up's queries: one per set of questions."""
    attributes = {"_questions": list(questions)}
    for question in questions:
        attributes[question.field_name] = _question_field(question)
    return type(f"Event{base.__name__}", (base,), attributes)


def _question_field(question: QuestionSpec) -> Field:
    required = InputRequired(message=_l("Cette question demande une réponse."))
    validators = [required] if question.required else [Optional()]
    choices = [SelectChoice(choice, choice) for choice in question.choices or []]
    if question.kind == QuestionKind.SINGLE_CHOICE:
        return SingleChoiceField(question.label, choices=choices, validators=validators)
    if question.kind == QuestionKind.MULTIPLE_CHOICE:
        return ChoicesField(question.label, choices=choices, validators=validators)
    length = Length(max=ANSWER_MAX, message=_l("%(max)d caractères au plus."))
    field_class = TextAreaField if question.kind == QuestionKind.LONG_TEXT else StringField
    return field_class(question.label, filters=[strip], validators=[*validators, length])
