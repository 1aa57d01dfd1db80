"""Co-organisers of an event: add one by their account's email, remove one (never the last).
Both write an audit line; functions flush, the caller commits."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..audit import service as audit
from ..auth.models import User
from ..auth.service import find_by_email
from ..extensions import db
from .models import Event
from .operations import ManageError


class OrganiserRefused(ManageError):
    pass


def add_organiser(event: Event, email: str, *, actor: User) -> User:
    user = find_by_email(email)
    if user is None or not user.active:
        raise OrganiserRefused(
            _l(
                "Aucun compte organisateur n'a cette adresse : demandez à la personne de vous "
                "donner l'adresse de son compte, ou à l'administrateur de lui en créer un."
            )
        )
    if user in event.organisers:
        return user
    event.organisers.append(user)
    db.session.flush()
    audit.record(
        "event.organiser_added", actor=actor, event=event, details={"organiser": user.email}
    )
    return user


def remove_organiser(event: Event, user: User, *, actor: User) -> None:
    if user not in event.organisers:
        return
    if len(event.organisers) == 1:
        raise OrganiserRefused(
            _l("Un événement garde au moins un organisateur : ajoutez-en un autre d'abord.")
        )
    event.organisers.remove(user)
    db.session.flush()
    audit.record(
        "event.organiser_removed", actor=actor, event=event, details={"organiser": user.email}
    )
