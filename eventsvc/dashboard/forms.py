"""Dashboard forms for registrations (the public form's fields and rules, reused) and imports."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from ..common import csv_reading
from ..common.forms import Form
from ..common.uploads import FileSizeAtMost
from ..registrations.forms import SignupForm
from ..registrations.manage import Identity
from ..registrations.models import Registration

LOCALES = [SelectChoice("fr", "Français"), SelectChoice("en", "English")]


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


def _clock(value) -> str:
    return value.strftime("%H:%M") if value else ""


class UploadForm(Form):
    file = FileField(
        _l("Fichier CSV"),
        validators=[
            FileRequired(message=_l("Choisissez le fichier CSV exporté par votre formulaire.")),
            FileAllowed(
                ["csv", "txt", "tsv"],
                message=_l("Choisissez un fichier .csv (enregistré « CSV » depuis le tableur)."),
            ),
            FileSizeAtMost(csv_reading.SIGNUPS),
        ],
    )
