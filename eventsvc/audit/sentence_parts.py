"""The pieces the journal's sentences are made of (``sentences``): the line a sentence is
about, getters that read and humanise one detail, and the sentences built by hand. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..common.wording import N_, Message
from .sentence_values import EVENT_STATUSES, changes_text, value_text

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


# How a sentence reads each of its parameters from a line: function(details, who, locale).
Getter = Callable[[Mapping[str, Any], str, str], Any]


def _who(details, who, locale):
    """The name of the person the line is about."""
    return who


def _named(details, who, locale):
    """The name the line's details give (a walk-in), else the person's."""
    return details.get("name") or who


def _changes(details, who, locale) -> Message:
    """The fields changed, each with its label and its values before and after."""
    return changes_text(details.get("changes") or {}, locale)


def _text(key: str, default: Any = "") -> Getter:
    """A detail as it was written (a title, a label, a file name)."""
    return lambda details, who, locale: str(details.get(key, default))


def _count(key: str, default: Any = 0) -> Getter:
    """A number of the details, as it is."""
    return lambda details, who, locale: details.get(key, default)


def _value(key: str) -> Getter:
    """A detail as the reader says it (:func:`sentence_values.value_text`)."""
    return lambda details, who, locale: _v(details, key, locale)


def _event_status(key: str) -> Getter:
    return lambda details, who, locale: EVENT_STATUSES.get(
        details.get(key), _v(details, key, locale)
    )


def _access(details, who, locale):
    """What an API token may do."""
    return N_("lecture et écriture") if details.get("write") else N_("lecture seule")


CALENDAR_ANSWERS = {
    "ACCEPTED": N_("accepte"),
    "DECLINED": N_("refuse"),
    "TENTATIVE": N_("peut-être (la réponse reste à donner)"),
}
CALENDAR_REASONS = {
    "forged": N_("l'organisateur indiqué n'est pas notre adresse"),
    "not_invitee": N_("elle ne vient pas de la personne invitée"),
    "stale": N_("plus ancienne que la dernière réponse"),
    "refused": N_("le coupon-réponse l'a refusée (inscriptions fermées, complet, déjà inscrit·e)"),
    "unsupported": N_("réponse inconnue"),
}


def _calendar_answer(key: str) -> Getter:
    return lambda details, who, locale: CALENDAR_ANSWERS.get(
        details.get(key), str(details.get(key, ""))
    )


def _calendar_reason(details, who, locale):
    return CALENDAR_REASONS.get(details.get("reason"), str(details.get("reason", "")))


def _says(text: Message, /, **getters: Getter) -> Sentence:
    """The sentence ``text`` (marked with ``N_`` where it is written, for extraction), each
    ``%(name)s`` read from the line by its getter."""

    def render(details, who, locale):
        params = {name: get(details, who, locale) for name, get in getters.items()}
        return Message(text.msgid, tuple(sorted(params.items())))

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


def _signed(details, who, locale) -> Message:
    """A signature at the desk: the first one (and the check-in), or taken again."""
    values = {
        "who": who,
        "part": str(details.get("part", "")),
        "signature": str(details.get("signature", "")),
        "sha": str(details.get("sha256", ""))[:16],
    }
    if details.get("supersedes"):
        return N_(
            "%(who)s a signé à nouveau pour « %(part)s » (signature n° %(signature)s, empreinte "
            "%(sha)s…, remplace la n° %(earlier)s)",
            earlier=str(details["supersedes"]),
            **values,
        )
    if details.get("captured_by") == "own_device":
        return N_(
            "%(who)s a signé sur son propre téléphone et est pointé·e présent·e pour « %(part)s » "
            "(signature n° %(signature)s, empreinte %(sha)s…)",
            **values,
        )
    return N_(
        "%(who)s a signé et est pointé·e présent·e pour « %(part)s » (signature n° "
        "%(signature)s, empreinte %(sha)s…)",
        **values,
    )


# Why a single sign-on was refused (auth/oidc_views.py); an unknown code reads as itself.
SIGN_ON_REFUSALS = {
    "domain_not_allowed": N_("pas de compte, et domaine non autorisé"),
    "inactive": N_("compte désactivé"),
    "no_email": N_("pas d'adresse électronique transmise"),
    "email_not_verified": N_("adresse non vérifiée par le fournisseur"),
    "wrong_state": N_("paramètre state inconnu ou expiré"),
    "wrong_nonce": N_("nonce différent de celui envoyé"),
    "provider_invalid_grant": N_("code expiré ou déjà utilisé"),
    "provider_access_denied": N_("annulée ou refusée chez le fournisseur"),
    "provider_unreachable": N_("le fournisseur ne répond pas"),
}


def _sign_on_refusal(details, who, locale):
    reason = str(details.get("reason", ""))
    return SIGN_ON_REFUSALS.get(reason, reason)
