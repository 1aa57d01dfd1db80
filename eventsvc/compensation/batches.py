"""Batches: validated claims sent to finance together, exported as XLSX or CSV, then paid.

A batch takes the validated claims not yet in a batch whose first attended day falls in its
period (e.g. a quarter). The export holds one row per line and one per person, totals per kind
and a grand total (checked to equal the sum of the lines, to the cent), the scale versions used
with their references, the sign-in sheets that prove attendance, and the documents finance must
collect from each person: bank details are never stored by eventsvc. Functions flush; the caller
commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from ..audit import service as audit
from ..common.wording import N_
from ..database import utcnow
from ..events.models import Event
from ..exports import tabular
from ..extensions import db
from . import catalogue, claim_review, rules_states
from . import claims as claims_service
from .models import Claim, ClaimBatch, ClaimStatus
from .rules import LineKind, PaymentForm, Unit, money

ZERO = Decimal(0)

KIND_LABELS = {
    LineKind.MILEAGE: "Indemnités kilométriques (voiture)",
    LineKind.TWO_WHEELER: "Indemnités kilométriques (deux-roues)",
    LineKind.CARPOOLING: "Covoiturage (passagers, non indemnisé)",
    LineKind.MEAL: "Repas",
    LineKind.CHILDCARE: "Garde d'enfants",
    LineKind.TIME: "Temps passé",
    LineKind.PUBLIC_TRANSPORT: "Transports en commun",
}


class BatchError(claims_service.ClaimError):
    pass


def create_batch(
    name: str,
    start: date,
    end: date,
    *,
    by: str = "",
    event_ids: Iterable[int] | None = None,
    actor=None,
    actor_label: str | None = None,
) -> ClaimBatch:
    """Group the validated, unbatched claims whose first day is in [start, end]; only those of
    ``event_ids`` when given (the dashboard passes the events of the organiser).

    Refused while an event of these claims has not ended (its last part). A claim « à
    compléter » is never in a batch: only validated claims are, and validation refuses those."""
    if not name.strip():
        raise BatchError(N_("Donnez un nom au lot, par exemple « 2024 T2 »."))
    if end < start:
        raise BatchError(N_("La fin de la période précède son début : inversez les dates."))
    chosen = unbatched(start, end, lock=True, event_ids=event_ids)
    if not chosen:
        raise BatchError(
            N_(
                "Aucune indemnité validée hors lot entre le %(start)s et le %(end)s : rien à "
                "regrouper.",
                start=start,
                end=end,
            )
        )
    now = utcnow()
    for event in {claim.event_id: claim.event for claim in chosen}.values():
        parts = claims_service.part_ends(event)
        if (not_yet := rules_states.batch_opens(event.title, parts, now)) is not None:
            raise BatchError(not_yet)
    batch = ClaimBatch(name=name.strip(), period_start=start, period_end=end, created_by=by)
    db.session.add(batch)
    for claim in chosen:
        claim.batch = batch
    db.session.flush()
    _audit(batch, "batch.created", {"name": batch.name}, actor, actor_label)
    return batch


def _audit(batch: ClaimBatch, action: str, details: dict, actor, actor_label) -> None:
    """One line in the log of each event whose claims are in the batch."""
    for event_id in sorted({claim.event_id for claim in batch.claims}):
        audit.record(
            action,
            actor=actor,
            actor_label=actor_label,
            event=db.session.get(Event, event_id),
            details={"batch": batch.id, **details},
        )


def unbatched(
    start: date | None = None,
    end: date | None = None,
    *,
    lock=False,
    event_ids: Iterable[int] | None = None,
) -> list[Claim]:
    """Validated claims in no batch yet; ``lock`` holds them so two batches never share one."""
    query = select(Claim).where(Claim.status == ClaimStatus.VALIDATED, Claim.batch_id.is_(None))
    if event_ids is not None:
        query = query.where(Claim.event_id.in_(list(event_ids)))
    if start is not None:
        query = query.where(Claim.first_day >= start)
    if end is not None:
        query = query.where(Claim.first_day <= end)
    query = query.order_by(Claim.first_day, Claim.id)
    if lock:
        query = query.with_for_update().execution_options(populate_existing=True)
    return list(db.session.scalars(query))


def batches(event_ids: Iterable[int] | None = None) -> list[ClaimBatch]:
    """Every batch; with ``event_ids``, only the batches all of whose claims belong to those
    events (an organiser sees a batch only if it holds nothing of another organiser's events)."""
    query = select(ClaimBatch).order_by(ClaimBatch.id)
    if event_ids is not None:
        ids = list(event_ids)
        query = query.where(
            ClaimBatch.claims.any(),
            ~ClaimBatch.claims.any(Claim.event_id.not_in(ids)),
        )
    return list(db.session.scalars(query))


def batch_within(batch_id: int, event_ids: Iterable[int]) -> ClaimBatch | None:
    """The batch if all its claims belong to ``event_ids`` (see ``batches``), else None."""
    ids = set(event_ids)
    batch = get_batch(batch_id)
    if batch is None or not batch.claims or any(c.event_id not in ids for c in batch.claims):
        return None
    return batch


def get_batch(batch_id: int) -> ClaimBatch | None:
    return db.session.get(ClaimBatch, batch_id)


def mark_paid(
    batch: ClaimBatch, on: date, *, by: str = "", actor=None, actor_label: str | None = None
) -> None:
    db.session.refresh(batch, with_for_update=True)
    if batch.paid_on is not None:
        raise BatchError(
            N_("Ce lot est déjà marqué payé le %(day)s.", day=batch.paid_on),
        )
    batch.paid_on = on
    batch.paid_recorded_by = by
    batch.paid_recorded_at = utcnow()
    for claim in batch.claims:
        claim.status = ClaimStatus.PAID
        claim.paid_on = on
    db.session.flush()
    _audit(batch, "batch.paid", {"paid_on": on}, actor, actor_label)


# --- Export --------------------------------------------------------------------------------------

LINE_HEADER = [
    "Indemnité n°",
    "Nom",
    "Commune ou adresse",
    "Événement",
    "Jour",
    "Nature",
    "Description",
    "Quantité",
    "Unité",
    "Taux (€)",
    "Montant (€)",
    "Forme de paiement",
    "Corrigée",
    "Motif de la correction",
]
PERSON_HEADER = [
    "Indemnité n°",
    "Nom",
    "Commune ou adresse",
    "Événement",
    "Date",
    "Barème",
    "Formes de paiement",
    "Lignes",
    "Total (€)",
    "Preuve de présence (feuilles d'émargement)",
    "Pièces à réunir",
    "Justificatifs reçus le",
    "Validée le",
    "Validée par",
]
UNIT_LABELS = {unit: unit.label.render() for unit in Unit}
PAYMENT_LABELS = {form: form.label.render() for form in PaymentForm}


CSV_HEADER = ["Type", *LINE_HEADER, "Remarque"]


@dataclass(frozen=True)
class BatchExport:
    """The rows of a batch's export; each row of ``lines``/``people`` is a dict by header."""

    batch: ClaimBatch
    lines: list[dict]
    people: list[dict]
    totals: list[tuple[str, Decimal]]  # per kind, then the grand total
    references: list[tuple[str, str]]  # the batch, scales used, sign-in sheets, what to collect
    grand_total: Decimal

    def csv(self) -> bytes:
        """One file; its « Type » column says what each row is: ligne, personne, total par
        nature, total général, référence."""
        rows: list[list] = []
        rows += [_csv_row("ligne", line) for line in self.lines]
        for person in self.people:
            remark = (
                f"Barème {person['Barème']}. "
                f"Preuve de présence : {person[PERSON_HEADER[9]]}. "
                f"Pièces à réunir : {person['Pièces à réunir'] or 'aucune'}."
            )
            if person["Justificatifs reçus le"]:
                remark += f" Justificatifs reçus le {person['Justificatifs reçus le']}."
            remark += f" Validée le {person['Validée le']} par {person['Validée par']}."
            cells = {
                **{key: person[key] for key in LINE_HEADER[:4]},
                "Jour": person["Date"],
                "Description": f"{person['Lignes']} ligne(s)",
                "Montant (€)": person["Total (€)"],
                "Forme de paiement": person["Formes de paiement"],
                "Remarque": remark,
            }
            rows.append(_csv_row("personne", cells))
        for label, amount in self.totals:
            kind = "total général" if label == GRAND_TOTAL else "total par nature"
            rows.append(_csv_row(kind, {"Nature": label, "Montant (€)": amount}))
        for what, text in self.references:
            rows.append(_csv_row("référence", {"Nature": what, "Description": text}))
        return tabular.csv_bytes(CSV_HEADER, rows)

    def xlsx(self) -> bytes:
        return tabular.workbook_bytes(
            {
                "Personnes": (PERSON_HEADER, ([p[h] for h in PERSON_HEADER] for p in self.people)),
                "Lignes": (LINE_HEADER, ([line[h] for h in LINE_HEADER] for line in self.lines)),
                "Totaux": (["Nature", "Montant (€)"], self.totals),
                "Références": (["Quoi", "Référence"], self.references),
            }
        )


def _csv_row(kind: str, cells: dict) -> list:
    return [kind, *(cells.get(column) for column in CSV_HEADER[1:])]


GRAND_TOTAL = "Total général"


def export(batch: ClaimBatch) -> BatchExport:
    """Everything finance needs, in French; refuses if the totals do not reconcile."""
    lines, people, scales, sheets = [], [], set(), {}
    by_kind: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for claim in sorted(batch.claims, key=lambda c: (c.payee_name.casefold(), c.id)):
        event = claim.event
        scales.add(claim.scale_id)
        for line in claim.lines:
            by_kind[line.kind] += line.amount
            lines.append(
                {
                    "Indemnité n°": claim.id,
                    "Nom": claim.payee_name,
                    "Commune ou adresse": claim.payee_origin,
                    "Événement": event.title,
                    "Jour": line.day,
                    "Nature": KIND_LABELS.get(LineKind(line.kind), line.kind),
                    "Description": line.description,
                    "Quantité": _plain(line.quantity),
                    "Unité": UNIT_LABELS.get(Unit(line.unit), line.unit),
                    "Taux (€)": _plain(line.rate),
                    "Montant (€)": line.amount,
                    "Forme de paiement": PAYMENT_LABELS.get(
                        PaymentForm(line.payment_form), line.payment_form
                    ),
                    "Corrigée": "oui" if line.corrected else "",
                    "Motif de la correction": line.correction_reason,
                }
            )
        proof = []
        for part in claim.attended:
            sheets[part["sheet"]] = (event.title, part["label"], part["start"], part["end"])
            proof.append(f"{part['sheet']} ({part['label']}, {part['start'][:10]})")
        forms = {
            PAYMENT_LABELS[PaymentForm(line.payment_form)] for line in claim.lines if line.amount
        }
        documents = claim_review.required_documents(claim)
        people.append(
            {
                "Indemnité n°": claim.id,
                "Nom": claim.payee_name,
                "Commune ou adresse": claim.payee_origin,
                "Événement": event.title,
                "Date": claim.first_day,
                "Barème": claim.scale_id,
                "Formes de paiement": ", ".join(sorted(forms)),
                "Lignes": len(claim.lines),
                "Total (€)": claim.total,
                PERSON_HEADER[9]: "; ".join(proof),
                "Pièces à réunir": ", ".join(doc.render() for doc in documents),
                "Justificatifs reçus le": _day(claim.receipts_received_at, event.zone),
                "Validée le": _day(claim.validated_at, event.zone),
                "Validée par": claim.validated_by,
            }
        )
    grand_total = money(sum(by_kind.values(), ZERO))
    _reconcile(
        grand_total,
        [line["Montant (€)"] for line in lines],
        [person["Total (€)"] for person in people],
    )
    totals = [(KIND_LABELS[kind], money(by_kind[kind])) for kind in LineKind if kind in by_kind]
    totals.append((GRAND_TOTAL, grand_total))
    references = [("Lot", _batch_label(batch))]
    for scale_id in sorted(scales):
        scale = catalogue.find_scale(scale_id)
        references.append(
            (
                f"Barème {scale.id}",
                f"{scale.name}, en vigueur à partir du {scale.valid_from.isoformat()}. "
                f"{scale.reference}",
            )
        )
    for reference, (title, label, start, end) in sorted(sheets.items()):
        references.append(
            (
                f"Feuille d'émargement {reference}",
                f"{title}, {label}, le {start[:10]} de {start[11:16]} à {end[11:16]}",
            )
        )
    references.append(
        (
            "Pièces à réunir",
            "RIB de chaque personne payée par virement (eventsvc ne conserve aucune coordonnée "
            "bancaire), carte grise du véhicule pour les indemnités kilométriques, "
            "justificatifs pour les transports en commun et la garde d'enfants.",
        )
    )
    return BatchExport(batch, lines, people, totals, references, grand_total)


def _plain(value: Decimal) -> Decimal:
    """50.0000 → 50, 0.4100 → 0.41: as few decimals as the value needs."""
    normalised = value.normalize()
    return normalised.quantize(Decimal(1)) if normalised == normalised.to_integral() else normalised


def _day(moment, zone) -> date | None:
    """The local date of a stored (UTC) moment."""
    return moment.astimezone(zone).date() if moment is not None else None


def _batch_label(batch: ClaimBatch) -> str:
    label = (
        f"{batch.name} (n° {batch.id}), indemnités du {batch.period_start.isoformat()} au "
        f"{batch.period_end.isoformat()}"
    )
    if batch.paid_on:
        label += f", payé le {batch.paid_on.isoformat()}"
    return label


def _reconcile(grand_total: Decimal, line_amounts: list, person_totals: list) -> None:
    """The grand total must equal the lines and the people, to the cent: never export otherwise."""
    if money(sum(line_amounts, ZERO)) != grand_total or money(sum(person_totals, ZERO)) != (
        grand_total
    ):
        raise BatchError(
            N_(
                "Les totaux du lot ne concordent pas (lignes, personnes, total général) : "
                "recalculez les indemnités concernées avant d'exporter."
            )
        )
