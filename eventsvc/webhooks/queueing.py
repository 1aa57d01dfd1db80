"""The signal receivers: each domain event becomes one delivery per endpoint of the event's
organisers subscribed to its type, queued in the transaction of the change (a rolled-back
sign-up queues nothing). Payloads are built from the signal's sender, read by attribute:
webhooks imports no domain above it (compensation's Claim is read the same way)."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime

from sqlalchemy import select

from ..database import utcnow
from ..events.models import Event, event_organisers
from ..extensions import db
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint


def new_msg_id() -> str:
    return "msg_" + secrets.token_urlsafe(18)


def subscribed(event: Event, event_type: str) -> list[WebhookEndpoint]:
    endpoints = db.session.scalars(
        select(WebhookEndpoint)
        .join(event_organisers, event_organisers.c.user_id == WebhookEndpoint.owner_id)
        .where(event_organisers.c.event_id == event.id, WebhookEndpoint.active.is_(True))
        .order_by(WebhookEndpoint.id)
    ).all()
    return [endpoint for endpoint in endpoints if event_type in (endpoint.event_types or ())]


def queue(event_type: str, event: Event, data: dict) -> int:
    """Add the deliveries of ``data`` to the session; how many were queued."""
    endpoints = subscribed(event, event_type)
    now = utcnow()
    payload = {"type": event_type, "timestamp": _iso(now), "data": data}
    for endpoint in endpoints:
        db.session.add(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                event_type=event_type,
                payload=payload,
                msg_id=new_msg_id(),
                status=DeliveryStatus.PENDING,
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    if endpoints:
        db.session.flush()
    return len(endpoints)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def event_data(event: Event) -> dict:
    return {"id": event.id, "slug": event.slug, "title": event.title}


def registration_data(registration) -> dict:
    """The registration as the organiser sees it in the dashboard (names and email blank once
    erased)."""
    return {
        "id": registration.id,
        "status": str(registration.status),
        "first_name": registration.first_name,
        "last_name": registration.last_name,
        "organisation": registration.organisation,
        "email": registration.email,
        "full_day": registration.full_day,
        "parts": [{"id": part.id, "label": part.label} for part in registration.attended_parts],
        "walk_in": bool(registration.walk_in),
        "created_at": _iso(registration.created_at),
        "cancelled_at": _iso(registration.cancelled_at),
    }


def _registration_event(event_type: str):
    def receiver(registration, **_kwargs) -> None:
        queue(
            event_type,
            registration.event,
            {
                "event": event_data(registration.event),
                "registration": registration_data(registration),
            },
        )

    receiver.__name__ = event_type.replace(".", "_")
    return receiver


registration_created = _registration_event("registration.created")
registration_changed = _registration_event("registration.changed")
registration_cancelled = _registration_event("registration.cancelled")
registration_promoted = _registration_event("registration.promoted")


def checkin_recorded(registration, *, part, **_kwargs) -> None:
    queue(
        "checkin.recorded",
        registration.event,
        {
            "event": event_data(registration.event),
            "registration": registration_data(registration),
            "part": {"id": part.id, "label": part.label},
            "checked_in_at": _iso(utcnow()),
        },
    )


def claim_validated(claim, **_kwargs) -> None:
    queue(
        "claim.validated",
        claim.event,
        {
            "event": event_data(claim.event),
            "registration": registration_data(claim.registration),
            "claim": {
                "id": claim.id,
                "status": str(claim.status),
                "total": str(claim.total),
                "payee_name": claim.payee_name,
                "validated_at": _iso(claim.validated_at),
            },
        },
    )
