"""Claim, send, retry: the webhooks' outbox, delivered by the mail workers' loop and by
``flask mail send`` / ``flask webhooks deliver``.

Like the email outbox: due deliveries are claimed with a lease in a short transaction
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL), sent outside any transaction, and their outcome
recorded; a worker that dies leaves its claim to expire and another takes it over. A failed
attempt waits 30 s, 2 min, 10 min, 1 h, 6 h, 12 h...; after ``WEBHOOKS_MAX_ATTEMPTS`` the
delivery is marked failed, kept and replayable from the dashboard. Nothing is deleted unsent.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from flask import current_app
from sqlalchemy import and_, or_, select

from ..database import begin_write, utcnow
from ..extensions import db
from ..mail.outbox import worker_name
from . import addresses, rules
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)
USER_AGENT = "eventsvc-webhooks/1"


@dataclass(frozen=True)
class Job:
    id: int
    msg_id: str
    url: str
    secret: str
    payload: dict


@dataclass(frozen=True)
class Outcome:
    status_code: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status_code is not None and 200 <= self.status_code < 300


def claim_due(worker: str, now: datetime, batch_size: int) -> list[Job]:
    db.session.commit()
    begin_write(db.session)
    due = or_(
        and_(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
        ),
        and_(
            WebhookDelivery.status == DeliveryStatus.SENDING,
            WebhookDelivery.claimed_at < now - LEASE,
        ),
    )
    # A disabled endpoint's deliveries wait, neither sent nor dropped, until it is enabled.
    active = select(WebhookEndpoint.id).where(WebhookEndpoint.active.is_(True))
    rows = db.session.scalars(
        select(WebhookDelivery)
        .where(due, WebhookDelivery.endpoint_id.in_(active))
        .order_by(WebhookDelivery.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    ).all()
    jobs = []
    for row in rows:
        row.status = DeliveryStatus.SENDING
        row.claimed_by = worker
        row.claimed_at = now
        endpoint = db.session.get(WebhookEndpoint, row.endpoint_id)
        jobs.append(Job(row.id, row.msg_id, endpoint.url, endpoint.secret, row.payload))
    db.session.commit()
    return jobs


def send(job: Job, *, allow_private: bool, timeout: float) -> Outcome:
    """One attempt: the address checked again, then a signed POST to that very address."""
    try:
        target = addresses.target(job.url, allow_private=allow_private)
    except rules.RefusedAddress as refused:
        return Outcome(error=f"adresse refusée ({refused})")
    content = rules.body(job.payload)
    timestamp = int(time.time())
    headers = {
        "content-type": "application/json",
        "user-agent": USER_AGENT,
        "host": _host_header(target),
        "webhook-id": job.msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": rules.signature(job.secret, job.msg_id, timestamp, content),
    }
    url = httpx.URL(job.url).copy_with(host=target.address)
    extensions = {"sni_hostname": target.host} if target.scheme == "https" else {}
    try:
        with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as client:
            response = client.post(url, content=content, headers=headers, extensions=extensions)
    except Exception as error:  # noqa: BLE001 - recorded on the delivery, retried
        return Outcome(error=f"{type(error).__name__}: {error}"[:2000])
    if 200 <= response.status_code < 300:
        return Outcome(status_code=response.status_code)
    return Outcome(status_code=response.status_code, error=f"HTTP {response.status_code}")


def _host_header(target: addresses.Target) -> str:
    default = 443 if target.scheme == "https" else 80
    host = f"[{target.host}]" if ":" in target.host else target.host
    return host if target.port == default else f"{host}:{target.port}"


def record(outcomes: dict[int, Outcome], worker: str, now: datetime, max_attempts: int) -> dict:
    counts = {"delivered": 0, "retry": 0, "failed": 0}
    begin_write(db.session)
    rows = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(outcomes))).all()
    for row in rows:
        if row.claimed_by != worker or row.status != DeliveryStatus.SENDING:
            continue  # our lease expired and another worker took it over
        outcome = outcomes[row.id]
        row.attempts += 1
        row.claimed_by = None
        row.last_status_code = outcome.status_code
        row.last_error = outcome.error
        if outcome.ok:
            row.status = DeliveryStatus.DELIVERED
            row.delivered_at = utcnow()
            counts["delivered"] += 1
        elif row.attempts >= max_attempts:
            row.status = DeliveryStatus.FAILED
            counts["failed"] += 1
            log.error("giving up on webhook %s after %s attempts", row.msg_id, row.attempts)
        else:
            row.status = DeliveryStatus.PENDING
            row.next_attempt_at = now + rules.retry_delay(row.attempts)
            counts["retry"] += 1
    db.session.commit()
    return counts


def deliver_due(now: datetime | None = None) -> dict[str, int]:
    """One pass: claim a batch, send each, record the outcomes."""
    config = current_app.config
    now = now or utcnow()
    worker = worker_name()
    jobs = claim_due(worker, now, int(config["WEBHOOKS_BATCH_SIZE"]))
    outcomes = {
        job.id: send(
            job,
            allow_private=bool(config["WEBHOOKS_ALLOW_PRIVATE"]),
            timeout=float(config["WEBHOOKS_TIMEOUT"]),
        )
        for job in jobs
    }
    if not outcomes:
        return {"delivered": 0, "retry": 0, "failed": 0}
    return record(outcomes, worker, now, int(config["WEBHOOKS_MAX_ATTEMPTS"]))


def deliver_all_due(now: datetime | None = None) -> dict[str, int]:
    """Passes until nothing due is left, or a pass delivered nothing."""
    total = {"delivered": 0, "retry": 0, "failed": 0}
    while True:
        counts = deliver_due(now)
        for name, value in counts.items():
            total[name] += value
        if counts["delivered"] == 0:
            return total
