"""The scales shipped as data (``scales.toml`` beside this module), read into ``Scale`` versions.

Rates are data, not code: a new version of a scale is a new ``[[scale]]`` entry with its legal
reference and the date from which it applies. The file is checked strictly when read (unknown keys,
missing rates, duplicate ids) so that a typo fails loudly instead of paying a wrong amount.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from importlib.resources import files

from ..common.wording import N_
from .rules import (
    ChildcareRate,
    CompensationError,
    HorsepowerBand,
    PaymentForm,
    PublicTransport,
    Scale,
    TimeBasis,
    TimeCompensation,
    scale_in_force,
)

PRESETS_FILE = "scales.toml"

_SCALE_KEYS = {
    "id",
    "family",
    "name",
    "valid_from",
    "reference",
    "not_defined",
    "car",
    "two_wheelers",
    "meal",
    "childcare",
    "time",
    "public_transport",
}


class UnknownScale(CompensationError):
    pass


class InvalidScaleData(ValueError):
    """The scales file is wrong; the message says which scale and which key."""


@cache
def load_presets() -> tuple[Scale, ...]:
    """Every version shipped with eventsvc, read once."""
    return parse_scales(files(__package__).joinpath(PRESETS_FILE).read_text(encoding="utf-8"))


def parse_scales(text: str) -> tuple[Scale, ...]:
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as error:
        raise InvalidScaleData(f"scales file: {error}") from error
    scales = tuple(_scale(entry) for entry in data.get("scale", []))
    seen: set[str] = set()
    for scale in scales:
        if scale.id in seen:
            raise InvalidScaleData(f"scale {scale.id!r} is defined twice")
        seen.add(scale.id)
    families = {scale.family for scale in scales}
    if clash := seen & families:
        raise InvalidScaleData(f"{sorted(clash)} used both as a scale id and as a family")
    return scales


def find_scale(scale_id: str, scales: Iterable[Scale] | None = None) -> Scale:
    """A version by its exact id (``fp-2022``), as recorded on a claim."""
    scales = load_presets() if scales is None else tuple(scales)
    for scale in scales:
        if scale.id == scale_id:
            return scale
    raise _unknown(scale_id, scales)


def versions_of(family: str, scales: Iterable[Scale] | None = None) -> tuple[Scale, ...]:
    scales = load_presets() if scales is None else tuple(scales)
    return tuple(sorted((s for s in scales if s.family == family), key=lambda s: s.valid_from))


def resolve(name: str, on: date, scales: Iterable[Scale] | None = None) -> Scale:
    """The version in force on ``on`` of the scale named by a family (``fp``) or a version id.

    A version id stands for its whole scale: ``fp-2022`` on a date after ``fp-2023`` took over gives
    ``fp-2023``, because the scale in force on the event's date applies.
    """
    scales = load_presets() if scales is None else tuple(scales)
    family = next((s.family for s in scales if s.id == name), name)
    versions = versions_of(family, scales)
    if not versions:
        raise _unknown(name, scales)
    return scale_in_force(versions, on)


def _unknown(name: str, scales: tuple[Scale, ...]) -> UnknownScale:
    known = sorted({s.family for s in scales} | {s.id for s in scales})
    return UnknownScale(
        N_(
            "Barème inconnu : « %(scale)s ». Barèmes disponibles : %(known)s.",
            scale=name,
            known=", ".join(known),
        )
    )


def _scale(entry: dict) -> Scale:
    where = f"scale {entry.get('id', '?')!r}"
    unknown = set(entry) - _SCALE_KEYS
    if unknown:
        raise InvalidScaleData(f"{where}: unknown keys {sorted(unknown)}")
    for key in ("id", "family", "name", "reference"):
        if not isinstance(entry.get(key), str) or not entry[key].strip():
            raise InvalidScaleData(f"{where}: {key!r} is required (text)")
    valid_from = entry.get("valid_from")
    if not isinstance(valid_from, date) or isinstance(valid_from, datetime):
        raise InvalidScaleData(f"{where}: 'valid_from' must be a date such as 2022-01-01")
    car = _table(entry, "car", where, {band.value for band in HorsepowerBand})
    car_rates = {}
    for band, rates in car.items():
        if not isinstance(rates, list) or len(rates) != 3:
            raise InvalidScaleData(f"{where}: car.{band} needs three rates (€/km, one per band)")
        car_rates[HorsepowerBand(band)] = tuple(_rate(r, f"{where}: car.{band}") for r in rates)
    two_wheelers = _table(entry, "two_wheelers", where, {"motorcycle", "moped"})
    meal = _table(entry, "meal", where, {"rate"}, required={"rate"})
    childcare = _table(
        entry, "childcare", where, {"hourly_rate", "max_hours_per_day"}, required={"hourly_rate"}
    )
    time = _table(
        entry, "time", where, {"basis", "rate", "payment_form"}, required={"basis", "rate"}
    )
    transport = _table(entry, "public_transport", where, {"cap_per_day"})
    try:
        time_rule = (
            TimeCompensation(
                basis=TimeBasis(time["basis"]),
                rate=_rate(time["rate"], f"{where}: time.rate"),
                payment_form=PaymentForm(time.get("payment_form", PaymentForm.BANK_TRANSFER)),
            )
            if "time" in entry
            else None
        )
    except ValueError as error:
        raise InvalidScaleData(f"{where}: time: {error}") from error
    return Scale(
        id=entry["id"],
        family=entry["family"],
        name=entry["name"],
        valid_from=valid_from,
        reference=" ".join(entry["reference"].split()),
        car_rates=car_rates,
        motorcycle_rate=_optional_rate(two_wheelers, "motorcycle", where),
        moped_rate=_optional_rate(two_wheelers, "moped", where),
        meal_rate=_rate(meal["rate"], f"{where}: meal.rate") if "meal" in entry else None,
        childcare=(
            ChildcareRate(
                hourly_rate=_rate(childcare["hourly_rate"], f"{where}: childcare.hourly_rate"),
                max_hours_per_day=_optional_rate(childcare, "max_hours_per_day", where),
            )
            if "childcare" in entry
            else None
        ),
        time=time_rule,
        public_transport=(
            PublicTransport(cap_per_day=_optional_rate(transport, "cap_per_day", where))
            if "public_transport" in entry
            else None
        ),
        not_defined=tuple(entry.get("not_defined", ())),
    )


def _table(entry: dict, key: str, where: str, allowed: set[str], required=frozenset()) -> dict:
    table = entry.get(key, {})
    if not isinstance(table, dict):
        raise InvalidScaleData(f"{where}: {key!r} must be a table")
    if unknown := set(table) - allowed:
        raise InvalidScaleData(f"{where}: unknown keys in {key!r}: {sorted(unknown)}")
    if key in entry and (missing := set(required) - set(table)):
        raise InvalidScaleData(f"{where}: {key!r} needs {sorted(missing)}")
    return table


def _optional_rate(table: dict, key: str, where: str) -> Decimal | None:
    return _rate(table[key], f"{where}: {key}") if key in table else None


def _rate(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise InvalidScaleData(f"{where}: {value!r} is not a number")
    value = Decimal(value)
    if not value.is_finite() or value < 0:
        raise InvalidScaleData(f"{where}: {value} must be a positive number")
    return value
