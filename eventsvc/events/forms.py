"""The organiser's forms for events and co-organisers, and the field parsers they share with
the forms of parts and questions (``forms_parts``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from ..common.forms import Form
from ..common.query_args import ID_MAX, bounded_int
from ..common.validation import RuleError, check_email, parse_time
from .models import Event
from .operations import SLUG_MAX, SLUG_PATTERN, EventData

# The zones of metropolitan and overseas France, then a few neighbours.
TIMEZONES = [
    SelectChoice("Europe/Paris", _l("France métropolitaine (Europe/Paris)")),
    SelectChoice("America/Guadeloupe", _l("Guadeloupe, Saint-Martin, Saint-Barthélemy")),
    SelectChoice("America/Martinique", _l("Martinique")),
    SelectChoice("America/Cayenne", _l("Guyane")),
    SelectChoice("Indian/Reunion", _l("La Réunion")),
    SelectChoice("Indian/Mayotte", _l("Mayotte")),
    SelectChoice("America/Miquelon", _l("Saint-Pierre-et-Miquelon")),
    SelectChoice("Pacific/Noumea", _l("Nouvelle-Calédonie")),
    SelectChoice("Pacific/Tahiti", _l("Polynésie française (Tahiti)")),
    SelectChoice("Pacific/Wallis", _l("Wallis-et-Futuna")),
    SelectChoice("Europe/Brussels", _l("Belgique")),
    SelectChoice("Europe/Luxembourg", _l("Luxembourg")),
    SelectChoice("Europe/Zurich", _l("Suisse")),
    SelectChoice("America/Montreal", _l("Québec")),
]
TIME_HINT = _l("Format HH:MM, par exemple 09:30.")
TOO_LONG = _l("%(max)d caractères au plus.")
# The organiser's text added to the confirmation or the invitation: a few paragraphs.
EMAIL_TEXT_MAX = 4000
EMAIL_TEXT_TOO_LONG = _l(
    "%(max)d caractères au plus : gardez l'essentiel, et mettez le reste sur la page de "
    "l'événement (présentation)."
)


def strip(value):
    return value.strip() if isinstance(value, str) else value


# Where the compensation scales come from. The compensation domain (above events) knows them;
# the wiring (``create_app``) hands its ``catalogue.available_scales`` to :func:`use_scales`, so
# that neither this form nor the organiser pages import compensation.
_available_scales: Callable[[], Iterable] | None = None


def use_scales(available: Callable[[], Iterable]) -> None:
    """At wiring time: the function listing the scales an instance can use (each with
    ``family``, ``name`` and ``valid_from``), called whenever an event form is built."""
    global _available_scales
    _available_scales = available


def scale_choices() -> list[SelectChoice]:
    """The scale families this instance can use (shipped and the organisation's own), each named
    after its latest version."""
    if _available_scales is None:  # a programming error: the form would offer no scale
        raise RuntimeError("events.forms: no compensation scales wired (use_scales)")
    latest = {}
    for scale in sorted(_available_scales(), key=lambda s: s.valid_from):
        latest[scale.family] = scale
    return [
        SelectChoice(family, f"{scale.name} ({family})") for family, scale in sorted(latest.items())
    ]


def parse_positive_int(value: str | None) -> int | None:
    if value is None or not str(value).strip():
        return None
    # Bounded by the column: a larger number would overflow PostgreSQL's INTEGER (a 500).
    number = bounded_int(str(value).strip(), minimum=1, maximum=ID_MAX)
    if number is None:
        raise ValidationError(
            _l("Indiquez un nombre entier de places (1 ou plus), ou laissez vide : sans limite.")
        )
    return number


# The participants' reminder (eventsvc.reminders): from one hour to two weeks before, or none.
REMINDER_DEFAULT_HOURS = 24
REMINDER_HOURS_MAX = 336
REMINDER_TEXT_MAX = 5000


def parse_reminder_hours(value: str | None) -> int | None:
    if value is None or not str(value).strip():
        return None
    number = bounded_int(str(value).strip(), minimum=1, maximum=REMINDER_HOURS_MAX)
    if number is None:
        raise ValidationError(
            _l(
                "Indiquez un nombre entier d'heures entre 1 et %(max)d (deux semaines), par "
                "exemple 24 pour la veille ; ou laissez vide : pas de rappel.",
                max=REMINDER_HOURS_MAX,
            )
        )
    return number


def parse_sign_minutes(value: str | None) -> int:
    """Own-phone signing's margin around a part: 0 to 720 minutes (twelve hours), 30 if empty."""
    if value is None or not str(value).strip():
        return 30
    number = bounded_int(str(value).strip(), minimum=0, maximum=720)
    if number is None:
        raise ValidationError(
            _l("Indiquez un nombre entier de minutes entre 0 et %(max)d.", max=720)
        )
    return number


def parse_day(value: str | None) -> date | None:
    if value is None or not str(value).strip():
        return None
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ValidationError(
            _l("Indiquez une date au format AAAA-MM-JJ, par exemple 2026-03-14.")
        ) from None


def parse_clock(value: str | None):
    try:
        return parse_time(value or "")
    except RuleError as error:
        raise ValidationError(error.message) from None


def title_field() -> StringField:
    """The event's title: the same field on the event form and on the duplicate form."""
    return StringField(
        _l("Titre"),
        filters=[strip],
        validators=[
            DataRequired(message=_l("Donnez un titre à l'événement.")),
            Length(max=200, message=TOO_LONG),
        ],
    )


class EventForm(Form):
    title = title_field()
    slug = StringField(_l("Adresse de la page (/e/…)"), filters=[strip])
    description = TextAreaField(_l("Présentation"), filters=[strip])
    venue_name = StringField(
        _l("Lieu"), filters=[strip], validators=[Length(max=200, message=TOO_LONG)]
    )
    venue_address = StringField(
        _l("Adresse"), filters=[strip], validators=[Length(max=300, message=TOO_LONG)]
    )
    venue_commune = StringField(
        _l("Commune"), filters=[strip], validators=[Length(max=120, message=TOO_LONG)]
    )
    timezone = SelectField(_l("Fuseau horaire"), choices=TIMEZONES, default="Europe/Paris")
    capacity = StringField(_l("Nombre de places (facultatif)"), filters=[strip])
    registration_opens_on = StringField(_l("Ouverture des inscriptions : date"), filters=[strip])
    registration_opens_time = StringField(_l("Ouverture des inscriptions : heure"))
    registration_closes_on = StringField(_l("Clôture des inscriptions : date"), filters=[strip])
    registration_closes_time = StringField(_l("Clôture des inscriptions : heure"))
    # The person who organises is also who signs the certificates of attendance (« Je
    # soussigné·e <name>, <role>, atteste que… »): no certificate is produced without a name.
    organiser_name = StringField(
        _l("Organisé par : signataire des attestations (prénom et nom)"),
        filters=[strip],
        validators=[Length(max=200, message=TOO_LONG)],
    )
    organiser_role = StringField(
        _l("Fonction du ou de la signataire"),
        filters=[strip],
        validators=[Length(max=200, message=TOO_LONG)],
    )
    organiser_email = StringField(_l("Adresse de contact"), filters=[strip])
    lunch_provided = BooleanField(_l("Le déjeuner est fourni"))
    compensation_offered = BooleanField(_l("Indemniser les participants (frais de déplacement…)"))
    compensation_scale = SelectField(_l("Barème"), choices=[], validate_choice=False)
    checkin_opens_evening_before = BooleanField(_l("Ouvrir l'accueil la veille au soir (18 h)"))
    signature_mode = RadioField(
        _l("Émargement à l'accueil"),
        choices=[
            SelectChoice("none", _l("Pointage simple (pas de signature)")),
            SelectChoice("participants", _l("Signature des participants sur l'écran")),
            SelectChoice(
                "participants_and_trainers",
                _l("Signature des participants et contre-signature de l'intervenant·e"),
            ),
        ],
        default="none",
    )
    sign_minutes_before = StringField(
        _l("Signature sur son téléphone : ouverte (minutes avant chaque partie)"),
        filters=[strip], validators=[lambda _form, field: parse_sign_minutes(field.data)],
        default="30",
    )  # fmt: skip
    sign_minutes_after = StringField(
        _l("Signature sur son téléphone : fermée (minutes après chaque partie)"),
        filters=[strip], validators=[lambda _form, field: parse_sign_minutes(field.data)],
        default="30",
    )  # fmt: skip
    reminder_hours_before = StringField(
        _l("Rappel aux participants : heures avant leur première partie"),
        filters=[strip],
        default=str(REMINDER_DEFAULT_HOURS),
    )
    reminder_text = TextAreaField(
        _l("Texte de l'organisateur pour le rappel (facultatif)"),
        filters=[strip],
        validators=[Length(max=REMINDER_TEXT_MAX, message=TOO_LONG)],
    )
    embed_opens_new_tab = BooleanField(
        _l("Formulaire intégré à un autre site : ouvrir la confirmation dans un nouvel onglet")
    )
    confirmation_text = TextAreaField(
        _l("Texte ajouté à l'email de confirmation"),
        filters=[strip],
        validators=[Length(max=EMAIL_TEXT_MAX, message=EMAIL_TEXT_TOO_LONG)],
    )
    invitation_text = TextAreaField(
        _l("Texte ajouté à l'invitation"),
        filters=[strip],
        validators=[Length(max=EMAIL_TEXT_MAX, message=EMAIL_TEXT_TOO_LONG)],
    )
    # Set by the confirmation page when the change moves an event people signed up to.
    confirmed = HiddenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.compensation_scale.choices = [SelectChoice("", _l("— Choisir —")), *scale_choices()]

    def validate_compensation_scale(self, field):
        if field.data and field.data not in {c.value for c in scale_choices()}:
            raise ValidationError(_l("Choisissez un barème dans la liste."))
        if self.compensation_offered.data and not field.data:
            raise ValidationError(_l("Choisissez le barème qui servira à calculer les indemnités."))

    def validate_slug(self, field):
        if not field.data:
            return
        if len(field.data) > SLUG_MAX or not SLUG_PATTERN.match(field.data):
            raise ValidationError(
                _l(
                    "Utilisez des lettres minuscules sans accent, des chiffres et des tirets, "
                    "par exemple atelier-mobilite-2026."
                )
            )

    def validate_timezone(self, field):
        try:
            ZoneInfo(field.data)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(_l("Choisissez un fuseau horaire dans la liste.")) from None

    def validate_capacity(self, field):
        parse_positive_int(field.data)

    def validate_reminder_hours_before(self, field):
        parse_reminder_hours(field.data)

    def validate_organiser_email(self, field):
        if field.data:
            try:
                check_email(field.data)
            except RuleError as error:
                raise ValidationError(error.message) from None

    def validate_registration_opens_on(self, field):
        parse_day(field.data)

    def validate_registration_closes_on(self, field):
        parse_day(field.data)

    def validate_registration_opens_time(self, field):
        parse_clock(field.data)

    def validate_registration_closes_time(self, field):
        parse_clock(field.data)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if valid:
            opens, closes = self._window()
            if opens and closes and closes <= opens:
                self.registration_closes_on.errors.append(
                    _l("La clôture doit venir après l'ouverture des inscriptions.")
                )
                return False
        return valid

    def _moment(self, day_field, time_field, default_clock) -> datetime | None:
        day = parse_day(day_field.data)
        if day is None:
            return None
        clock = parse_clock(time_field.data) or default_clock
        return datetime.combine(day, clock, ZoneInfo(self.timezone.data))

    def _window(self):
        from datetime import time

        return (
            self._moment(self.registration_opens_on, self.registration_opens_time, time(0, 0)),
            self._moment(self.registration_closes_on, self.registration_closes_time, time(23, 59)),
        )

    def fill_from(self, event: Event) -> None:
        """Show an event's values (GET)."""
        data = EventData.of(event)
        for name in (
            "title",
            "slug",
            "description",
            "venue_name",
            "venue_address",
            "venue_commune",
            "timezone",
            "organiser_name",
            "organiser_role",
            "organiser_email",
            "lunch_provided",
            "compensation_offered",
            "compensation_scale",
            "checkin_opens_evening_before",
            "signature_mode",
            "embed_opens_new_tab",
        ):
            self[name].data = getattr(data, name)
        self.confirmation_text.data = event.confirmation_text or ""
        self.invitation_text.data = event.invitation_text or ""
        self.capacity.data = str(event.capacity) if event.capacity else ""
        hours = event.reminder_hours_before
        self.reminder_hours_before.data = str(hours) if hours else ""
        self.reminder_text.data = event.reminder_text or ""
        self.sign_minutes_before.data = str(event.sign_minutes_before)
        self.sign_minutes_after.data = str(event.sign_minutes_after)
        for prefix, moment in (
            ("registration_opens", event.registration_opens_at),
            ("registration_closes", event.registration_closes_at),
        ):
            local = moment.astimezone(event.zone) if moment else None
            self[f"{prefix}_on"].data = local.date().isoformat() if local else ""
            self[f"{prefix}_time"].data = local.strftime("%H:%M") if local else ""

    def to_data(self, slug: str) -> EventData:
        opens, closes = self._window()
        email = self.organiser_email.data
        return EventData(
            title=self.title.data,
            slug=slug,
            description=self.description.data or "",
            venue_name=self.venue_name.data or "",
            venue_address=self.venue_address.data or "",
            venue_commune=self.venue_commune.data or "",
            timezone=self.timezone.data,
            capacity=parse_positive_int(self.capacity.data),
            registration_opens_at=opens,
            registration_closes_at=closes,
            organiser_name=self.organiser_name.data or "",
            organiser_role=self.organiser_role.data or "",
            organiser_email=check_email(email).normalised if email else "",
            lunch_provided=bool(self.lunch_provided.data),
            compensation_offered=bool(self.compensation_offered.data),
            compensation_scale=self.compensation_scale.data or "",
            checkin_opens_evening_before=bool(self.checkin_opens_evening_before.data),
            signature_mode=self.signature_mode.data or "none",
            sign_minutes_before=parse_sign_minutes(self.sign_minutes_before.data),
            sign_minutes_after=parse_sign_minutes(self.sign_minutes_after.data),
            reminder_hours_before=parse_reminder_hours(self.reminder_hours_before.data),
            reminder_text=self.reminder_text.data or None,
            embed_opens_new_tab=bool(self.embed_opens_new_tab.data),
            confirmation_text=self.confirmation_text.data or None,
            invitation_text=self.invitation_text.data or None,
        )


class StartEndChecks:
    """``start`` and ``end`` fields (HH:MM) of a day: both given, the end after the start."""

    def validate_start(self, field):
        if parse_clock(field.data) is None:
            raise ValidationError(_l("Indiquez l'heure de début."))

    def validate_end(self, field):
        end = parse_clock(field.data)
        if end is None:
            raise ValidationError(_l("Indiquez l'heure de fin."))
        start = _quiet_clock(self.start.data)
        if start and end <= start:
            raise ValidationError(_l("L'heure de fin doit suivre l'heure de début."))


class NewEventForm(StartEndChecks, EventForm):
    day = StringField(_l("Date"), filters=[strip])
    start = StringField(_l("Début"), filters=[strip], default="09:30")
    end = StringField(_l("Fin"), filters=[strip], default="17:00")
    split = BooleanField(_l("Une partie le matin et une l'après-midi"), default=True)
    lunch_start = StringField(_l("Début de la pause déjeuner"), filters=[strip], default="12:30")
    lunch_end = StringField(_l("Fin de la pause déjeuner"), filters=[strip], default="14:00")

    def validate_day(self, field):
        if parse_day(field.data) is None:
            raise ValidationError(_l("Indiquez la date de l'événement."))

    def validate_lunch_start(self, field):
        if self.split.data:
            self._lunch_within(field)

    def validate_lunch_end(self, field):
        if not self.split.data:
            return
        self._lunch_within(field)
        lunch_start = _quiet_clock(self.lunch_start.data)
        lunch_end = _quiet_clock(field.data)
        if lunch_start and lunch_end and lunch_end <= lunch_start:
            raise ValidationError(_l("La pause doit finir après avoir commencé."))

    def _lunch_within(self, field):
        clock = parse_clock(field.data)
        start, end = _quiet_clock(self.start.data), _quiet_clock(self.end.data)
        if clock is None:
            raise ValidationError(_l("Indiquez l'heure, ou décochez le découpage en deux parties."))
        if start and end and not start < clock < end:
            raise ValidationError(_l("La pause doit tomber entre le début et la fin."))

    def schedule(self):
        day = parse_day(self.day.data)
        start, end = parse_clock(self.start.data), parse_clock(self.end.data)
        lunch = None
        if self.split.data:
            lunch = (parse_clock(self.lunch_start.data), parse_clock(self.lunch_end.data))
        return day, start, end, lunch


def _quiet_clock(value):
    try:
        return parse_time(value or "")
    except RuleError:
        return None


class DuplicateForm(Form):
    title = title_field()
    slug = StringField(_l("Adresse de la page (/e/…)"), filters=[strip])
    first_day = StringField(_l("Nouvelle date (premier jour)"), filters=[strip])

    validate_slug = EventForm.validate_slug

    def validate_first_day(self, field):
        if parse_day(field.data) is None:
            raise ValidationError(_l("Indiquez la nouvelle date."))


class OrganiserForm(Form):
    email = StringField(
        _l("Adresse du compte à ajouter"),
        filters=[strip],
        validators=[DataRequired(message=_l("Indiquez l'adresse du compte organisateur."))],
    )


class ConfirmForm(Form):
    """A button behind a confirmation step (cancel an event, a registration)."""


class StatusForm(Form):
    status = HiddenField(validators=[Optional()])
