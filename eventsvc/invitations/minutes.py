"""The presence block of a body's meeting for its minutes: présents, excusés ayant donné
pouvoir, excusés, représentés, absents, the quorum and the votes available; as text (here), HTML
(a dashboard page) and a Word document (``minutes_docx``).

Only members in office are listed. Present: their own « yes » registration is checked in (or
confirmed, before any check-in, as a forecast). A represented member (someone came in their
place) is not present for the quorum. Absent: everyone else in office (no reply, not invited,
a « yes » who did not come).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import ngettext

from . import bodies
from . import rules_quorum as rules
from .models import Reply
from .models_bodies import Meeting
from .queries import effective_reply, invitations_of


@dataclass(frozen=True)
class WithPouvoir:
    giver: str
    holder: str

    def line(self) -> str:
        return _("%(giver)s (pouvoir à %(holder)s)", giver=self.giver, holder=self.holder)


@dataclass(frozen=True)
class Block:
    title: str
    present: list[str]
    with_pouvoir: list[WithPouvoir]
    excused: list[str]
    represented: list[str]
    absent: list[str]
    quorum: rules.Quorum
    from_check_ins: bool

    def sections(self) -> list[tuple[str, list[str]]]:
        return [
            (_("Présents"), self.present),
            (_("Excusés ayant donné pouvoir"), [w.line() for w in self.with_pouvoir]),
            (_("Excusés"), self.excused),
            (_("Représentés"), self.represented),
            # Before anyone is checked in, those not counted are those who have not answered.
            (_("Absents") if self.from_check_ins else _("Sans réponse"), self.absent),
        ]

    def quorum_sentence(self) -> str:
        q = self.quorum
        present = ngettext("%(num)d membre présent", "%(num)d membres présents", q.present)
        values = {"required": q.required, "present": present, "in_office": q.in_office}
        if q.pouvoirs_count and q.pouvoirs:
            values["pouvoirs"] = ngettext("%(num)d pouvoir", "%(num)d pouvoirs", q.pouvoirs)
            if q.reached:
                return _(
                    "Le quorum (%(required)d) est atteint avec %(present)s et %(pouvoirs)s sur "
                    "%(in_office)d en exercice.",
                    **values,
                )
            return _(
                "Le quorum (%(required)d) n'est pas atteint : %(present)s et %(pouvoirs)s sur "
                "%(in_office)d en exercice.",
                **values,
            )
        if q.reached:
            return _(
                "Le quorum (%(required)d) est atteint avec %(present)s sur %(in_office)d en "
                "exercice.",
                **values,
            )
        return _(
            "Le quorum (%(required)d) n'est pas atteint : %(present)s sur %(in_office)d en "
            "exercice.",
            **values,
        )

    def votes_sentence(self) -> str:
        q = self.quorum
        return ngettext(
            "%(num)d voix disponible (présents et pouvoirs).",
            "%(num)d voix disponibles (présents et pouvoirs).",
            q.votes,
        )

    def lines(self) -> list[str]:
        """One paragraph per section, as they are pasted into minutes."""
        lines = [
            _("%(label)s : %(names)s", label=label, names=" ; ".join(names) if names else "—")
            for label, names in self.sections()
        ]
        return [*lines, self.quorum_sentence(), self.votes_sentence()]


def block(meeting: Meeting) -> Block:
    event = meeting.event
    day = bodies.meeting_day(event)
    office = bodies.in_office(meeting.body, day)
    invitation_of = {i.contact_id: i for i in invitations_of(event)}
    present_ids = bodies.present_members(meeting)
    pouvoir_of = {p.giver.contact_id: p for p in bodies.valid_pouvoirs(event)}
    present, with_pouvoir, excused, represented, absent = [], [], [], [], []
    for member in office:
        contact_id = member.contact.id
        invitation = invitation_of.get(contact_id)
        reply = effective_reply(invitation) if invitation is not None else Reply.NONE
        if contact_id in present_ids:
            present.append(member.line())
        elif contact_id in pouvoir_of:
            with_pouvoir.append(WithPouvoir(member.name, pouvoir_of[contact_id].holder.formal_name))
        elif reply == Reply.NO:
            excused.append(member.line())
        elif reply == Reply.REPRESENTED:
            represented.append(
                _(
                    "%(person)s, représenté·e par %(representative)s",
                    person=member.line(),
                    representative=invitation.representative_name,
                )
            )
        else:
            absent.append(member.line())
    return Block(
        title=event.title,
        present=present,
        with_pouvoir=with_pouvoir,
        excused=excused,
        represented=represented,
        absent=absent,
        quorum=bodies.quorum(meeting),
        from_check_ins=bodies.any_check_in(event),
    )


def as_text(minutes: Block) -> str:
    return "\n\n".join([minutes.title, *minutes.lines()]) + "\n"
