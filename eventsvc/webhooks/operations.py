"""The organiser's actions on their webhook endpoints, each with its audit line (``actor=`` the
organiser, or ``actor_label=`` the command line): add, disable or enable, delete, replay a
delivery. Functions flush; the caller commits. Lookups answer None for another organiser's
endpoint, as for one that does not exist."""

from __future__ import annotations

import secrets

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import service as audit
from ..common.errors import DomainError
from ..database import utcnow
from ..extensions import db
from . import addresses, rules
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from .queueing import new_msg_id

RECENT_DELIVERIES = 50


class WebhookError(DomainError):
    """Refused with a message for the organiser."""


NO_TYPE = _l("Choisissez au moins un type d'événement connu.")
REFUSALS = {
    "url": _l("Cette adresse n'est pas une URL valide."),
    "scheme": _l("L'adresse doit commencer par https:// (ou http://)."),
    "credentials": _l("L'adresse ne doit pas contenir d'identifiant ni de mot de passe."),
    "dns": _l("Ce nom de serveur est introuvable."),
    "private": _l(
        "Cette adresse mène à un réseau privé ou local : seules les adresses publiques sont "
        "acceptées."
    ),
}


def allow_private() -> bool:
    return bool(current_app.config["WEBHOOKS_ALLOW_PRIVATE"])


def check_endpoint_url(url: str) -> None:
    """WebhookError (on the ``url`` field) for a URL a webhook may not be sent to."""
    if len(url) > 2000:
        raise WebhookError(REFUSALS["url"], field="url")
    try:
        addresses.target(url, allow_private=allow_private())
    except rules.RefusedAddress as refused:
        raise WebhookError(REFUSALS.get(str(refused), REFUSALS["url"]), field="url") from None


def add_endpoint(
    owner, url: str, event_types: list[str], *, actor=None, actor_label: str | None = None
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (shown once, by the caller)."""
    types = [name for name in rules.EVENT_TYPES if name in event_types]
    unknown = sorted(set(event_types) - set(rules.EVENT_TYPES))
    if unknown or not types:
        raise WebhookError(
            _l("Choisissez au moins un type d'événement connu."), field="event_types"
        )
    check_endpoint_url(url)
    secret = rules.new_secret(secrets.token_bytes(rules.SECRET_BYTES))
    endpoint = WebhookEndpoint(
        owner_id=owner.id, url=url, event_types=types, secret=secret, active=True
    )
    db.session.add(endpoint)
    db.session.flush()
    _record("webhook.added", endpoint, actor, actor_label, events=types)
    return endpoint, secret


def set_active(endpoint: WebhookEndpoint, active: bool, *, actor=None, actor_label=None) -> None:
    if endpoint.active == active:
        return
    endpoint.active = active
    db.session.flush()
    _record("webhook.enabled" if active else "webhook.disabled", endpoint, actor, actor_label)


def delete_endpoint(endpoint: WebhookEndpoint, *, actor=None, actor_label=None) -> None:
    """The endpoint and its deliveries' history go (what was not delivered is dropped with it)."""
    _record("webhook.deleted", endpoint, actor, actor_label)
    db.session.delete(endpoint)
    db.session.flush()


def replay(delivery: WebhookDelivery, *, actor=None, actor_label=None) -> WebhookDelivery:
    """The same payload queued again as a new message (its own ``webhook-id``, so a receiver
    that deduplicates processes it again); the original stays as it was, in the history."""
    now = utcnow()
    again = WebhookDelivery(
        endpoint_id=delivery.endpoint_id,
        event_type=delivery.event_type,
        payload=delivery.payload,
        msg_id=new_msg_id(),
        status=DeliveryStatus.PENDING,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(again)
    db.session.flush()
    _record(
        "webhook.replayed",
        delivery.endpoint,
        actor,
        actor_label,
        type=delivery.event_type,
        message=delivery.msg_id,
    )
    return again


def _record(action: str, endpoint: WebhookEndpoint, actor, actor_label, **details) -> None:
    audit.record(
        action,
        actor=actor,
        actor_label=actor_label,
        details={"endpoint": endpoint.id, "url": endpoint.url, "owner": endpoint.owner_id}
        | details,
    )


# Queries (the organiser's own endpoints only).


def endpoints_of(owner) -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.owner_id == owner.id)
            .order_by(WebhookEndpoint.id)
        )
    )


def find_endpoint(owner, endpoint_id: int) -> WebhookEndpoint | None:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    return endpoint if endpoint is not None and endpoint.owner_id == owner.id else None


def find_delivery(endpoint: WebhookEndpoint, delivery_id: int) -> WebhookDelivery | None:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    return delivery if delivery is not None and delivery.endpoint_id == endpoint.id else None


def recent_deliveries(endpoint: WebhookEndpoint) -> list[WebhookDelivery]:
    return list(
        db.session.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint.id)
            .order_by(WebhookDelivery.id.desc())
            .limit(RECENT_DELIVERIES)
        )
    )
