"""The organiser's compensation pages, through HTTP: event settings, distance table, claims
(compute, correct, validate), batches (create, export, paid), and who may see what."""

import csv
import io
from datetime import date
from decimal import Decimal

import flask_babel
import pytest
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from eventsvc.attendance import service as attendance_service
from eventsvc.audit.models import AuditEvent
from eventsvc.compensation import claim_operations, claim_review, claims, declarations, distances
from eventsvc.compensation.models import Claim, ClaimBatch, ClaimLine, ClaimStatus
from eventsvc.events.models import Event
from eventsvc.extensions import db

from .factories import (
    FIXTURES,
    ORGANISER_PASSWORD,
    app_config,  # noqa: F401 - the organisation's own scale file
    checked_person,
    csrf_token,
    driver,
    login,
    person,
    post_form,
    study_day,
)

CENT = Decimal("0.01")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cents(value) -> Decimal:
    return Decimal(str(value).replace(",", ".")).quantize(CENT)


def logged_in(app, email):
    client = app.test_client()
    login(client, email, ORGANISER_PASSWORD)
    return client


@pytest.fixture
def may(app, make_organiser):
    """Alice's compensated study day of 2 May 2024 (fp scale), with Anne (driver, 120 km typed:
    not in the empty distance table, so flagged) and a hostile name, both checked in."""
    event = study_day(date(2024, 5, 2), "mai")
    make_organiser("alice@example.org", events=[event], admin=True)  # replaces the distancier
    person(event, "anne@example.org", declared=driver(km="120"))
    person(
        event,
        "hostile@example.org",
        first="@admin",
        last='=HYPERLINK("http://evil.example","x")',
        declared=driver(km="40", origin="-2+3+cmd|' /C calc'!A0"),
    )
    return event


def post_from(client, page, url, data):
    """Post to ``url`` (POST only) with the CSRF token of the page holding its form."""
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def base(event):
    return f"/dashboard/events/{event.id}/compensation"


def compute(client, event):
    token = csrf_token(client, base(event))
    return client.post(f"{base(event)}/compute", data={"csrf_token": token})


def claim_named(event, last_name) -> Claim:
    return next(c for c in claims.claims_of(event) if last_name in c.payee_name)


# --- Event settings ------------------------------------------------------------------------------


def test_the_event_form_turns_compensation_on_with_a_scale(app, make_event, make_organiser):
    event = make_event()
    make_organiser("alice@example.org", events=[event])
    client = logged_in(app, "alice@example.org")
    url = f"/dashboard/events/{event.id}/edit"
    page = client.get(url).get_data(as_text=True)
    assert "Indemnisation des participants" in page and 'value="codev"' in page
    fields = {
        "title": event.title,
        "timezone": "Europe/Paris",
        "venue_name": event.venue_name,
        "venue_commune": event.venue_commune,
        "compensation_offered": "y",
        "compensation_scale": "",
    }
    refused = post_form(client, url, fields)
    assert refused.status_code == 200
    assert "Choisissez le barème qui servira" in refused.get_data(as_text=True)
    assert post_form(client, url, {**fields, "compensation_scale": "nope"}).status_code == 200
    done = post_form(client, url, {**fields, "compensation_scale": "fp"})
    assert done.status_code == 303
    db.session.expire_all()
    event = db.session.get(Event, event.id)
    assert event.compensation_offered and event.compensation_scale == "fp"
    entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "event.updated")).one()
    assert entry.details["changes"]["compensation_scale"] == ["", "fp"]


# --- Distance table ------------------------------------------------------------------------------


def test_a_distance_table_is_previewed_then_replaced_on_confirmation(app, may):
    client = logged_in(app, "alice@example.org")
    url = "/dashboard/compensation/distances"
    data = (FIXTURES / "distancier_example.csv").read_bytes()
    preview = post_form(
        client,
        url,
        {"file": (io.BytesIO(data), "distancier.csv")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    expected = distances.preview_import(data).count
    assert f"Le fichier contient {expected} trajets." in html
    assert "Broons-Exemple" in html  # a pair of the sample
    assert distances.count() == 0  # nothing replaced yet
    upload = html.split('name="upload" type="hidden" value="')[1].split('"')[0]
    token = csrf_token(client, url)
    done = client.post(f"{url}/confirm", data={"csrf_token": token, "upload": upload})
    assert done.status_code == 303
    assert distances.count() == expected
    listing = client.get(url, query_string={"commune": "broons exemple"}).get_data(as_text=True)
    rows = listing.split("Trajets enregistrés")[-1].split("<tr><td>")[1:]
    assert len(rows) == len(distances.pairs("Broons-Exemple")) == 14
    assert all("Broons-Exemple" in row for row in rows)
    # The same upload cannot be confirmed twice, nor a made-up name.
    again = client.post(f"{url}/confirm", data={"csrf_token": token, "upload": upload})
    assert again.status_code == 303
    bogus = client.post(f"{url}/confirm", data={"csrf_token": token, "upload": "../../etc/x"})
    assert bogus.status_code == 303
    assert distances.count() == expected


def test_a_wrong_distance_file_names_the_line_and_changes_nothing(app, may):
    client = logged_in(app, "alice@example.org")
    bad = "Départ;Arrivée;Km\nDinan-Exemple;Lanvallay-Exemple;5,0\nDinan-Exemple;Evran;beaucoup\n"
    response = post_form(
        client,
        "/dashboard/compensation/distances",
        {"file": (io.BytesIO(bad.encode()), "d.csv")},
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "3" in html.split('role="alert"')[1].split("</div>")[0]  # the line to fix
    assert 'name="upload"' not in html
    assert distances.count() == 0


# --- Claims --------------------------------------------------------------------------------------


def test_compute_correct_and_validate_through_the_pages(app, may):
    client = logged_in(app, "alice@example.org")
    report = compute(client, may).get_data(as_text=True)
    assert "2 indemnités calculées." in report
    listing = client.get(base(may)).get_data(as_text=True)
    anne = claim_named(may, "Morvan")
    # 120 km × 0.41 = 49.20, meal 20.00 (fp-2023 applies on 2 May 2024)
    assert anne.total == Decimal("69.20")
    assert "69,20\u00a0€" in listing
    assert "pas dans le distancier" in listing or "distancier" in listing  # the distance check

    page = f"{base(may)}/claims/{anne.id}"
    assert client.get(page).status_code == 200
    # Anne's 120 km are not in the (empty) table: « à compléter », never validated as it is,
    # not even when accepting the checks; the reason is on the page, without a validate button.
    assert "À compléter" in listing and "2 indemnités à compléter" in listing
    html = client.get(page).get_data(as_text=True)
    assert "Distance absente du distancier" in html and "Valider cette indemnité" not in html
    # One clear reason: the rules' own check of the same distance is not repeated beside it.
    assert "Distance déclarée par la personne, absente du distancier" not in html
    assert "Distance déclarée par la personne, absente du distancier" not in listing
    refused = post_from(client, base(may), f"{page}/validate", {"accept_checks": "y"})
    assert refused.status_code == 303
    assert "est à compléter" in client.get(page).get_data(as_text=True)
    assert db.session.get(Claim, anne.id).status == ClaimStatus.DRAFT
    # The organiser types the distance they checked: the claim is complete.
    checked = post_from(client, page, f"{page}/distance", {"round_trip_km": "120"})
    assert checked.status_code == 303
    db.session.expire_all()
    anne = claim_named(may, "Morvan")
    assert "Distance absente" not in client.get(page).get_data(as_text=True)
    mileage = next(line for line in anne.lines if line.kind == "mileage")
    correct = f"{page}/lines/{mileage.id}"
    no_reason = post_form(client, correct, {"quantity": "100", "rate": "", "reason": ""})
    assert no_reason.status_code == 200
    assert "Indiquez la raison de la correction" in no_reason.get_data(as_text=True)
    negative = post_form(client, correct, {"quantity": "-3", "reason": "x"})
    assert negative.status_code == 200 and "nombre positif" in negative.get_data(as_text=True)
    done = post_form(client, correct, {"quantity": "100,5", "reason": "Trajet vérifié sur carte"})
    assert done.status_code == 303
    db.session.expire_all()
    mileage = db.session.get(ClaimLine, mileage.id)
    # 100.5 × 0.41 = 41.205 → 41.21 (half up); total 41.21 + 20.00
    assert mileage.amount == Decimal("41.21") and mileage.computed_amount == Decimal("49.20")
    assert db.session.get(Claim, anne.id).total == Decimal("61.21")
    entry = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "claim.line_corrected")
    ).one()
    assert entry.details["reason"] == "Trajet vérifié sur carte"
    assert entry.registration_id == anne.registration_id

    # Complete, checked by the organiser: validated without checks left to accept.
    accepted = post_from(client, page, f"{page}/validate", {})
    assert accepted.status_code == 303
    db.session.expire_all()
    assert db.session.get(Claim, anne.id).status == ClaimStatus.VALIDATED

    # Read-only from now on: no correction link, a POST is refused with a message.
    html = client.get(page).get_data(as_text=True)
    assert "lecture seule" in html and "/lines/" not in html
    token = csrf_token(client, page)
    again = client.post(correct, data={"csrf_token": token, "quantity": "1", "reason": "trop tard"})
    assert again.status_code == 303
    assert "elle ne change plus" in client.get(page).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(ClaimLine, mileage.id).amount == Decimal("41.21")
    for action in ("receipts", "distance", "transport"):
        post = client.post(
            f"{page}/{action}", data={"csrf_token": token, "round_trip_km": "1", "amount": "1"}
        )
        assert post.status_code == 303
    db.session.expire_all()
    assert db.session.get(Claim, anne.id).total == Decimal("61.21")

    # Validating all: the hostile one, the only draft left, is « à compléter » (its typed
    # distance is not in the table): skipped, even accepting the checks, and said so.
    token = csrf_token(client, base(may))
    client.post(f"{base(may)}/validate", data={"csrf_token": token, "accept_checks": "y"})
    listing = client.get(base(may)).get_data(as_text=True)
    assert "1 indemnité à compléter laissée de côté" in listing
    assert "Distance absente du distancier" in listing
    hostile = claim_named(may, "HYPERLINK")
    assert hostile.status == ClaimStatus.DRAFT
    assert claim_named(may, "Morvan").status == ClaimStatus.VALIDATED
    page_hostile = f"{base(may)}/claims/{hostile.id}"
    post_from(client, page_hostile, f"{page_hostile}/distance", {"round_trip_km": "40"})
    token = csrf_token(client, base(may))
    client.post(f"{base(may)}/validate", data={"csrf_token": token})
    db.session.expire_all()
    assert all(c.status == ClaimStatus.VALIDATED for c in claims.claims_of(may))
    history = client.get(f"{page}/history").get_data(as_text=True)
    assert "Atelier mobilités" in history and "100,5" in history


def test_a_checked_distance_and_a_transport_receipt_recompute_the_claim(app, may):
    client = logged_in(app, "alice@example.org")
    compute(client, may)
    anne = claim_named(may, "Morvan")
    page = f"{base(may)}/claims/{anne.id}"
    wrong = post_from(client, page, f"{page}/distance", {"round_trip_km": "loin"})
    assert wrong.status_code == 200 and "nombre positif" in wrong.get_data(as_text=True)
    assert post_from(client, page, f"{page}/distance", {"round_trip_km": "80"}).status_code == 303
    db.session.expire_all()
    anne = db.session.get(Claim, anne.id)
    # 80 × 0.41 = 32.80 + meal 20.00; the distance check is gone
    assert anne.total == Decimal("52.80")
    assert not claim_review.pending_checks(anne)
    # A public transport receipt (the fp scale pays it on receipt): a line, and receipts to mark.
    wrong = post_from(client, page, f"{page}/transport", {"amount": "-1"})
    assert wrong.status_code == 200 and "nombre positif" in wrong.get_data(as_text=True)
    assert post_from(client, page, f"{page}/transport", {"amount": "12,50"}).status_code == 303
    db.session.expire_all()
    anne = db.session.get(Claim, anne.id)
    assert anne.total == Decimal("65.30")
    html = client.get(page).get_data(as_text=True)
    assert "12,50 €" in html and "pas encore reçus" in html
    assert post_from(client, page, f"{page}/receipts", {"received": "1"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Claim, anne.id).receipts_received_at is not None
    assert post_from(client, page, f"{page}/validate", {}).status_code == 303
    db.session.expire_all()
    assert db.session.get(Claim, anne.id).status == ClaimStatus.VALIDATED


# --- Batches -------------------------------------------------------------------------------------


def validated(app, event):
    client = logged_in(app, "alice@example.org")
    compute(client, event)
    # The typed distances are not in the table: the organiser checks them, claim by claim.
    for claim in claims.claims_of(event):
        page = f"{base(event)}/claims/{claim.id}"
        km = declarations.declaration_of(claim.registration).round_trip_km
        post_from(client, page, f"{page}/distance", {"round_trip_km": str(km)})
    token = csrf_token(client, base(event))
    client.post(f"{base(event)}/validate", data={"csrf_token": token, "accept_checks": "y"})
    return client


def test_a_batch_is_created_exported_and_paid(app, may):
    client = validated(app, may)
    url = "/dashboard/compensation/batches"
    empty = post_form(client, url, {"name": "2024 T1", "start": "2024-01-01", "end": "2024-03-31"})
    assert empty.status_code == 200 and "rien à" in empty.get_data(as_text=True)
    created = post_form(
        client, url, {"name": "2024 T2", "start": "2024-04-01", "end": "2024-06-30"}
    )
    assert created.status_code == 303
    batch = db.session.scalars(select(ClaimBatch)).one()
    page = client.get(f"{url}/{batch.id}").get_data(as_text=True)
    total = sum((c.total for c in claims.claims_of(may)), Decimal(0))
    assert total == Decimal("69.20") + Decimal("36.40")  # 40 × 0.41 = 16.40 + 20.00
    assert f"{total:.2f}".replace(".", ",") + "\u00a0€" in page
    assert "2024 T2" in client.get(url).get_data(as_text=True)

    xlsx = client.get(f"{url}/{batch.id}/export.xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    workbook = load_workbook(io.BytesIO(xlsx.data))
    people = list(workbook["Personnes"].iter_rows(values_only=True))
    header, people = people[0], people[1:]
    assert sum(cents(row[header.index("Total (€)")]) for row in people) == total
    for sheet in workbook.worksheets:  # every sheet filters from its header row, every column
        assert sheet.auto_filter.ref == f"A1:{get_column_letter(sheet.max_column)}{sheet.max_row}"
    lines = list(workbook["Lignes"].iter_rows(values_only=True))
    assert sum(cents(row[lines[0].index("Montant (€)")]) for row in lines[1:]) == total
    totals = dict(workbook["Totaux"].iter_rows(min_row=2, values_only=True))
    assert cents(totals["Total général"]) == total
    texts = [c for row in people + lines for c in row if isinstance(c, str)]
    assert not [t for t in texts if t.startswith(FORMULA_STARTS)]
    names = {row[header.index("Nom")] for row in people}
    assert '\'@admin =HYPERLINK("http://evil.example","x")' in names
    assert any(t.startswith("'-2+3+cmd") for t in texts)

    response = client.get(f"{url}/{batch.id}/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig")), delimiter=";"))
    amount = rows[0].index("Montant (€)")
    by_type = {}
    for row in rows[1:]:
        by_type.setdefault(row[0], []).append(row)
    assert sum(cents(r[amount]) for r in by_type["ligne"]) == total
    assert sum(cents(r[amount]) for r in by_type["personne"]) == total
    assert cents(by_type["total général"][0][amount]) == total
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert '\'@admin =HYPERLINK("http://evil.example","x")' in cells

    token = csrf_token(client, f"{url}/{batch.id}")
    no_date = client.post(f"{url}/{batch.id}/paid", data={"csrf_token": token, "paid_on": ""})
    assert no_date.status_code == 303
    assert db.session.get(ClaimBatch, batch.id).paid_on is None
    paid = client.post(
        f"{url}/{batch.id}/paid", data={"csrf_token": token, "paid_on": "2024-07-15"}
    )
    assert paid.status_code == 303
    db.session.expire_all()
    assert db.session.get(ClaimBatch, batch.id).paid_on == date(2024, 7, 15)
    assert all(c.status == ClaimStatus.PAID for c in claims.claims_of(may))
    assert "Payé le" in client.get(f"{url}/{batch.id}").get_data(as_text=True)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"batch.created", "batch.paid", "claim.validated", "compensation.computed"} <= actions


# --- Who sees what -------------------------------------------------------------------------------


def test_batches_belong_to_the_organisers_of_their_claims_events(app, may, make_organiser):
    """Bob organises another event of the same quarter: he neither sees Alice's batch nor takes
    her claims into his; a batch mixing both organisers' events is seen by neither."""
    june = study_day(date(2024, 6, 6), "juin")
    make_organiser("bob@example.org", events=[june])
    checked_person(june, "yann@example.org", first="Yann", last="Kergoat", declared=driver(km="60"))
    alice = validated(app, may)
    url = "/dashboard/compensation/batches"
    period = {"name": "Lot Alice", "start": "2024-04-01", "end": "2024-06-30"}
    assert post_form(alice, url, period).status_code == 303
    batch = db.session.scalars(select(ClaimBatch)).one()
    assert {c.event_id for c in batch.claims} == {may.id}

    bob = logged_in(app, "bob@example.org")
    assert "Lot Alice" not in bob.get(url).get_data(as_text=True)
    token = csrf_token(bob, url)
    for path in (
        f"{url}/{batch.id}",
        f"{url}/{batch.id}/export.xlsx",
        f"{url}/{batch.id}/export.csv",
    ):
        assert bob.get(path).status_code == 404, path
    paid = bob.post(f"{url}/{batch.id}/paid", data={"csrf_token": token, "paid_on": "2024-07-01"})
    assert paid.status_code == 404
    assert db.session.get(ClaimBatch, batch.id).paid_on is None
    # Bob's claim of June is not validated yet: nothing of his to batch, Alice's are not taken.
    refused = post_form(bob, url, period)
    assert refused.status_code == 200 and "rien à" in refused.get_data(as_text=True)
    # Alice's claim pages are 404 for Bob, even under his own event.
    anne = claim_named(may, "Morvan")
    assert bob.get(f"{base(may)}/claims/{anne.id}").status_code == 404
    assert bob.get(f"{base(june)}/claims/{anne.id}").status_code == 404
    # The distance table is the organisation's: every organiser reads it.
    assert bob.get("/dashboard/compensation/distances").status_code == 200

    # A batch made from the command line across both organisers' events is in neither's list.
    validated_bob = logged_in(app, "bob@example.org")
    token = csrf_token(validated_bob, base(june))
    validated_bob.post(f"{base(june)}/compute", data={"csrf_token": token})
    yann = claim_named(june, "Kergoat")
    claim_operations.validate(yann, by="cli", accept_checks=True)
    yann.batch = batch
    db.session.commit()
    assert alice.get(f"{url}/{batch.id}").status_code == 404
    assert bob.get(f"{url}/{batch.id}").status_code == 404


def test_batch_and_distance_pages_need_a_login(app, client):
    for path in ("/dashboard/compensation/batches", "/dashboard/compensation/distances"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_claim_pages_speak_english_too(app, may):
    client = logged_in(app, "alice@example.org")
    compute(client, may)
    anne = claim_named(may, "Morvan")
    # Requests in tests share the test's app context, where Flask-Babel keeps the locale chosen.
    flask_babel.refresh()
    html = client.get(f"{base(may)}/claims/{anne.id}", query_string={"lang": "en"}).get_data(
        as_text=True
    )
    assert "Claim of Anne Morvan" in html
    # Her distance is not in the table: one reason, in English, rather than a check beside it.
    assert "Distance not in the distance table: check the declared distance and enter it." in html
    assert "Points to check:" not in html
    assert "69.20\u00a0€" in html  # the amount in the page's language
    assert "Indemnité de" not in html


def test_a_walk_in_without_an_address_is_listed_without_empty_brackets(app, may):
    """Seen in a browser: « Lucas Bernard () » among those present without a declaration."""
    attendance_service.add_walk_in(may, may.parts[0], first_name="Lucas", last_name="Bernard")
    db.session.commit()
    client = logged_in(app, "alice@example.org")
    report = compute(client, may).get_data(as_text=True)
    assert "Lucas Bernard" in report
    assert "Lucas Bernard ()" not in report and "Lucas Bernard</li>" in report
