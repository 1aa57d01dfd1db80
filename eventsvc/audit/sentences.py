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

from collections.abc import Mapping

from ..common.wording import N_, Message
from .sentence_parts import (
    COMMAND_LINE,
    PARTICIPANT,
    Line,
    Sentence,
    _access,
    _calendar_answer,
    _calendar_reason,
    _cancelled,
    _changes,
    _computed,
    _count,
    _event_status,
    _imported_file,
    _moved,
    _named,
    _purged,
    _rescheduled,
    _says,
    _sign_on_refusal,
    _signed,
    _text,
    _value,
    _who,
)
from .sentence_values import details_text
from .sentences_webhooks import WEBHOOK_SENTENCES

SENTENCES: dict[str, Sentence] = {
    "event.created": _says(N_("Événement « %(title)s » créé"), title=_text("title")),
    "event.updated": _says(N_("Événement modifié : %(changes)s"), changes=_changes),
    "event.duplicated": _says(
        N_("Événement dupliqué : la copie « %(copy)s » commence le %(day)s"),
        copy=_text("copy"),
        day=_value("first_day"),
    ),
    "event.duplicated_from": _says(
        N_("Événement créé en dupliquant « %(source)s », à partir du %(day)s"),
        source=_text("source"),
        day=_value("first_day"),
    ),
    "event.status_changed": _says(
        N_("Statut de l'événement : %(old)s → %(new)s"),
        old=_event_status("from"),
        new=_event_status("to"),
    ),
    "event.rescheduled": _rescheduled,
    "event.cancelled": _says(
        N_("Événement annulé : %(count)s inscriptions actives prévenues"),
        count=_count("registrations"),
    ),
    "event.organiser_added": _says(
        N_("%(email)s ajouté·e aux organisateurs"), email=_text("organiser")
    ),
    "event.organiser_removed": _says(
        N_("%(email)s retiré·e des organisateurs"), email=_text("organiser")
    ),
    "part.added": _says(
        N_("Partie « %(label)s » ajoutée : %(start)s → %(end)s, places : %(capacity)s"),
        label=_text("label"),
        start=_value("starts_at"),
        end=_value("ends_at"),
        capacity=_value("capacity"),
    ),
    "part.updated": _says(N_("Partie modifiée : %(changes)s"), changes=_changes),
    "part.moved": _moved("part"),
    "part.deleted": _says(N_("Partie « %(label)s » supprimée"), label=_text("label")),
    "question.added": _says(
        N_("Question « %(label)s » ajoutée (%(kind)s)"), label=_text("label"), kind=_value("kind")
    ),
    "question.updated": _says(N_("Question modifiée : %(changes)s"), changes=_changes),
    "question.moved": _moved("question"),
    "question.deleted": _says(N_("Question « %(label)s » supprimée"), label=_text("label")),
    "registration.signed_up": _says(
        N_("%(who)s s'est inscrit·e par le formulaire public (%(status)s)"),
        who=_who,
        status=_value("status"),
    ),
    "registration.added": _says(
        N_("%(who)s inscrit·e à la main (%(status)s)"), who=_who, status=_value("status")
    ),
    "registration.imported": _says(
        N_("%(who)s importé·e depuis la ligne %(line)s du fichier (%(status)s ; %(source)s)"),
        who=_who,
        line=_count("line", "?"),
        status=_value("status"),
        source=_value("attendance"),
    ),
    "registration.updated": _says(
        N_("Inscription de %(who)s modifiée : %(changes)s"), who=_who, changes=_changes
    ),
    "registration.cancelled": _cancelled,
    "registration.confirmed_from_waitlist": _says(
        N_("%(who)s confirmé·e depuis la liste d'attente"), who=_who
    ),
    "registration.resent": _says(N_("Confirmation et lien personnel renvoyés à %(who)s"), who=_who),
    "registrations.bulk": _says(
        N_(
            "Action groupée « %(action)s » : %(done)s faite(s), %(skipped)s ignorée(s), "
            "%(unsent)s message(s) non envoyé(s)"
        ),
        action=_text("action"),
        done=_text("done", 0),
        skipped=_text("skipped", 0),
        unsent=_text("unsent", 0),
    ),
    "registration.promoted": _says(
        N_("Une place s'est libérée : %(who)s passe de la liste d'attente à confirmé·e"),
        who=_who,
    ),
    "registration.erased": _says(N_("Une personne a effacé son inscription et ses données")),
    "import.committed": _imported_file,
    "compensation.computed": _computed,
    "declaration.saved": _says(
        N_("Déclaration de frais de %(who)s enregistrée : %(changes)s"),
        who=_who,
        changes=_changes,
    ),
    "declaration.removed": _says(N_("Déclaration de frais de %(who)s retirée"), who=_who),
    "claim.line_corrected": _says(
        N_("Ligne d'indemnité de %(who)s corrigée : %(changes)s (motif : %(reason)s)"),
        who=_who,
        changes=_changes,
        reason=_value("reason"),
    ),
    "claim.receipts_received": _says(N_("Justificatifs de %(who)s reçus"), who=_who),
    "claim.receipts_not_received": _says(
        N_("Justificatifs de %(who)s marqués non reçus"), who=_who
    ),
    "claim.distance_checked": _says(
        N_("Distance de %(who)s vérifiée : %(km)s km aller-retour"),
        who=_who,
        km=_value("round_trip_km"),
    ),
    "claim.childcare_set_aside": _says(
        N_("Garde d'enfants de %(who)s non payée : %(reason)s"), who=_who, reason=_value("reason")
    ),
    "claim.transport_receipt": _says(
        N_("Transports en commun de %(who)s : %(amount)s de billets saisis"),
        who=_who,
        amount=_value("amount"),
    ),
    "claim.validated": _says(
        N_("Indemnité de %(who)s validée : %(total)s"), who=_who, total=_value("total")
    ),
    "batch.created": _says(N_("Lot d'indemnités « %(name)s » créé"), name=_text("name")),
    "batch.paid": _says(
        N_("Lot d'indemnités n° %(batch)s payé le %(day)s"),
        batch=_count("batch", "?"),
        day=_value("paid_on"),
    ),
    "invitations.sent": _says(
        N_("Invitations envoyées à %(count)s contacts : %(emails)s"),
        count=_count("invited"),
        emails=_value("emails"),
    ),
    "invitation.replied": _says(
        N_("Réponse à l'invitation : %(reply)s (avant : %(before)s)"),
        reply=_value("reply"),
        before=_value("before"),
    ),
    "invitation.calendar_replied": _says(
        N_("Réponse depuis le calendrier : %(partstat)s"), partstat=_calendar_answer("partstat")
    ),
    "invitation.calendar_reply_ignored": _says(
        N_(
            "Réponse depuis le calendrier (%(partstat)s, %(attendee)s) laissée de côté : %(reason)s"
        ),
        partstat=_calendar_answer("partstat"),
        attendee=_text("attendee"),
        reason=_calendar_reason,
    ),
    "message.sent": _says(
        N_(
            "Message « %(subject)s » envoyé à %(sent)s personne(s) (%(audience)s) ; %(unsent)s "
            "non envoyé(s)"
        ),
        subject=_text("subject"),
        sent=_text("sent", 0),
        audience=_text("audience"),
        unsent=_text("unsent", 0),
    ),
    "invitations.reminded": _says(
        N_("Relance envoyée à %(count)s invité·es sans réponse"), count=_count("reminded")
    ),
    "reminders.sent": _says(
        N_("Rappel avant l'événement envoyé à %(count)s participant·es confirmé·es"),
        count=_count("count"),
    ),
    "invitations.settings_changed": _says(
        N_("Réglages des invitations : %(changes)s"), changes=_changes
    ),
    "invitations.attachment_added": _says(
        N_("Pièce jointe « %(file)s » ajoutée aux invitations"), file=_text("filename")
    ),
    "invitations.attachment_removed": _says(
        N_("Pièce jointe « %(file)s » retirée des invitations"), file=_text("filename")
    ),
    "attendance.checked_in": _says(
        N_("%(who)s pointé·e présent·e pour « %(part)s »"), who=_who, part=_text("part")
    ),
    "attendance.check_in_undone": _says(
        N_("Présence de %(who)s pour « %(part)s » annulée"), who=_who, part=_text("part")
    ),
    "attendance.walk_in": _says(
        N_("%(who)s ajouté·e sur place et pointé·e présent·e pour « %(part)s »"),
        who=_named,
        part=_text("part"),
    ),
    "attendance.signed": _signed,
    "attendance.sign_link_sent": _says(
        N_("Lien pour signer « %(part)s » sur son téléphone envoyé par courriel"),
        part=_text("part"),
    ),
    "attendance.countersigned": _says(
        N_(
            "Partie « %(part)s » contre-signée par %(name)s (signature n° %(signature)s, "
            "empreinte %(sha)s…)"
        ),
        part=_text("part"),
        name=_text("name"),
        signature=_text("signature"),
        sha=lambda details, who, locale: str(details.get("sha256", ""))[:16],
    ),
    "attendance.certificates_sent": _says(
        N_("Attestations envoyées par courriel : %(queued)s ; %(done)s avaient déjà la leur"),
        queued=_count("queued"),
        done=_count("already_sent"),
    ),
    "job.started": _says(N_("Travail lancé en arrière-plan : « %(title)s »"), title=_text("title")),
    "registrations.exported": _says(
        N_("Fichier %(format)s de %(rows)s inscription(s) préparé pour le téléchargement"),
        format=_text("format"),
        rows=_count("rows"),
    ),
    "distances.replaced": _says(
        N_("Distancier remplacé : %(pairs)s trajets"), pairs=_count("pairs")
    ),
    "account.created": _says(N_("Compte %(account)s créé"), account=_text("account")),
    "account.admin_granted": _says(
        N_("Droits d'administration donnés à %(account)s"), account=_text("account")
    ),
    "account.admin_revoked": _says(
        N_("Droits d'administration retirés à %(account)s"), account=_text("account")
    ),
    "account.unlocked": _says(N_("Connexion de %(account)s débloquée"), account=_text("account")),
    "account.password_set": _says(
        N_("Mot de passe de %(account)s remplacé"), account=_text("account")
    ),
    "account.password_changed": _says(
        N_("Mot de passe de %(account)s changé"), account=_text("account")
    ),
    "auth.oidc_login": _says(
        N_("Connexion de %(account)s par %(provider)s"),
        account=_text("account"),
        provider=_text("provider"),
    ),
    "auth.oidc_refused": _says(
        N_("Connexion par %(provider)s refusée pour « %(account)s » (%(reason)s)"),
        provider=_text("provider"),
        account=_text("account"),
        reason=_sign_on_refusal,
    ),
    "retention.purged": _purged,
    "mail.not_queued": _says(
        N_("Message « %(message)s » impossible à envoyer à %(to)s : %(reason)s"),
        message=_text("message"),
        to=_text("to"),
        reason=_text("reason"),
    ),
    "contacts.list_created": _says(N_("Liste de contacts « %(name)s » créée"), name=_text("name")),
    "contacts.list_deleted": _says(
        N_("Liste de contacts « %(name)s » supprimée"), name=_text("name")
    ),
    "contacts.imported": _says(
        N_(
            "Contacts importés dans la liste « %(name)s » : %(created)s nouveaux, %(added)s "
            "déjà connus ajoutés"
        ),
        name=_text("name"),
        created=_count("created"),
        added=_count("added_to_list"),
    ),
    "contact.saved": _says(N_("Contact enregistré")),
    "contact.deleted": _says(N_("Contact supprimé")),
    "contact.unsubscribed": _says(N_("Un contact ne veut plus recevoir d'invitations")),
    "registration.api_added": _says(
        N_("%(who)s inscrit·e par un outil de l'organisateur (%(status)s)"),
        who=_who,
        status=_value("status"),
    ),
    "api_token.created": _says(
        N_("Jeton d'API « %(name)s » créé (%(access)s)"), name=_text("name"), access=_access
    ),
    "api_token.revoked": _says(N_("Jeton d'API « %(name)s » révoqué"), name=_text("name")),
    "body.saved": _says(
        N_("Instance « %(name)s » enregistrée (quorum, pouvoirs, délai de convocation)"),
        name=_text("name"),
    ),
    "body.removed": _says(
        N_("« %(name)s » n'est plus une instance : simple liste de contacts"), name=_text("name")
    ),
    "body.member_saved": _says(
        N_("Fonction ou mandat d'un membre de « %(name)s » enregistré"), name=_text("name")
    ),
    "meeting.changed": _says(N_("Réunion de l'instance « %(name)s »"), name=_text("name")),
    "meeting.late_notice_confirmed": _says(
        N_("Convocation envoyée après le délai (elle devait partir au plus tard le %(due)s)"),
        due=_value("due"),
    ),
    "pouvoir.given": _says(
        N_("Pouvoir de %(giver)s donné à %(holder)s"),
        giver=_text("giver"),
        holder=_text("holder"),
    ),
    "pouvoir.revoked": _says(
        N_("Pouvoir de %(giver)s à %(holder)s révoqué"),
        giver=_text("giver"),
        holder=_text("holder"),
    ),
    "pouvoir.lapsed": _says(
        N_("Pouvoir de %(giver)s à %(holder)s caduc : l'un des deux ne sera pas là comme prévu"),
        giver=_text("giver"),
        holder=_text("holder"),
    ),
}
for _action, _text_of in WEBHOOK_SENTENCES.items():
    SENTENCES[_action] = _says(
        _text_of, url=_text("url"), type=_text("type"), events=_value("events")
    )
# Where the person acting is the one the sentence names: no « par » after it.
SELF_EVIDENT = {
    "registration.signed_up",
    "registration.erased",
    "invitation.replied",
    "invitation.calendar_replied",
    "invitation.calendar_reply_ignored",  # the message names who sent it
    "contact.unsubscribed",
    "pouvoir.lapsed",  # a reply's consequence: the sentence says why
    "reminders.sent",  # sent by the delivery loop, which is no one (the command line says so)
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
    what = _who_did(line, what)
    if line.details.get("via") == "api":
        return N_("%(what)s via l'API", what=what)
    return what


def _who_did(line: Line, what: Message) -> Message:
    if line.actor in ("", PARTICIPANT):
        if line.action in SELF_EVIDENT:
            return what
        return N_("%(what)s, par la personne elle-même", what=what)
    if line.actor == COMMAND_LINE:
        return N_("%(what)s, en ligne de commande", what=what)
    return N_("%(what)s, par %(actor)s", what=what, actor=line.actor)
