"""The invitee's replies: yes, no (excused), represented; unsubscribing; and a sign-up by any
other way counting as a yes (``registration_created``).

A « yes » is a registration made by :func:`registrations.operations.register` like any other
(capacity, waiting list, confirmation with its REQUEST, personal link); a change from yes to no
cancels it, logged as the invitation reply's doing. Every change of reply records its audit line
(``invitation.replied``, by the participant). Operations flush and let the caller commit.

A reply changes or cancels only the registrations that this invitation's replies created
(recorded as ``CreatedRegistration``): never one made another way, so that naming someone
already registered as one's representative cannot touch their registration.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import service as audit
from ..common.validation import CheckedEmail
from ..database import utcnow
from ..extensions import db
from ..registrations import operations as registrations
from ..registrations import operations_manage as manage
from ..registrations.models import Registration, RegistrationStatus
from . import pouvoirs
from .errors import InvitationError
from .models import Contact, CreatedRegistration, Invitation, Reply
from .queries import active_registration


class RegisteredElsewhere(InvitationError):
    """The invitee is registered another way (public form, organiser, import, another
    organiser's invitation): the reply does not change that registration; the person does it
    from the personal link they received when registering."""

    def __init__(self):
        super().__init__(
            _l(
                "Vous êtes déjà inscrit·e à cet événement par ailleurs : pour ne plus venir, "
                "annulez cette inscription avec le lien personnel reçu par courriel, puis "
                "répondez ici."
            )
        )


@dataclass(frozen=True)
class ReplyResult:
    registration: Registration | None
    # The person (the invitee, or the representative named) was already registered another way:
    # the reply changed nothing of that registration.
    already_registered: bool = False


def _command(invitation: Invitation, change: registrations.ChangeCommand):
    contact = invitation.contact
    return registrations.SignupCommand(
        first_name=contact.first_name,
        last_name=contact.last_name,
        organisation=contact.organisation,
        email_typed=contact.email,
        email=contact.email,
        email_key=contact.email_key,
        **vars(change),
    )


def created_by(invitation: Invitation, registration: Registration | None) -> bool:
    """Whether one of this invitation's replies created the registration."""
    if registration is None or registration.id is None:
        return False
    mark = db.session.get(CreatedRegistration, registration.id)
    return mark is not None and mark.invitation_id == invitation.id


def _mark_created(invitation: Invitation, registration: Registration) -> None:
    mark = db.session.get(CreatedRegistration, registration.id)
    if mark is None:
        db.session.add(
            CreatedRegistration(registration_id=registration.id, invitation_id=invitation.id)
        )
    else:
        mark.invitation_id = invitation.id
    db.session.flush()


def _ours(invitation: Invitation) -> Registration | None:
    """The invitation's active registration, if one of its replies created it."""
    registration = active_registration(invitation)
    return registration if created_by(invitation, registration) else None


def own_registration(invitation: Invitation) -> Registration | None:
    """The invitee's own registration made by this invitation (what « je participerai »
    changes)."""
    registration = _ours(invitation)
    if registration is not None and registration.email_key == invitation.contact.email_key:
        return registration
    return None


def registered_elsewhere(invitation: Invitation) -> Registration | None:
    """The invitee's active registration made another way than this invitation's replies."""
    registration = db.session.scalar(
        select(Registration).where(
            Registration.event_id == invitation.event_id,
            Registration.email_key == invitation.contact.email_key,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    )
    if registration is None or created_by(invitation, registration):
        return None
    return registration


def _cancel(invitation: Invitation, registration: Registration, reply: str) -> None:
    """Cancel a registration this invitation created, logged with the reply that caused it
    (and the people it promoted from the waiting list, as any cancellation)."""
    manage.cancel_by_participant(
        registration,
        because={
            "because": "invitation.replied",
            "invitation": invitation.public_id,
            "reply": reply,
        },
    )


def reply_yes(
    invitation: Invitation, change: registrations.ChangeCommand, *, locale: str
) -> ReplyResult:
    """« Je participerai »: register (or change the parts of) the invitee's own registration;
    a representative this invitation registered no longer comes.

    An invitee already registered another way gets their yes recorded and that registration
    left as it is. Raises the registration service's errors (closed, no room) for the view.
    """
    own = own_registration(invitation)
    if own is not None:
        manage.change_by_participant(own, change)
        record_reply(invitation, Reply.YES, own)
        return ReplyResult(own)
    ours = _ours(invitation)
    if ours is not None:  # a representative was sent: they no longer come
        _cancel(invitation, ours, Reply.YES)
    elsewhere = registered_elsewhere(invitation)
    if elsewhere is None:
        try:
            registration = registrations.register(
                invitation.event, _command(invitation, change), locale=locale
            ).registration
        except registrations.AlreadyRegistered as already:  # registered meanwhile
            elsewhere = already.registration
        else:
            _mark_created(invitation, registration)
            record_reply(invitation, Reply.YES, registration)
            return ReplyResult(registration)
    record_reply(invitation, Reply.YES, elsewhere)
    return ReplyResult(elsewhere, already_registered=True)


def reply_no(invitation: Invitation, message: str) -> None:
    """« Je ne pourrai pas participer »: excused; a registration this invitation created (the
    invitee's, or their representative's) is cancelled. Raises :class:`RegisteredElsewhere`."""
    if registered_elsewhere(invitation) is not None:
        raise RegisteredElsewhere()
    ours = _ours(invitation)
    if ours is not None:
        _cancel(invitation, ours, Reply.NO)
    # Keep the link only to what this invitation created (now cancelled), for the history.
    linked = invitation.registration if created_by(invitation, invitation.registration) else None
    record_reply(invitation, Reply.NO, linked)
    invitation.message = message


@dataclass(frozen=True)
class Representative:
    first_name: str
    last_name: str
    function: str
    email: CheckedEmail

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


def reply_represented(
    invitation: Invitation, representative: Representative, *, locale: str
) -> ReplyResult:
    """« Je me ferai représenter par… »: the representative is registered in their own name
    (the whole event; they may change it from their personal link) and gets the confirmation
    and the invite; a registration this invitation made earlier (the invitee's, another
    representative's) is cancelled.

    A representative already registered another way keeps their registration untouched and
    unlinked: the reply records the name given, nothing of theirs changes.
    """
    if representative.email.key == invitation.contact.email_key:
        raise InvitationError(
            _l("Indiquez l'adresse de la personne qui vous représente, pas la vôtre.")
        )
    if registered_elsewhere(invitation) is not None:
        raise RegisteredElsewhere()
    ours = _ours(invitation)
    already_registered = False
    if ours is not None and ours.email_key == representative.email.key:
        registration = ours
    else:
        if ours is not None:
            _cancel(invitation, ours, Reply.REPRESENTED)
        command = registrations.SignupCommand(
            first_name=representative.first_name,
            last_name=representative.last_name,
            organisation=invitation.contact.organisation,
            email_typed=representative.email.typed,
            email=representative.email.normalised,
            email_key=representative.email.key,
            full_day=True,
        )
        try:
            registration = registrations.register(
                invitation.event, command, locale=locale
            ).registration
        except registrations.AlreadyRegistered as already:
            if created_by(invitation, already.registration):
                registration = already.registration
            else:
                registration, already_registered = None, True
        else:
            _mark_created(invitation, registration)
    record_reply(invitation, Reply.REPRESENTED, registration)
    invitation.representative_name = representative.name
    invitation.representative_function = representative.function
    invitation.representative_email = representative.email.normalised
    db.session.flush()
    return ReplyResult(registration, already_registered=already_registered)


def record_reply(invitation: Invitation, reply: str, registration: Registration | None) -> None:
    unchanged = invitation.reply == reply and invitation.registration is registration
    if not unchanged:
        audit.record(
            "invitation.replied",
            actor_label=audit.PARTICIPANT,
            event=invitation.event,
            registration=registration,
            details={
                "invitation": invitation.public_id,
                "reply": reply,
                "before": invitation.reply,
            },
        )
    invitation.reply = reply
    invitation.replied_at = utcnow()
    invitation.registration = registration
    if reply != Reply.NO:
        invitation.message = ""
    if reply != Reply.REPRESENTED:
        invitation.representative_name = ""
        invitation.representative_function = ""
        invitation.representative_email = ""
    db.session.flush()
    pouvoirs.reply_changed(invitation)


def registration_created(registration: Registration, new: bool = False, **_) -> None:
    """Receiver of ``signals.registration_created`` (sent by ``registrations.operations.register``):
    an invited contact who signs up by any way (the public form, the organiser) counts as having
    replied yes.

    Every (re)registration starts unmarked: one made again by another way after an invitation
    had created it is no longer that invitation's (the reply that creates one marks it after).
    A ``new`` registration (just inserted) has no mark: no look-up, under the sign-up's lock.
    """
    mark = None if new else db.session.get(CreatedRegistration, registration.id)
    if mark is not None:
        db.session.delete(mark)
        db.session.flush()
    invitations = db.session.scalars(
        select(Invitation)
        .join(Contact, Contact.id == Invitation.contact_id)
        .where(
            Invitation.event_id == registration.event_id,
            Contact.email_key == registration.email_key,
        )
    ).all()
    for invitation in invitations:
        if invitation.registration_id == registration.id and invitation.reply == Reply.YES:
            continue
        record_reply(invitation, Reply.YES, registration)


def unsubscribe(invitation: Invitation) -> None:
    contact = invitation.contact
    if contact.opted_out_at is None:
        contact.opted_out_at = utcnow()
        db.session.flush()
        audit.record(
            "contact.unsubscribed", actor_label=audit.PARTICIPANT, details={"contact": contact.id}
        )
