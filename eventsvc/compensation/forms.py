"""The participant's declaration of travel and childcare, as form fields.

``DeclarationFields`` is a plain WTForms form used as a ``FormField`` named ``travel``: inside the
sign-up form (one submission) and inside ``DeclarationForm``, the small form of the personal page
(the declaration can change after the event, while attendance no longer can). Field names are
``travel-origin``, ``travel-transport``... The whole section is optional: left empty, nothing is
declared. The parent form must carry the ``event`` (for the distance table lookup).

The section asks only about what the event's scale pays (``rules.paid_costs``): one class per set of
paid costs (:meth:`DeclarationFields.asking`) leaves out the fiscal horsepower when cars are not
paid, the distance when no kilometre is, the childcare questions when childcare is not.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import FormField, RadioField, StringField, TextAreaField, ValidationError
from wtforms.fields.choices import SelectChoice

from ..common.forms import Form, SubForm
from ..common.query_args import bounded_int
from ..common.wording import N_, Message
from . import declarations
from .declarations import DeclarationInput
from .models import TravelDeclaration
from .rules import PaidCosts, TransportMode, paid_costs_sentence

ORIGIN_MAX, NOTE_MAX = 300, 1000
MAX_HORSEPOWER = 60  # the carte grise of an ordinary car says 3 to 15 CV; beyond 60 is a typo
MAX_ROUND_TRIP_KM = Decimal(2000)
HUNDREDTH = Decimal("0.01")  # what the database keeps of km and hours
MIN_CHILDCARE_HOURS, MAX_CHILDCARE_HOURS = Decimal("0.5"), Decimal(24)
MOTOR_MODES = {TransportMode.CAR_DRIVER, TransportMode.MOTORCYCLE, TransportMode.MOPED}

TRANSPORT_LABELS = {
    TransportMode.CAR_DRIVER: _l("En voiture, je conduis"),
    TransportMode.CAR_PASSENGER: _l("En voiture, je suis passager·ère (covoiturage)"),
    TransportMode.MOTORCYCLE: _l("À moto (plus de 125 cm³)"),
    TransportMode.MOPED: _l("En scooter, cyclomoteur ou autre deux-roues à moteur"),
    TransportMode.PUBLIC_TRANSPORT: _l("En transports en commun (bus, car, train)"),
    TransportMode.BIKE_OR_FOOT: _l("À vélo ou à pied"),
    TransportMode.OTHER: _l("Autrement"),
}


def strip(value):
    return value.strip() if isinstance(value, str) else value


def parse_number(text: str) -> Decimal | None:
    """« 46 », « 15,6 », « 15.6 » → Decimal; raises ValueError for anything else."""
    cleaned = "".join(text.split()).replace(",", ".").lower().removesuffix("km").removesuffix("h")
    if not cleaned:
        return None
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(text) from None
    if not number.is_finite():
        raise ValueError(text)
    return number


class DeclarationFields(SubForm):
    origin = StringField(_l("D'où venez-vous ?"), filters=[strip])
    transport = RadioField(
        _l("Comment venez-vous ?"),
        choices=[SelectChoice(mode.value, label) for mode, label in TRANSPORT_LABELS.items()],
        validate_choice=False,
    )
    fiscal_horsepower = StringField(_l("Puissance fiscale de la voiture (CV)"), filters=[strip])
    round_trip_km = StringField(_l("Distance aller-retour, en km"), filters=[strip])
    childcare_needed = RadioField(
        _l("Avez-vous besoin de faire garder un enfant pour venir ?"),
        choices=[SelectChoice("no", _l("Non")), SelectChoice("yes", _l("Oui"))],
        validate_choice=False,
    )
    childcare_hours = StringField(_l("Heures de garde par jour de présence"), filters=[strip])
    note = TextAreaField(_l("Précisions sur vos frais (facultatif)"), filters=[strip])

    _horsepower: int | None = None
    _km: Decimal | None = None
    _hours: Decimal | None = None
    # What the event's scale pays; None when unknown (every travel question, no childcare).
    costs: ClassVar[PaidCosts | None] = None

    @classmethod
    def asking(cls, costs: PaidCosts | None) -> type[DeclarationFields]:
        """This section asking only about the costs paid (one class per set, built once)."""
        return _fields_asking(costs)

    def asks(self, name: str) -> bool:
        return name in self._fields

    @property
    def paid_sentence(self) -> Message:
        """What the organisers pay for, said above the questions."""
        if self.costs is None:
            return N_(
                "Les organisateurs indemnisent certains frais de déplacement, selon leur barème."
            )
        return paid_costs_sentence(self.costs)

    def _data(self, name: str):
        return self[name].data if name in self._fields else None

    @property
    def event(self):
        parent = getattr(self.meta, "_parent_form", None)
        return getattr(parent, "event", None)

    @property
    def filled(self) -> bool:
        """Did the person say anything? An untouched section declares nothing."""
        return bool(
            self.origin.data
            or self.transport.data
            or self._data("fiscal_horsepower")
            or self._data("round_trip_km")
            or self._data("childcare_needed") == "yes"
            or self._data("childcare_hours")
            or self.note.data
        )

    def validate_origin(self, field):
        if field.data and len(field.data) > ORIGIN_MAX:
            raise ValidationError(
                _l("%(max)d caractères au plus : indiquez la commune ou l'adresse.", max=ORIGIN_MAX)
            )

    def validate_transport(self, field):
        if field.data and field.data not in {mode.value for mode in TransportMode}:
            raise ValidationError(_l("Choisissez parmi les réponses proposées."))
        if not field.data and self.filled:
            raise ValidationError(
                _l("Dites comment vous venez, pour que nous calculions vos frais.")
            )

    def validate_fiscal_horsepower(self, field):
        self._horsepower = None
        if self.transport.data != TransportMode.CAR_DRIVER:
            return
        if not field.data:
            raise ValidationError(
                _l(
                    "Indiquez la puissance fiscale de la voiture : le nombre de chevaux (CV) "
                    "écrit sur la carte grise, case P.6."
                )
            )
        horsepower = bounded_int(field.data, minimum=1, maximum=MAX_HORSEPOWER)
        if horsepower is None:
            raise ValidationError(
                _l(
                    "Écrivez un nombre entier de chevaux fiscaux entre 1 et %(max)d, par "
                    "exemple 5 (case P.6 de la carte grise).",
                    max=MAX_HORSEPOWER,
                )
            )
        self._horsepower = horsepower

    def validate_round_trip_km(self, field):
        self._km = None
        try:
            km = parse_number(field.data or "")
        except ValueError:
            raise ValidationError(
                _l("Écrivez la distance en km avec des chiffres, par exemple 46 ou 15,6.")
            ) from None
        if km is not None and km < 0:
            raise ValidationError(_l("Une distance ne peut pas être négative : corrigez-la."))
        if km is not None and km > MAX_ROUND_TRIP_KM:
            raise ValidationError(
                _l(
                    "Plus de 2 000 km aller-retour : vérifiez la distance (un aller-retour, "
                    "en km, pas en mètres)."
                )
            )
        if km is None and self.transport.data in MOTOR_MODES:
            event = self.event
            known = event is not None and declarations.distance_for(event, self.origin.data or "")
            if not self.origin.data:
                raise ValidationError(
                    _l(
                        "Indiquez d'où vous venez, ou la distance aller-retour en km, pour le "
                        "calcul de l'indemnité kilométrique."
                    )
                )
            if not known:
                raise ValidationError(
                    _l(
                        "« %(origin)s » ne figure pas dans notre tableau des distances : "
                        "indiquez la distance aller-retour en km (elle sera vérifiée).",
                        origin=self.origin.data,
                    )
                )
        self._km = None if km is None else km.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)

    def validate_childcare_hours(self, field):
        self._hours = None
        try:
            hours = parse_number(field.data or "")
        except ValueError:
            raise ValidationError(
                _l("Écrivez un nombre d'heures avec des chiffres, par exemple 3 ou 2,5.")
            ) from None
        if self._data("childcare_needed") != "yes":
            return
        if hours is None:
            raise ValidationError(_l("Indiquez combien d'heures de garde il vous faut par jour."))
        if hours < MIN_CHILDCARE_HOURS or hours > MAX_CHILDCARE_HOURS:
            raise ValidationError(
                _l("Indiquez un nombre d'heures entre 0,5 et 24 par jour de présence.")
            )
        self._hours = hours.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)

    def validate_note(self, field):
        if field.data and len(field.data) > NOTE_MAX:
            raise ValidationError(
                _l(
                    "Vos précisions font %(length)d caractères : raccourcissez-les à %(limit)d "
                    "caractères au plus.",
                    length=len(field.data),
                    limit=NOTE_MAX,
                )
            )

    def to_input(self) -> DeclarationInput:
        """Call after a successful validation. An empty section gives an empty input."""
        if not self.filled:
            return DeclarationInput.nothing()
        needed = self._data("childcare_needed") == "yes"
        return DeclarationInput(
            origin=self.origin.data or "",
            transport=TransportMode(self.transport.data),
            fiscal_horsepower=self._horsepower,
            round_trip_km=self._km,
            childcare_needed=needed,
            childcare_hours=self._hours if needed else None,
            note=self.note.data or "",
        )

    @staticmethod
    def initial_values(declaration: TravelDeclaration | None) -> dict:
        if declaration is None:
            return {}
        return {
            "origin": declaration.origin,
            "transport": declaration.transport,
            "fiscal_horsepower": str(declaration.fiscal_horsepower or ""),
            "round_trip_km": _number(declaration.round_trip_km),
            "childcare_needed": "yes" if declaration.childcare_needed else "no",
            "childcare_hours": _number(declaration.childcare_hours),
            "note": declaration.note,
        }


@lru_cache(maxsize=64)
def _fields_asking(costs: PaidCosts | None) -> type[DeclarationFields]:
    left_out: dict[str, None] = {}  # a field set to None in a subclass is no field of it
    if costs is not None and not costs.car:
        left_out["fiscal_horsepower"] = None
    if costs is not None and not costs.distance:
        left_out["round_trip_km"] = None
    if costs is None or not costs.childcare:
        left_out["childcare_needed"] = left_out["childcare_hours"] = None
    return type("AskedDeclarationFields", (DeclarationFields,), {**left_out, "costs": costs})


def declaration_field(costs: PaidCosts | None = None) -> FormField:
    return FormField(
        DeclarationFields.asking(costs), label=_l("Frais de déplacement et de garde d'enfants")
    )


class DeclarationForm(Form):
    """The declaration alone: the personal page's form, usable after the event."""

    travel = declaration_field()
    event = None

    @classmethod
    def for_registration(cls, registration, **kwargs) -> DeclarationForm:
        event = registration.event
        form = _declaration_form(declarations.paid_costs_of(event))(**kwargs)
        form.event = event
        return form

    @classmethod
    def with_values_of(cls, registration) -> DeclarationForm:
        declaration = declarations.declaration_of(registration)
        return cls.for_registration(
            registration,
            formdata=None,  # not the request's: this page may be answering another form's POST
            data={"travel": DeclarationFields.initial_values(declaration)},
        )


@lru_cache(maxsize=64)
def _declaration_form(costs: PaidCosts | None) -> type[DeclarationForm]:
    return type("AskedDeclarationForm", (DeclarationForm,), {"travel": declaration_field(costs)})


def _number(value: Decimal | None) -> str:
    if value is None:
        return ""
    return format(value.normalize(), "f").replace(".", ",")
