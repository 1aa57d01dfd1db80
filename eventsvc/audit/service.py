"""Writing and reading the audit log. Services call :func:`record` in the transaction of the change
they make, so a change and its log line are committed (or rolled back) together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from .models import AuditEvent

# Who acted when it was not an organiser.
from .sentences import COMMAND_LINE as COMMAND_LINE
from .sentences import PARTICIPANT as PARTICIPANT

ACTION_LABELS = {
    "event.created": _l("Événement créé"),
    "event.updated": _l("Événement modifié"),
    "event.duplicated": _l("Événement dupliqué"),
    "event.duplicated_from": _l("Créé par duplication"),
    "event.status_changed": _l("Statut changé"),
    "event.rescheduled": _l("Horaires ou lieu changés après inscriptions"),
    "event.cancelled": _l("Événement annulé"),
    "event.organiser_added": _l("Organisateur ajouté"),
    "event.organiser_removed": _l("Organisateur retiré"),
    "part.added": _l("Partie ajoutée"),
    "part.updated": _l("Partie modifiée"),
    "part.moved": _l("Partie déplacée"),
    "part.deleted": _l("Partie supprimée"),
    "question.added": _l("Question ajoutée"),
    "question.updated": _l("Question modifiée"),
    "question.moved": _l("Question déplacée"),
    "question.deleted": _l("Question supprimée"),
    "registration.signed_up": _l("Inscription par le formulaire public"),
    "registration.added": _l("Inscription ajoutée à la main"),
    "registration.imported": _l("Inscription importée"),
    "registration.updated": _l("Inscription modifiée"),
    "registration.cancelled": _l("Inscription annulée"),
    "registration.confirmed_from_waitlist": _l("Confirmée depuis la liste d'attente"),
    "registration.promoted": _l("Place libérée : confirmée depuis la liste d'attente"),
    "registration.erased": _l("Inscription effacée par la personne"),
    "registration.resent": _l("Confirmation et lien personnel renvoyés"),
    "registrations.bulk": _l("Action groupée sur les inscriptions"),
    "import.committed": _l("Import CSV"),
    "compensation.computed": _l("Indemnités calculées"),
    "declaration.saved": _l("Déclaration de frais enregistrée"),
    "declaration.removed": _l("Déclaration de frais retirée"),
    "claim.line_corrected": _l("Ligne d'indemnité corrigée"),
    "claim.receipts_received": _l("Justificatifs reçus"),
    "claim.receipts_not_received": _l("Justificatifs marqués non reçus"),
    "claim.distance_checked": _l("Distance vérifiée"),
    "claim.transport_receipt": _l("Montant des transports en commun saisi"),
    "claim.childcare_set_aside": _l("Garde d'enfants retirée de la demande"),
    "claim.validated": _l("Indemnité validée"),
    "batch.created": _l("Lot d'indemnités créé"),
    "batch.paid": _l("Lot d'indemnités payé"),
    "invitations.sent": _l("Invitations envoyées"),
    "message.sent": _l("Message envoyé aux participants"),
    "invitation.replied": _l("Réponse à une invitation"),
    "invitation.calendar_replied": _l("Réponse à une invitation depuis le calendrier"),
    "invitation.calendar_reply_ignored": _l("Réponse depuis le calendrier laissée de côté"),
    "invitations.reminded": _l("Relances envoyées"),
    "invitations.settings_changed": _l("Réglages des invitations modifiés"),
    "invitations.attachment_added": _l("Pièce jointe ajoutée aux invitations"),
    "invitations.attachment_removed": _l("Pièce jointe retirée des invitations"),
    "body.saved": _l("Instance enregistrée (quorum, pouvoirs, délai de convocation)"),
    "body.removed": _l("Liste redevenue une simple liste"),
    "body.member_saved": _l("Fonction ou mandat d'un membre enregistré"),
    "meeting.changed": _l("Instance de la réunion changée"),
    "meeting.late_notice_confirmed": _l("Convocation envoyée après le délai, confirmée"),
    "pouvoir.given": _l("Pouvoir donné"),
    "pouvoir.revoked": _l("Pouvoir révoqué"),
    "pouvoir.lapsed": _l("Pouvoir devenu caduc"),
    "reminders.sent": _l("Rappels envoyés avant l'événement"),
    "attendance.checked_in": _l("Marqué·e présent·e"),
    "attendance.check_in_undone": _l("Présence annulée"),
    "attendance.walk_in": _l("Ajouté·e sur place"),
    "attendance.signed": _l("Signature à l'accueil"),
    "attendance.countersigned": _l("Partie contre-signée"),
    "attendance.certificates_sent": _l("Attestations envoyées par courriel"),
    "distances.replaced": _l("Distancier remplacé"),
    "account.admin_granted": _l("Droits d'administration donnés"),
    "account.admin_revoked": _l("Droits d'administration retirés"),
    "account.unlocked": _l("Connexion débloquée"),
    "account.created": _l("Compte créé"),
    "account.password_set": _l("Mot de passe remplacé"),
    "account.password_changed": _l("Mot de passe changé"),
    "auth.oidc_login": _l("Connexion par authentification unique"),
    "auth.oidc_refused": _l("Connexion par authentification unique refusée"),
    "retention.purged": _l("Données personnelles effacées (durée de conservation dépassée)"),
    "mail.not_queued": _l("Message impossible à envoyer à une personne"),
    "registration.api_added": _l("Inscription ajoutée par l'API"),
    "api_token.created": _l("Jeton d'API créé"),
    "api_token.revoked": _l("Jeton d'API révoqué"),
    "webhook.added": _l("Point de réception de webhooks ajouté"),
    "webhook.disabled": _l("Point de réception de webhooks désactivé"),
    "webhook.enabled": _l("Point de réception de webhooks activé"),
    "webhook.deleted": _l("Point de réception de webhooks supprimé"),
    "webhook.replayed": _l("Webhook renvoyé"),
    "job.started": _l("Travail lancé en arrière-plan"),
    "registrations.exported": _l("Inscriptions exportées en arrière-plan"),
}


# The channel the actor used when it is not the dashboard: "api" (their tools, by a token).
_channel: ContextVar[str | None] = ContextVar("audit_channel", default=None)


@contextmanager
def via(channel: str) -> Iterator[None]:
    """Every line recorded in the block says the actor used ``channel`` (``details["via"]``), so
    that the operations called need not know whether a page or the API called them."""
    reset = _channel.set(channel)
    try:
        yield
    finally:
        _channel.reset(reset)


def record(
    action: str,
    *,
    actor=None,
    actor_label: str | None = None,
    event=None,
    registration=None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one line to the log, in the current transaction.

    ``actor`` is the organiser's account, or None with an ``actor_label`` such as
    :data:`PARTICIPANT` or :data:`COMMAND_LINE`. Without an event nor a registration the line is
    the organisation's (the distance table, accounts).
    """
    if actor is not None and actor.id is None:
        db.session.flush()  # an account created in this transaction: its id names it
    entry = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        actor_label=actor_label or (actor.email if actor is not None else ""),
        event_id=event.id
        if event is not None
        else (registration.event_id if registration is not None else None),
        registration_id=registration.id if registration is not None else None,
        details=plain(_with_channel(details or {})),
    )
    db.session.add(entry)
    return entry


def _with_channel(details: dict[str, Any]) -> dict[str, Any]:
    channel = _channel.get()
    return {**details, "via": channel} if channel else details


def plain(value: Any) -> Any:
    """Values JSON can hold: times as ISO text, decimals as text, tuples as lists."""
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [plain(item) for item in value]
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for the fields that differ."""
    return {
        key: [plain(before.get(key)), plain(after.get(key))]
        for key in after
        if before.get(key) != after.get(key)
    }


@dataclass(frozen=True)
class LogPage:
    entries: list[AuditEvent]
    total: int


def for_event(event, *, limit: int = 50, offset: int = 0) -> LogPage:
    """Newest first."""
    where = AuditEvent.event_id == event.id
    total = db.session.scalar(select(func.count(AuditEvent.id)).where(where))
    entries = db.session.scalars(
        select(AuditEvent)
        .where(where)
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return LogPage(list(entries), total)


def for_registration(registration) -> list[AuditEvent]:
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.registration_id == registration.id)
            .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
        )
    )


def label(action: str):
    return ACTION_LABELS.get(action, action)
