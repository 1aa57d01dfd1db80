"""A line of the audit log as a sentence in the reader's language. Pure.

« Léa Bernard pointé·e présent·e pour « Matin », par claire.martin@example.org » rather than
``attendance.checked_in`` and ``part : Matin``. :func:`sentence` takes what a line holds (the
action, its details, who acted) and the name of the person it is about, and returns a
:class:`~eventsvc.common.wording.Message` (French message ids, translated when rendered), so the
journal reads in the page's language. Field names come from the label table of
:mod:`sentence_values`, values are humanised (statuses, yes/no, dates and times in the reader's
language, amounts), and an action without a sentence of its own (a new one) still reads as its
label with its details.

Every value is text: the page escapes it like any other, so nothing a participant typed (a name,
a comment, a part's label) can become HTML.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..common.wording import N_, Message
from .sentence_values import EVENT_STATUSES, changes_text, details_text, value_text

PARTICIPANT = "participant"  # re-exported by audit.service, where writers find them
COMMAND_LINE = "command-line"


@dataclass(frozen=True)
class Line:
    """What the renderer needs of a log line."""

    action: str
    details: Mapping[str, Any] = field(default_factory=dict)
    actor: str = ""  # the actor's label: an organiser's email, PARTICIPANT, COMMAND_LINE
    person: str = ""  # the name of the registration the line is about, when there is one


# Sentences: action -> function(details, who, locale) -> Message. « who » is the person's name.
Sentence = Callable[[Mapping[str, Any], str, str], Message]


def _v(details: Mapping[str, Any], name: str, locale: str) -> Message | str:
    return value_text(name, details.get(name), locale)


def _changed(message: Message) -> Sentence:
    """A sentence whose ``%(changes)s`` lists the fields changed (and ``%(who)s`` may name the
    person): ``message`` is marked with ``N_`` where it is written, for extraction."""

    def render(details, who, locale):
        params = {"changes": changes_text(details.get("changes") or {}, locale)}
        if "%(who)s" in message.msgid:
            params["who"] = who
        return Message(message.msgid, tuple(sorted(params.items())))

    return render


def _rescheduled(details, who, locale) -> Message:
    if "part_added" in details:
        what = N_("partie « %(part)s » ajoutée", part=str(details["part_added"]))
    elif "part_deleted" in details:
        what = N_("partie « %(part)s » supprimée", part=str(details["part_deleted"]))
    elif "part" in details:
        what = N_(
            "partie « %(part)s » : %(changes)s",
            part=str(details["part"]),
            changes=changes_text(details.get("changes") or {}, locale),
        )
    else:
        what = changes_text(details.get("changes") or {}, locale)
    return N_(
        "Horaires ou lieu changés après les inscriptions (%(what)s) : les inscrit·es reçoivent "
        "leur agenda mis à jour",
        what=what,
    )


def _moved(kind: str) -> Sentence:
    def render(details, who, locale):
        name = str(details.get(kind, ""))
        up = (details.get("offset") or 0) < 0
        if kind == "part":
            if up:
                return N_("Partie « %(name)s » montée d'un rang", name=name)
            return N_("Partie « %(name)s » descendue d'un rang", name=name)
        if up:
            return N_("Question « %(name)s » montée d'un rang", name=name)
        return N_("Question « %(name)s » descendue d'un rang", name=name)

    return render


def _cancelled(details, who, locale) -> Message:
    if details.get("because") == "invitation.replied":
        return N_(
            "Inscription de %(who)s annulée par sa réponse à l'invitation (%(reply)s)",
            who=who,
            reply=_v(details, "reply", locale),
        )
    return N_(
        "Inscription de %(who)s annulée (elle était %(before)s)",
        who=who,
        before=_v(details, "from", locale),
    )


def _computed(details, who, locale) -> Message:
    if "computed" in details:
        return N_(
            "Indemnités calculées : %(computed)s calculées, %(frozen)s déjà validées, "
            "%(corrected)s corrigées gardées, %(removed)s retirées, %(undeclared)s présent·es "
            "sans déclaration",
            computed=details.get("computed", 0),
            frozen=details.get("frozen", 0),
            corrected=details.get("kept_corrected", 0),
            removed=details.get("removed", 0),
            undeclared=details.get("undeclared", 0),
        )
    return N_("Indemnité de %(who)s calculée à nouveau", who=who)


def _replied(details, who, locale) -> Message:
    return N_(
        "Réponse à l'invitation : %(reply)s (avant : %(before)s)",
        reply=_v(details, "reply", locale),
        before=_v(details, "before", locale),
    )


def _imported_file(details, who, locale) -> Message:
    sent = (
        N_("confirmations envoyées")
        if details.get("send_invitations")
        else N_("aucun message envoyé")
    )
    return N_(
        "Import du fichier « %(file)s » : %(imported)s inscriptions importées (dont "
        "%(waitlisted)s sur liste d'attente), %(refused)s lignes refusées ; %(sent)s",
        file=str(details.get("file") or "CSV"),
        imported=details.get("imported", 0),
        waitlisted=details.get("waitlisted", 0),
        refused=details.get("refused", 0),
        sent=sent,
    )


def _purged(details, who, locale) -> Message:
    counts = {
        key: value
        for key, value in details.items()
        if key not in ("events_ended_before", "claims_before")
    }
    return N_(
        "Données personnelles effacées (événements terminés avant le %(before)s) : %(counts)s",
        before=_v(details, "events_ended_before", locale),
        counts=", ".join(f"{key.replace('_', ' ')} {value}" for key, value in counts.items()),
    )


SENTENCES: dict[str, Sentence] = {
    "event.created": lambda d, who, loc: N_(
        "Événement « %(title)s » créé", title=str(d.get("title", ""))
    ),
    "event.updated": _changed(N_("Événement modifié : %(changes)s")),
    "event.duplicated": lambda d, who, loc: N_(
        "Événement dupliqué : la copie « %(copy)s » commence le %(day)s",
        copy=str(d.get("copy", "")),
        day=_v(d, "first_day", loc),
    ),
    "event.duplicated_from": lambda d, who, loc: N_(
        "Événement créé en dupliquant « %(source)s », à partir du %(day)s",
        source=str(d.get("source", "")),
        day=_v(d, "first_day", loc),
    ),
    "event.status_changed": lambda d, who, loc: N_(
        "Statut de l'événement : %(old)s → %(new)s",
        old=EVENT_STATUSES.get(d.get("from"), _v(d, "from", loc)),
        new=EVENT_STATUSES.get(d.get("to"), _v(d, "to", loc)),
    ),
    "event.rescheduled": _rescheduled,
    "event.cancelled": lambda d, who, loc: N_(
        "Événement annulé : %(count)s inscriptions actives prévenues",
        count=d.get("registrations", 0),
    ),
    "event.organiser_added": lambda d, who, loc: N_(
        "%(email)s ajouté·e aux organisateurs", email=str(d.get("organiser", ""))
    ),
    "event.organiser_removed": lambda d, who, loc: N_(
        "%(email)s retiré·e des organisateurs", email=str(d.get("organiser", ""))
    ),
    "part.added": lambda d, who, loc: N_(
        "Partie « %(label)s » ajoutée : %(start)s → %(end)s, places : %(capacity)s",
        label=str(d.get("label", "")),
        start=_v(d, "starts_at", loc),
        end=_v(d, "ends_at", loc),
        capacity=_v(d, "capacity", loc),
    ),
    "part.updated": _changed(N_("Partie modifiée : %(changes)s")),
    "part.moved": _moved("part"),
    "part.deleted": lambda d, who, loc: N_(
        "Partie « %(label)s » supprimée", label=str(d.get("label", ""))
    ),
    "question.added": lambda d, who, loc: N_(
        "Question « %(label)s » ajoutée (%(kind)s)",
        label=str(d.get("label", "")),
        kind=_v(d, "kind", loc),
    ),
    "question.updated": _changed(N_("Question modifiée : %(changes)s")),
    "question.moved": _moved("question"),
    "question.deleted": lambda d, who, loc: N_(
        "Question « %(label)s » supprimée", label=str(d.get("label", ""))
    ),
    "registration.signed_up": lambda d, who, loc: N_(
        "%(who)s s'est inscrit·e par le formulaire public (%(status)s)",
        who=who,
        status=_v(d, "status", loc),
    ),
    "registration.added": lambda d, who, loc: N_(
        "%(who)s inscrit·e à la main (%(status)s)", who=who, status=_v(d, "status", loc)
    ),
    "registration.imported": lambda d, who, loc: N_(
        "%(who)s importé·e depuis la ligne %(line)s du fichier (%(status)s ; %(source)s)",
        who=who,
        line=d.get("line", "?"),
        status=_v(d, "status", loc),
        source=_v(d, "attendance", loc),
    ),
    "registration.updated": _changed(N_("Inscription de %(who)s modifiée : %(changes)s")),
    "registration.cancelled": _cancelled,
    "registration.confirmed_from_waitlist": lambda d, who, loc: N_(
        "%(who)s confirmé·e depuis la liste d'attente", who=who
    ),
    "registration.resent": lambda d, who, loc: N_(
        "Confirmation et lien personnel renvoyés à %(who)s", who=who
    ),
    "registrations.bulk": lambda d, who, loc: N_(
        "Action groupée « %(action)s » : %(done)s faite(s), %(skipped)s ignorée(s), "
        "%(unsent)s message(s) non envoyé(s)",
        action=str(d.get("action", "")),
        done=str(d.get("done", 0)),
        skipped=str(d.get("skipped", 0)),
        unsent=str(d.get("unsent", 0)),
    ),
    "registration.promoted": lambda d, who, loc: N_(
        "Une place s'est libérée : %(who)s passe de la liste d'attente à confirmé·e", who=who
    ),
    "registration.erased": lambda d, who, loc: N_(
        "Une personne a effacé son inscription et ses données"
    ),
    "import.committed": _imported_file,
    "compensation.computed": _computed,
    "declaration.saved": _changed(N_("Déclaration de frais de %(who)s enregistrée : %(changes)s")),
    "declaration.removed": lambda d, who, loc: N_(
        "Déclaration de frais de %(who)s retirée", who=who
    ),
    "claim.line_corrected": lambda d, who, loc: N_(
        "Ligne d'indemnité de %(who)s corrigée : %(changes)s (motif : %(reason)s)",
        who=who,
        changes=changes_text(d.get("changes") or {}, loc),
        reason=_v(d, "reason", loc),
    ),
    "claim.receipts_received": lambda d, who, loc: N_("Justificatifs de %(who)s reçus", who=who),
    "claim.receipts_not_received": lambda d, who, loc: N_(
        "Justificatifs de %(who)s marqués non reçus", who=who
    ),
    "claim.distance_checked": lambda d, who, loc: N_(
        "Distance de %(who)s vérifiée : %(km)s km aller-retour",
        who=who,
        km=_v(d, "round_trip_km", loc),
    ),
    "claim.transport_receipt": lambda d, who, loc: N_(
        "Transports en commun de %(who)s : %(amount)s de billets saisis",
        who=who,
        amount=_v(d, "amount", loc),
    ),
    "claim.validated": lambda d, who, loc: N_(
        "Indemnité de %(who)s validée : %(total)s", who=who, total=_v(d, "total", loc)
    ),
    "batch.created": lambda d, who, loc: N_(
        "Lot d'indemnités « %(name)s » créé", name=str(d.get("name", ""))
    ),
    "batch.paid": lambda d, who, loc: N_(
        "Lot d'indemnités n° %(batch)s payé le %(day)s",
        batch=d.get("batch", "?"),
        day=_v(d, "paid_on", loc),
    ),
    "invitations.sent": lambda d, who, loc: N_(
        "Invitations envoyées à %(count)s contacts : %(emails)s",
        count=d.get("invited", 0),
        emails=_v(d, "emails", loc),
    ),
    "invitation.replied": _replied,
    "message.sent": lambda d, who, loc: N_(
        "Message « %(subject)s » envoyé à %(sent)s personne(s) (%(audience)s) ; %(unsent)s non "
        "envoyé(s)",
        subject=str(d.get("subject", "")),
        sent=str(d.get("sent", 0)),
        audience=str(d.get("audience", "")),
        unsent=str(d.get("unsent", 0)),
    ),
    "invitations.reminded": lambda d, who, loc: N_(
        "Relance envoyée à %(count)s invité·es sans réponse", count=d.get("reminded", 0)
    ),
    "invitations.settings_changed": _changed(N_("Réglages des invitations : %(changes)s")),
    "invitations.attachment_added": lambda d, who, loc: N_(
        "Pièce jointe « %(file)s » ajoutée aux invitations", file=str(d.get("filename", ""))
    ),
    "invitations.attachment_removed": lambda d, who, loc: N_(
        "Pièce jointe « %(file)s » retirée des invitations", file=str(d.get("filename", ""))
    ),
    "attendance.checked_in": lambda d, who, loc: N_(
        "%(who)s pointé·e présent·e pour « %(part)s »", who=who, part=str(d.get("part", ""))
    ),
    "attendance.check_in_undone": lambda d, who, loc: N_(
        "Présence de %(who)s pour « %(part)s » annulée", who=who, part=str(d.get("part", ""))
    ),
    "attendance.walk_in": lambda d, who, loc: N_(
        "%(who)s ajouté·e sur place et pointé·e présent·e pour « %(part)s »",
        who=d.get("name") or who,
        part=str(d.get("part", "")),
    ),
    "attendance.certificates_sent": lambda d, who, loc: N_(
        "Attestations envoyées par courriel : %(queued)s ; %(done)s avaient déjà la leur",
        queued=d.get("queued", 0),
        done=d.get("already_sent", 0),
    ),
    "distances.replaced": lambda d, who, loc: N_(
        "Distancier remplacé : %(pairs)s trajets", pairs=d.get("pairs", 0)
    ),
    "account.created": lambda d, who, loc: N_(
        "Compte %(account)s créé", account=str(d.get("account", ""))
    ),
    "account.admin_granted": lambda d, who, loc: N_(
        "Droits d'administration donnés à %(account)s", account=str(d.get("account", ""))
    ),
    "account.admin_revoked": lambda d, who, loc: N_(
        "Droits d'administration retirés à %(account)s", account=str(d.get("account", ""))
    ),
    "account.unlocked": lambda d, who, loc: N_(
        "Connexion de %(account)s débloquée", account=str(d.get("account", ""))
    ),
    "account.password_set": lambda d, who, loc: N_(
        "Mot de passe de %(account)s remplacé", account=str(d.get("account", ""))
    ),
    "account.password_changed": lambda d, who, loc: N_(
        "Mot de passe de %(account)s changé", account=str(d.get("account", ""))
    ),
    "retention.purged": _purged,
    "mail.not_queued": lambda d, who, loc: N_(
        "Message « %(message)s » impossible à envoyer à %(to)s : %(reason)s",
        message=str(d.get("message", "")),
        to=str(d.get("to", "")),
        reason=str(d.get("reason", "")),
    ),
    "contacts.list_created": lambda d, who, loc: N_(
        "Liste de contacts « %(name)s » créée", name=str(d.get("name", ""))
    ),
    "contacts.list_deleted": lambda d, who, loc: N_(
        "Liste de contacts « %(name)s » supprimée", name=str(d.get("name", ""))
    ),
    "contacts.imported": lambda d, who, loc: N_(
        "Contacts importés dans la liste « %(name)s » : %(created)s nouveaux, %(added)s déjà "
        "connus ajoutés",
        name=str(d.get("name", "")),
        created=d.get("created", 0),
        added=d.get("added_to_list", 0),
    ),
    "contact.saved": lambda d, who, loc: N_("Contact enregistré"),
    "contact.deleted": lambda d, who, loc: N_("Contact supprimé"),
    "contact.unsubscribed": lambda d, who, loc: N_(
        "Un contact ne veut plus recevoir d'invitations"
    ),
}
# Where the person acting is the one the sentence names: no « par » after it.
SELF_EVIDENT = {
    "registration.signed_up",
    "registration.erased",
    "invitation.replied",
    "contact.unsubscribed",
}


def sentence(
    line: Line, locale: str = "fr", labels: Mapping[str, Message | str] | None = None
) -> Message:
    """The line as a sentence, with who did it. ``labels``: the actions' labels (used for an
    action without a sentence of its own, with its details)."""
    who = line.person or str(line.details.get("name") or "") or N_("une personne")
    render = SENTENCES.get(line.action)
    if render is not None:
        what = render(line.details, who, locale)
    else:
        label = (labels or {}).get(line.action) or line.action
        what = (
            N_("%(label)s (%(details)s)", label=label, details=details_text(line.details, locale))
            if line.details
            else Message("%(label)s", (("label", label),))
        )
    if line.actor in ("", PARTICIPANT):
        if line.action in SELF_EVIDENT:
            return what
        return N_("%(what)s, par la personne elle-même", what=what)
    if line.actor == COMMAND_LINE:
        return N_("%(what)s, en ligne de commande", what=what)
    return N_("%(what)s, par %(actor)s", what=what, actor=line.actor)
