"""The organiser's API tokens in the dashboard (``/dashboard/api-tokens``): create one (its secret
shown once, on the page that answers the creation), list them, revoke one. Scoped: another
organiser's token id is a 404."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from ..common.forms import Form
from ..web import OrganiserPages, actor, found, organiser_pages, render, writes
from . import tokens

pages = OrganiserPages("api")
_registered_on: set[int] = set()


class TokenForm(Form):
    name = StringField(
        _l("Nom du jeton (l'outil qui l'utilisera)"),
        validators=[
            DataRequired(message=_l("Donnez un nom au jeton : l'outil qui l'utilisera.")),
            Length(max=tokens.NAME_MAX, message=_l("%(max)d caractères au plus.")),
        ],
    )
    can_write = BooleanField(
        _l("Écriture : inscrire, modifier, annuler et pointer (sinon lecture seule)")
    )


def register_on_dashboard(bp: Blueprint) -> None:
    """Once per blueprint object, whatever the number of apps created (tests make many)."""
    if id(bp) not in _registered_on:
        _registered_on.add(id(bp))
        organiser_pages(bp, pages)


def _page(form, created=None, status=200):
    return render(
        "api_tokens.html", status, form=form, tokens=tokens.of_user(actor()), created=created
    )


@pages.route("/api-tokens", methods=["GET", "POST"])
def api_tokens():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form)
    with writes(form) as write:
        created = tokens.create(
            actor(), form.name.data, can_write=form.can_write.data, actor=actor()
        )
    if write.failed:
        return _page(form)
    # Shown on this answer only (no-store): never in a redirect, a flash nor the database.
    return _page(TokenForm(formdata=None), created=created)


@pages.route("/api-tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_api_token(token_id: int):
    token = found(tokens.find_for_user(token_id, actor()))
    form = Form()
    if form.validate_on_submit():
        with writes():
            tokens.revoke(token, actor=actor())
        flash(_("Jeton « %(name)s » révoqué.", name=token.name), "success")
    return redirect(url_for("dashboard.api_tokens"), code=303)
