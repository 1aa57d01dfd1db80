"""``compensation scales`` and ``compensation quote``: list the scales, and the simulator
organisers use when a participant asks « combien vais-je toucher ? ». It calls the same pure rules
as the claims. ``compensation event``: an event's compensation settings.

Output is written for an organiser, in the default language (French); ``--format json`` prints one
JSON object with amounts as strings with two decimals. Refusals (unknown scale, date before any
version, a band the scale does not define) print « Erreur : ... » and exit with status 1.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from ..audit import service as audit
from ..common.wording import amount_text, date_text, number_text, rate_text
from ..database import begin_write
from ..events import operations as event_operations
from ..events.operations import EventData
from ..extensions import db
from . import catalogue
from . import cli_common as common
from .catalogue import available_scales, resolve
from .cli_common import CompensationCliError, DecimalParam
from .presets import versions_of
from .rules import Claim, CompensationError, Scale, quote


@click.command("scales")
@with_appcontext
def scales_command() -> None:
    """List the scales: id, name, valid from, legal reference."""
    locale = common.locale()
    click.echo(
        _(
            "Pour --scale, donnez un barème (ex. fp) ou une de ses versions (ex. fp-2022) : la "
            "version en vigueur à la date choisie s'applique."
        )
    )
    for scale in sorted(available_scales(), key=lambda s: (s.family, s.valid_from)):
        click.echo("")
        click.echo(
            _(
                "%(id)s (barème %(family)s) : %(name)s, en vigueur à partir du %(valid_from)s",
                id=scale.id,
                family=scale.family,
                name=scale.name,
                valid_from=date_text(scale.valid_from, locale),
            )
        )
        click.echo("  " + _("Référence : %(reference)s", reference=scale.reference))
        if scale.not_defined:
            click.echo("  " + _("Ne définit pas : %(items)s", items=", ".join(scale.not_defined)))


@click.command("quote")
@with_appcontext
@click.option("--scale", "scale_name", required=True, help="Scale (fp) or version (fp-2022).")
@click.option(
    "--date",
    "on",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Date of the event, YYYY-MM-DD: the scale version in force that day applies.",
)
@click.option("--cv", required=True, type=click.IntRange(min=1), help="Fiscal horsepower (CV).")
@click.option("--km", required=True, type=DecimalParam(), help="Round-trip distance in km.")
@click.option(
    "--km-this-year",
    required=True,
    type=DecimalParam(),
    help="Car km this organisation already reimbursed to the person since 1 January.",
)
@click.option("--meals", default=0, type=click.IntRange(min=0), help="Meals to pay.")
@click.option(
    "--childcare-hours", default="0", type=DecimalParam(), help="Hours of childcare (one day)."
)
@click.option(
    "--format", "output", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def quote_command(scale_name, on, cv, km, km_this_year, meals, childcare_hours, output) -> None:
    """What a driver would be paid for one day: mileage, meals, childcare."""
    on = on.date()
    try:
        scale = resolve(scale_name, on)
        claim = quote(scale, cv, km, km_this_year, meals=meals, childcare_hours=childcare_hours)
    except CompensationError as error:
        raise CompensationCliError(common.text(error.message)) from None
    if output == "json":
        click.echo(json.dumps(_as_json(scale, claim), ensure_ascii=False))
    else:
        _print_text(scale_name, on, scale, claim)


def _as_json(scale: Scale, claim: Claim) -> dict:
    return {
        "scale": {
            "id": scale.id,
            "name": scale.name,
            "valid_from": scale.valid_from.isoformat(),
            "reference": scale.reference,
        },
        "lines": [
            {
                "kind": str(line.kind),
                "description": common.text(line.description),
                "quantity": _plain(line.quantity),
                "unit": str(line.unit),
                "rate": _plain(line.rate, cents=True),
                "amount": f"{line.amount:.2f}",
            }
            for line in claim.lines
        ],
        "total": f"{claim.total:.2f}",
    }


def _plain(value: Decimal, cents: bool = False) -> str:
    """50, 31.2; with ``cents`` at least two decimals: 0.41, 20.00, 0.502. Never an exponent."""
    text = format(value.normalize(), "f")
    decimals = len(text.partition(".")[2])
    return f"{value:.2f}" if cents and decimals < 2 else text


def _print_text(asked: str, on: date, scale: Scale, claim: Claim) -> None:
    locale = common.locale()
    click.echo(
        _(
            "Barème %(id)s : %(name)s, en vigueur à partir du %(valid_from)s.",
            id=scale.id,
            name=scale.name,
            valid_from=date_text(scale.valid_from, locale),
        )
    )
    click.echo(_("Référence : %(reference)s", reference=scale.reference))
    if asked not in {scale.id, scale.family}:
        click.echo(
            _(
                "Le %(day)s, c'est la version %(id)s qui s'applique, et non %(asked)s.",
                day=date_text(on, locale),
                id=scale.id,
                asked=asked,
            )
        )
    elif asked == scale.family and len(versions_of(scale.family, available_scales())) > 1:
        day = date_text(on, locale)
        click.echo(_("Version en vigueur le %(day)s : %(id)s.", day=day, id=scale.id))
    click.echo("")
    if not claim.lines:
        click.echo(_("Rien à verser."))
    for line in claim.lines:
        click.echo(
            _(
                "%(description)s : %(quantity)s %(unit)s × %(rate)s = %(amount)s",
                description=common.text(line.description),
                quantity=number_text(line.quantity, locale),
                unit=common.text(line.unit.label),
                rate=rate_text(line.rate, locale),
                amount=amount_text(line.amount, locale),
            )
        )
    click.echo(_("Total : %(total)s", total=amount_text(claim.total, locale)))


@click.command("event")
@with_appcontext
@click.argument("slug")
@click.option("--offer/--no-offer", default=None, help="Offer compensation at this event or not.")
@click.option("--scale", "scale", help="Scale family (fp, cd88...): see `compensation scales`.")
@click.option("--lunch-provided/--no-lunch-provided", default=None, help="Is lunch provided?")
def event_command(slug, offer, scale, lunch_provided) -> None:
    """Show or change an event's compensation settings."""
    begin_write(db.session)
    event = common.event(slug)
    settings = EventData.of(event)
    if scale is not None:
        scales = catalogue.available_scales()
        family = next((s.family for s in scales if s.id == scale), scale)
        if family not in catalogue.families():
            db.session.rollback()
            known = ", ".join(catalogue.families())
            raise CompensationCliError(
                _(
                    "Barème inconnu : « %(scale)s ». Barèmes disponibles : %(known)s.",
                    scale=scale,
                    known=known,
                )
            )
        settings.compensation_scale = family
    if offer is not None:
        settings.compensation_offered = offer
    if lunch_provided is not None:
        settings.lunch_provided = lunch_provided
    if settings.compensation_offered and not settings.compensation_scale:
        db.session.rollback()
        raise CompensationCliError(_("Choisissez aussi le barème, par exemple --scale fp."))
    # The same operation as the dashboard's event form, with the same audit line.
    event_operations.update_event(event, settings, actor_label=audit.COMMAND_LINE)
    db.session.commit()
    click.echo(
        _(
            "%(slug)s : indemnisation %(offered)s, barème %(scale)s, déjeuner %(lunch)s.",
            slug=event.slug,
            offered=_("proposée") if event.compensation_offered else _("non proposée"),
            scale=event.compensation_scale or "—",
            lunch=_("fourni") if event.lunch_provided else _("non fourni"),
        )
    )
