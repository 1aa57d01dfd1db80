"""Pouvoirs: an excused member gives theirs to another member of the body, on the reply slip or
on paper (recorded by the organiser); revocable until the meeting starts. When a reply changes
(``reply_changed``, called by ``replies.record_reply``): a holder who no longer comes loses the
pouvoirs they held (each giver is told by email to choose someone else), and a giver who comes
after all, or sends a representative, no longer needs theirs. Each change records its audit line.
Operations flush and let the caller commit."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import service as audit
from ..database import utcnow
from ..extensions import db
from ..links import external_url
from ..mail import outbox
from ..mail.compose import compose
from . import bodies
from . import rules_quorum as rules
from .errors import InvitationError
from .models import Contact, Invitation, Reply
from .models_bodies import Meeting, Pouvoir, PouvoirSource
from .queries import effective_reply, invitation_token

REFUSALS = {
    rules.Refusal.STARTED: _l(
        "La réunion a commencé : les pouvoirs ne peuvent plus être donnés ni changés."
    ),
    rules.Refusal.GIVER_NOT_MEMBER: _l(
        "Seul un membre en exercice de l'instance peut donner un pouvoir."
    ),
    rules.Refusal.HOLDER_NOT_MEMBER: _l(
        "Choisissez un membre en exercice de l'instance dans la liste."
    ),
    rules.Refusal.SELF: _l("Vous ne pouvez pas vous donner pouvoir à vous-même."),
    rules.Refusal.HOLDER_GAVE: _l(
        "Ce membre a lui-même donné son pouvoir : choisissez un autre membre."
    ),
    rules.Refusal.HOLDER_EXCUSED: _l(
        "Ce membre sera absent : choisissez un membre qui sera présent."
    ),
    rules.Refusal.HOLDER_FULL: _l(
        "Ce membre détient déjà le nombre de pouvoirs permis : choisissez un autre membre."
    ),
}


class PouvoirRefused(InvitationError):
    def __init__(self, refusal: rules.Refusal):
        super().__init__(REFUSALS[refusal])
        self.refusal = refusal


class NotExcused(InvitationError):
    def __init__(self):
        super().__init__(
            _l("Indiquez d'abord que vous serez excusé·e, puis choisissez à qui donner pouvoir.")
        )


def _actor(actor):
    return {"actor": actor} if actor is not None else {"actor_label": audit.PARTICIPANT}


def _details(pouvoir: Pouvoir) -> dict:
    return {
        "pouvoir": pouvoir.id,
        "giver": pouvoir.giver.contact.formal_name,
        "holder": pouvoir.holder.formal_name,
    }


def give(meeting: Meeting, invitation: Invitation, holder: Contact, *, actor=None) -> Pouvoir:
    """The excused member ``invitation`` gives their pouvoir to ``holder``, replacing the one
    they gave before. ``actor``: the organiser recording a paper pouvoir (None: the member on
    their reply slip)."""
    if invitation.event_id != meeting.event_id:
        raise PouvoirRefused(rules.Refusal.GIVER_NOT_MEMBER)
    if effective_reply(invitation) != Reply.NO:
        raise NotExcused()
    # Two members giving to the same holder at once: one waits for the other (PostgreSQL).
    db.session.execute(
        select(Meeting).where(Meeting.event_id == meeting.event_id).with_for_update()
    )
    state = bodies.pouvoirs_state(meeting, without=invitation)
    refusal = rules.pouvoir_refusal(
        invitation.contact_id, holder.id, state, started=bodies.started(meeting.event)
    )
    if refusal is not None:
        raise PouvoirRefused(refusal)
    current = bodies.pouvoir_of(invitation)
    if current is not None:
        if current.holder_contact_id == holder.id:
            return current
        current.revoked_at = utcnow()
    pouvoir = Pouvoir(
        event_id=meeting.event_id,
        giver=invitation,
        holder=holder,
        source=PouvoirSource.PAPER if actor is not None else PouvoirSource.SLIP,
        recorded_by=actor,
    )
    db.session.add(pouvoir)
    db.session.flush()
    audit.record("pouvoir.given", event=meeting.event, details=_details(pouvoir), **_actor(actor))
    return pouvoir


def revoke(meeting: Meeting, invitation: Invitation, *, actor=None) -> bool:
    """Revoke the member's pouvoir (by themselves, or the organiser); False if there was none."""
    if bodies.started(meeting.event):
        raise PouvoirRefused(rules.Refusal.STARTED)
    pouvoir = bodies.pouvoir_of(invitation)
    if pouvoir is None:
        return False
    pouvoir.revoked_at = utcnow()
    db.session.flush()
    audit.record("pouvoir.revoked", event=meeting.event, details=_details(pouvoir), **_actor(actor))
    return True


def reply_changed(invitation: Invitation) -> None:
    """Called by ``replies.record_reply`` after every change of reply."""
    meeting = bodies.meeting_of(invitation.event)
    if meeting is None:
        return
    reply = effective_reply(invitation)
    own = bodies.pouvoir_of(invitation)
    if own is not None and reply != Reply.NO:
        _lapse(own)
    if reply in (Reply.NO, Reply.REPRESENTED):
        for pouvoir in bodies.valid_pouvoirs(invitation.event):
            if pouvoir.holder_contact_id == invitation.contact_id:
                _lapse(pouvoir)
                send_lapsed(pouvoir)


def _lapse(pouvoir: Pouvoir) -> None:
    pouvoir.lapsed_at = utcnow()
    db.session.flush()
    audit.record(
        "pouvoir.lapsed",
        actor_label=audit.PARTICIPANT,
        event=pouvoir.event,
        details=_details(pouvoir),
    )


def send_lapsed(pouvoir: Pouvoir) -> bool:
    """Tell the giver that their holder will not be there: choose someone else. In French, as
    every invitation (contacts have no language)."""
    giver = pouvoir.giver
    contact = giver.contact
    composed = compose(
        "pouvoir_lapsed",
        to_name=contact.formal_name,
        to_email=contact.email,
        locale="fr",
        context={
            "event": pouvoir.event,
            "contact": contact,
            "holder": pouvoir.holder,
            "link": external_url(
                "invitations.reply", token=invitation_token(giver), _anchor="pouvoir"
            ),
        },
    )
    return outbox.enqueue(f"pouvoir_lapsed:{pouvoir.id}", composed.message)
