"""Sending a message to participants: one email per person through the outbox, a ``Message``
row and one audit line with how many were queued. Functions flush; the caller commits.

Each person's email is queued in its own savepoint (:func:`mail.bulk.send_each`): a stored
address that cannot be written to is left out and reported, the others are sent.

Up to ``MESSAGING_JOB_THRESHOLD`` people (200) the emails are queued in the request, which stays
under half a second and answers at once; above, a job queues them (``messaging.background``)
and the author follows its progress page.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..audit import service as audit
from ..auth.models import User
from ..common.errors import DomainError
from ..events.models import Event
from ..extensions import db
from ..i18n import part_label
from ..jobs import runner
from ..jobs.models import Job
from ..mail import bulk, outbox
from ..registrations import queries as registrations
from ..registrations.models import Registration
from . import emails
from .models import Message
from .queries import ALL, CONFIRMED, FILTER, STATUSES, WAITLISTED, Audience, recipients

SUBJECT_MAX = 200
BODY_MAX = 20000


class MessagingError(DomainError):
    """A refusal with a message for the organiser."""


JOB = "messaging.message"


@dataclass
class Sent:
    message: Message
    unsent: list[bulk.Unsent]
    # A large audience: the job queuing the emails (its page shows the progress, then the result).
    job: Job | None = None


def check_audience(event: Event, audience: Audience) -> None:
    if audience.to not in (*STATUSES, FILTER):
        raise MessagingError(_l("Choisissez à qui écrire."), field="to")
    if audience.part_id is not None and audience.part_id not in {p.id for p in event.parts}:
        raise MessagingError(_l("Cette partie n'existe pas dans l'événement."), field="part_id")


def describe(event: Event, audience: Audience) -> str:
    """The audience in words, in the current language (« la liste d'attente »)."""
    labels = {part.id: part_label(part) for part in event.parts}
    if audience.to == FILTER:
        return _filter_words(audience.filters or registrations.Filters(), labels)
    part = labels.get(audience.part_id) if audience.part_id else None
    if part is None:
        return {
            CONFIRMED: _("les personnes confirmées"),
            WAITLISTED: _("la liste d'attente"),
            ALL: _("les personnes confirmées et la liste d'attente"),
        }[audience.to]
    return {
        CONFIRMED: _("les personnes confirmées qui viennent à « %(part)s »", part=part),
        WAITLISTED: _("la liste d'attente de « %(part)s »", part=part),
        ALL: _("les personnes confirmées ou en attente qui viennent à « %(part)s »", part=part),
    }[audience.to]


def _filter_words(filters: registrations.Filters, labels: dict[int, str]) -> str:
    criteria = []
    if filters.status:
        criteria.append(
            {
                CONFIRMED: _("confirmées"),
                WAITLISTED: _("en liste d'attente"),
            }.get(filters.status, _("annulées"))
        )
    if filters.part_id:
        criteria.append(
            _("partie « %(part)s »", part=labels.get(filters.part_id, str(filters.part_id)))
        )
    if filters.attendance == registrations.FULL:
        criteria.append(_("toute la journée"))
    elif filters.attendance == registrations.PARTIAL:
        criteria.append(_("une partie de la journée"))
    if filters.text:
        criteria.append(_("recherche « %(text)s »", text=filters.text))
    if not criteria:
        return _("toutes les inscriptions non annulées")
    return _("les inscriptions non annulées du filtre : %(criteria)s", criteria=", ".join(criteria))


def send_message(
    event: Event,
    audience: Audience,
    subject: str,
    body: str,
    *,
    actor: User | None = None,
    actor_label: str | None = None,
    expected: int | None = None,
) -> Sent:
    """Queue the message to everyone of ``audience``. ``expected``: the count the author saw
    on the preview; when it changed since (someone signed up or cancelled), nothing is sent and
    the author is asked to look again. An organiser's large audience is left to a job (the
    command line, out of any request, queues every email itself)."""
    check_audience(event, audience)
    people = recipients(event, audience)
    if not people:
        raise MessagingError(
            _l("Personne ne correspond à ce choix : aucun message n'est parti."), field="to"
        )
    if expected is not None and expected != len(people):
        raise MessagingError(
            _l("Le nombre de destinataires a changé depuis l'aperçu : vérifiez-le, puis envoyez.")
        )
    message = Message(
        event_id=event.id,
        subject=subject,
        body=body,
        audience=describe(event, audience)[:500],
        author_id=actor.id if actor is not None else None,
        author_label=actor.email if actor is not None else (actor_label or ""),
    )
    db.session.add(message)
    db.session.flush()
    if actor is not None and len(people) > current_app.config["MESSAGING_JOB_THRESHOLD"]:
        # The people the author saw, by id: the job writes to them and to no one else.
        params = {"message": message.id, "registrations": [r.id for r in people]}
        job = runner.enqueue(JOB, organiser=actor, event=event, params=params)
        return Sent(message, [], job)
    unsent = queue_each(event, message, people)
    message.recipients = len(people) - len(unsent)
    message.unsent = len(unsent)
    db.session.flush()
    record_sent(event, message, actor=actor, actor_label=actor_label)
    return Sent(message, unsent)


def queue_each(event: Event, message: Message, people: list[Registration]) -> list[bulk.Unsent]:
    """Queue the message's email to each person (in the author's text); who could not be."""

    def send(registration: Registration) -> None:
        key = f"message:{message.id}:{registration.public_id}"
        outbox.enqueue(key, emails.composed(event, registration, message.subject, message.body))

    return bulk.send_each(
        people,
        send,
        recipient=lambda r: bulk.Recipient(r.display_name, r.email, r),
        event=event,
        message="message",
    )


def record_sent(event: Event, message: Message, *, actor=None, actor_label=None) -> None:
    audit.record(
        "message.sent",
        actor=actor,
        actor_label=actor_label,
        event=event,
        details={
            "subject": message.subject,
            "audience": message.audience,
            "sent": message.recipients,
            "unsent": message.unsent,
        },
    )
