"""The words of the journal's sentences (:mod:`sentences`): field labels and values as people say
them (statuses, yes/no, dates and times in the reader's language, amounts). Pure."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any

from ..common.wording import N_, Amount, Message, date_text

LONG_TEXT = 80  # characters of a comment or description shown in a sentence


FIELD_LABELS: dict[str, Message] = {
    # The event
    "title": N_("titre"),
    "slug": N_("adresse de la page"),
    "description": N_("description"),
    "venue_name": N_("lieu"),
    "venue_address": N_("adresse du lieu"),
    "venue_commune": N_("commune du lieu"),
    "timezone": N_("fuseau horaire"),
    "capacity": N_("places"),
    "registration_opens_at": N_("ouverture des inscriptions"),
    "registration_closes_at": N_("clôture des inscriptions"),
    "organiser_name": N_("nom de l'organisateur"),
    "organiser_email": N_("courriel de l'organisateur"),
    "lunch_provided": N_("déjeuner fourni"),
    "signature_mode": N_("émargement à l'accueil"),
    "compensation_offered": N_("indemnisation proposée"),
    "compensation_scale": N_("barème d'indemnisation"),
    "reminder_hours_before": N_("rappel aux participants (heures avant)"),
    "reminder_text": N_("texte du rappel"),
    "confirmation_text": N_("texte ajouté à la confirmation"),
    "invitation_text": N_("texte ajouté à l'invitation"),
    "first_day": N_("premier jour"),
    "sequence": N_("version du calendrier"),
    # Parts and questions
    "label": N_("intitulé"),
    "starts_at": N_("début"),
    "ends_at": N_("fin"),
    "kind": N_("type"),
    "choices": N_("choix"),
    "required": N_("obligatoire"),
    "part": N_("partie"),
    "part_added": N_("partie ajoutée"),
    "part_deleted": N_("partie supprimée"),
    # A registration
    "first_name": N_("prénom"),
    "last_name": N_("nom"),
    "organisation": N_("organisation"),
    "email": N_("adresse électronique"),
    "full_day": N_("toute la journée"),
    "parts": N_("parties"),
    "arrival_time": N_("heure d'arrivée"),
    "departure_time": N_("heure de départ"),
    "comment": N_("commentaire"),
    "answers": N_("réponses aux questions"),
    "status": N_("statut"),
    # The travel declaration and claims
    "origin": N_("lieu de départ"),
    "transport": N_("moyen de transport"),
    "fiscal_horsepower": N_("chevaux fiscaux"),
    "round_trip_km": N_("distance aller-retour (km)"),
    "distance_from_table": N_("distance prise dans le distancier"),
    "table_round_trip_km": N_("distance du distancier (km)"),
    "childcare_needed": N_("garde d'enfants"),
    "childcare_hours": N_("heures de garde"),
    "note": N_("note"),
    "quantity": N_("quantité"),
    "rate": N_("taux"),
    "amount": N_("montant"),
    "total": N_("total"),
    "reason": N_("motif"),
    # Invitations
    "invitation_only": N_("sur invitation"),
    "reminder_days_before": N_("relance automatique (jours avant)"),
    "filename": N_("fichier"),
    "size": N_("taille (octets)"),
}

STATUSES = {
    # registrations
    "confirmed": N_("confirmée"),
    "waitlisted": N_("sur liste d'attente"),
    "cancelled": N_("annulée"),
    # events (and claims: draft, validated, paid)
    "draft": N_("brouillon"),
    "open": N_("ouvert aux inscriptions"),
    "closed": N_("inscriptions closes"),
    "validated": N_("validée"),
    "paid": N_("payée"),
}
# An event's statuses: as above, but an event is « annulé » where a registration is « annulée ».
EVENT_STATUSES = {
    **{status: STATUSES[status] for status in ("draft", "open", "closed")},
    "cancelled": N_("annulé"),
}
REPLIES = {
    "none": N_("pas encore de réponse"),
    "yes": N_("participera"),
    "no": N_("excusé·e"),
    "represented": N_("se fait représenter"),
}
TRANSPORTS = {
    "car_driver": N_("voiture (conducteur·rice)"),
    "car_passenger": N_("covoiturage (passager·ère)"),
    "motorcycle": N_("moto"),
    "moped": N_("deux-roues motorisé"),
    "public_transport": N_("transports en commun"),
    "bike_or_foot": N_("vélo ou à pied"),
    "other": N_("autre"),
}
QUESTION_KINDS = {
    "text": N_("texte court"),
    "long_text": N_("texte long"),
    "single_choice": N_("choix unique"),
    "multiple_choice": N_("choix multiples"),
}
IMPORT_SOURCES = {
    "form": N_("toute la journée, comme dans le fichier"),
    "comment": N_("présence lue dans le commentaire, confirmée"),
    "default": N_("toutes les parties, à préciser"),
    "organiser": N_("présence choisie par l'organisateur"),
}
VALUES_BY_FIELD = {
    "status": STATUSES,
    "from": STATUSES,
    "to": STATUSES,
    "reply": REPLIES,
    "before": REPLIES,
    "transport": TRANSPORTS,
    "kind": QUESTION_KINDS,
    "attendance": IMPORT_SOURCES,
}
MONEY_FIELDS = {"amount", "total", "rate"}


def field_label(name: str) -> Message | str:
    """A field's name for people: from the table, else the key made readable."""
    return FIELD_LABELS.get(name) or name.replace("_", " ")


def value_text(name: str, value: Any, locale: str = "fr") -> Message | str:
    """A value as the reader says it: « oui », « confirmée », « 15 janvier 2031 », « 12,50 € »."""
    if value is None or value == "" or value == []:
        return N_("(vide)")
    if isinstance(value, bool):
        return N_("oui") if value else N_("non")
    if isinstance(value, str) and value in VALUES_BY_FIELD.get(name, {}):
        return VALUES_BY_FIELD[name][value]
    if name in MONEY_FIELDS and isinstance(value, str | int | float):
        try:
            return Amount(Decimal(str(value)))
        except InvalidOperation:
            return value
    if isinstance(value, list):
        return _listed([value_text(name, item, locale) for item in value])
    if isinstance(value, dict):  # the answers, by question: their values say enough
        return _listed([value_text("", item, locale) for item in value.values()])
    if isinstance(value, str):
        moment = _moment(value, locale)
        if moment is not None:
            return moment
        return value if len(value) <= LONG_TEXT else value[: LONG_TEXT - 1].rstrip() + "…"
    return str(value)


def _moment(text: str, locale: str) -> str | None:
    """ISO dates, times and moments (as the log stores them) in the reader's language."""
    if len(text) < 5 or not text[:2].isdigit():
        return None
    try:
        if len(text) == 10:
            return date_text(date.fromisoformat(text), locale)
        if "T" in text:
            moment = datetime.fromisoformat(text)  # shown at the offset it was written with
            return f"{date_text(moment.date(), locale)}, {moment.strftime('%H:%M')}"
        return time.fromisoformat(text).strftime("%H:%M")
    except ValueError:
        return None


def _listed(items: list) -> Message | str:
    """Values joined with commas, each still translated when the whole is rendered."""
    if not items:
        return N_("(vide)")
    joined = items[0]
    for item in items[1:]:
        joined = Message("%(first)s, %(then)s", (("first", joined), ("then", item)))
    return joined


def changes_text(changes: Mapping[str, Any], locale: str = "fr") -> Message:
    """« titre : « A » → « B » ; places : 30 → 40 »."""
    parts = []
    for name, change in changes.items():
        old, new = change if isinstance(change, list) and len(change) == 2 else (None, change)
        parts.append(
            N_(
                "%(field)s : %(old)s → %(new)s",
                field=field_label(name),
                old=value_text(name, old, locale),
                new=value_text(name, new, locale),
            )
        )
    return _joined(parts)


def details_text(details: Mapping[str, Any], locale: str = "fr") -> Message:
    """Any details, each field with its label: what an unknown action shows."""
    parts = []
    for name, value in details.items():
        if name == "changes" and isinstance(value, dict):
            parts.append(changes_text(value, locale))
        else:
            parts.append(
                N_(
                    "%(field)s : %(value)s",
                    field=field_label(name),
                    value=value_text(name, value, locale),
                )
            )
    return _joined(parts)


def _joined(parts: list[Message]) -> Message:
    if not parts:
        return N_("(sans détail)")
    joined = parts[0]
    for part in parts[1:]:
        joined = N_("%(first)s ; %(then)s", first=joined, then=part)
    return joined
