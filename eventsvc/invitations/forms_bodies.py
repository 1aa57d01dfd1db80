"""Forms of bodies: the body's settings on a contact list, a member's function and term, the
event's body, pouvoirs (reply slip and paper). Members are always chosen from a list, by id."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ..common.forms import Form
from ..registrations.forms import no_control_characters, strip
from .bodies import BodySettings, MemberTerm
from .rules_quorum import QuorumKind


def _id_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class MemberChoiceField(SelectField):
    """A member chosen from a <select>: anything else (typed, stale, crafted) gets the message
    next to the field."""

    def __init__(self, label=None, message=None, **kwargs):
        super().__init__(label, coerce=_id_or_none, validate_choice=False, **kwargs)
        self.message = message or _l("Choisissez un membre dans la liste.")

    def pre_validate(self, form):
        if self.data is None or self.data not in {c.value for c in self.choices or []}:
            raise ValidationError(self.message)


class ChoiceField(RadioField):
    def __init__(self, label=None, **kwargs):
        super().__init__(label, coerce=kwargs.pop("coerce", str), **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None

    def pre_validate(self, form):
        if self.data not in {c.value for c in self.choices}:
            raise ValidationError(_l("Choisissez parmi les réponses proposées."))


class PouvoirForm(Form):
    holder = MemberChoiceField(_l("Je donne pouvoir à"))


class PaperPouvoirForm(Form):
    giver = MemberChoiceField(
        _l("Membre excusé·e qui donne pouvoir"),
        message=_l("Choisissez le membre excusé·e dans la liste."),
    )
    holder = MemberChoiceField(_l("Pouvoir à"))


class RevokePouvoirForm(Form):
    giver = IntegerField(validators=[Optional()])


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class BodyForm(Form):
    is_body = BooleanField(_l("Cette liste est une instance (bureau, conseil, assemblée)"))
    quorum_kind = ChoiceField(
        _l("Quorum"),
        choices=[
            SelectChoice(
                QuorumKind.MAJORITY.value, _l("Plus de la moitié des membres en exercice")
            ),
            SelectChoice(QuorumKind.FIXED.value, _l("Un nombre de membres fixé par les statuts")),
        ],
        default=QuorumKind.MAJORITY.value,
        validators=[InputRequired(message=_l("Choisissez la règle du quorum."))],
    )
    quorum_number = IntegerField(
        _l("Nombre de membres du quorum"),
        validators=[
            Optional(),
            NumberRange(min=1, max=1000, message=_l("Un nombre entre 1 et 1000.")),
        ],
    )
    pouvoirs_count = BooleanField(_l("Les pouvoirs comptent pour le quorum (selon les statuts)"))
    max_pouvoirs = ChoiceField(
        _l("Pouvoirs détenus par un même membre, au plus"),
        choices=[SelectChoice(1, "1"), SelectChoice(2, "2")],
        coerce=int,
        default=1,
        validators=[InputRequired(message=_l("Choisissez 1 ou 2."))],
    )
    notice_days = IntegerField(
        _l("Délai de convocation, en jours francs"),
        default=0,
        validators=[
            InputRequired(message=_l("Indiquez le délai, 0 s'il n'y en a pas.")),
            NumberRange(min=0, max=90, message=_l("Un nombre de jours entre 0 et 90.")),
        ],
    )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Optional() stops the field's chain when empty: the fixed rule needs the number.
        if self.quorum_kind.data == QuorumKind.FIXED and not self.quorum_number.data:
            if not self.quorum_number.errors:
                self.quorum_number.errors = [_l("Indiquez le nombre de membres du quorum.")]
            return False
        return valid

    def to_settings(self) -> BodySettings:
        return BodySettings(
            is_body=bool(self.is_body.data),
            quorum_kind=self.quorum_kind.data,
            quorum_number=self.quorum_number.data,
            pouvoirs_count=bool(self.pouvoirs_count.data),
            max_pouvoirs=self.max_pouvoirs.data,
            notice_days=self.notice_days.data,
        )


class MemberForm(Form):
    function = StringField(
        _l("Fonction dans l'instance"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=200, message=_l("%(max)d caractères au plus.")),
            no_control_characters,
        ],
    )
    in_office = BooleanField(_l("En exercice"))
    office_start = StringField(_l("Début du mandat"), validators=[Optional()])
    office_end = StringField(_l("Fin du mandat"), validators=[Optional()])

    def _check_date(self, field):
        try:
            _date(field.data)
        except ValueError:
            raise ValidationError(_l("Une date au format AAAA-MM-JJ.")) from None

    def validate_office_start(self, field):
        self._check_date(field)

    def validate_office_end(self, field):
        self._check_date(field)
        try:
            start, end = _date(self.office_start.data), _date(field.data)
        except ValueError:  # said next to the start
            return
        if start and end and end < start:
            raise ValidationError(_l("La fin du mandat vient après son début."))

    def to_term(self) -> MemberTerm:
        return MemberTerm(
            function=self.function.data or "",
            in_office=bool(self.in_office.data),
            office_start=_date(self.office_start.data),
            office_end=_date(self.office_end.data),
        )


class MeetingForm(Form):
    body = SelectField(_l("Réunion de l'instance"), coerce=_id_or_none, validate_choice=False)

    def validate_body(self, field):
        if field.data not in {c.value for c in field.choices or []}:
            raise ValidationError(_l("Choisissez une instance dans la liste."))
