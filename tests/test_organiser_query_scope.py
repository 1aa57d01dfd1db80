"""What an organiser's pages read and show: another organiser's events only as the kilometres
the mileage band needs, and query-string numbers out of range answered 400/404, never 500."""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from eventsvc.compensation import claim_history, claim_operations, claims
from eventsvc.extensions import db

from .factories import (
    ORGANISER,
    ORGANISER_PASSWORD,
    app_config,  # noqa: F401 - the organisation's own scale file
    checked_person,
    driver,
    login,
    study_day,
)

MARCH, MAY = date(2024, 3, 12), date(2024, 5, 2)
SOURCE = Path(__file__).resolve().parent.parent / "eventsvc"


def organiser(app, make_organiser, email, events):
    make_organiser(email, events=events)
    client = app.test_client()
    login(client, email, ORGANISER_PASSWORD)
    return client


def validated(event, registration):
    claims.compute_event(event, by=ORGANISER)
    claim_operations.validate(claims.claim_of(registration), by=ORGANISER, accept_checks=True)
    db.session.commit()
    return claims.claim_of(registration)


def test_the_claim_history_shows_other_organisers_events_only_as_kilometres(
    app, runner, make_organiser
):
    bobs = study_day(MARCH, "mars", title="Conseil Bob")
    alices = study_day(MAY, "mai", title="Atelier Alice")
    # 100 km in March at Bob's: 100 × 0.41 = 41.00 €; 60 km in May at Alice's: 24.60 €.
    validated(
        bobs,
        checked_person(bobs, "yann@example.org", declared=driver(km="100"), present=("Matin",)),
    )
    mine = validated(
        alices,
        checked_person(alices, "yann@example.org", declared=driver(km="60"), present=("Matin",)),
    )
    make_organiser("bob@example.org", events=[bobs])
    alice = organiser(app, make_organiser, "alice@example.org", [alices])

    page = alice.get(f"/dashboard/events/{alices.id}/compensation/claims/{mine.id}/history")
    assert page.status_code == 200
    html = page.get_data(as_text=True).replace("\u00a0", " ").replace("\u202f", " ")
    assert "Atelier Alice" in html and "24,60" in html
    # The band counts 160 km, 100 of them from another organiser's event...
    assert re.search(r"Km remboursés \(validés ou payés\)</dt><dd>160</dd>", html)
    assert re.search(r"dont événements d'autres organisateurs</dt><dd>100</dd>", html)
    # ...and that is all Alice learns of it: no title, date, status or amount.
    for secret in ("Conseil Bob", "12 mars", "41,00", "65,60", "autre organisateur</td>"):
        assert secret not in html
    assert html.count("<tr>") == 2  # the header and Alice's own claim

    # The command line, run by an administrator of the machine, keeps the full view.
    full = runner.invoke(
        args=["compensation", "claims", "history", "yann@example.org", "--year", "2024"]
    )
    assert full.exit_code == 0, full.output
    assert "Conseil Bob" in full.output and "Atelier Alice" in full.output
    assert "160 km remboursés" in full.output.replace("\u00a0", " ")
    history = claim_history.yearly_history("yann@example.org", 2024, event_ids={alices.id})
    assert history.km_reimbursed == Decimal(160) and history.km_other_events == Decimal(100)
    assert history.total_validated == Decimal("24.60")


# Every query-string integer an organiser page reads: (page, parameter).
PAGES = {
    "audit": "/dashboard/events/{event}/audit?page={value}",
    "checkin": "/dashboard/events/{event}/checkin?part={value}",
    "registrations": "/dashboard/events/{event}/registrations?page={value}",
    "registrations filter": "/dashboard/events/{event}/registrations?part={value}",
    "history": "/dashboard/events/{event}/compensation/claims/{claim}/history?year={value}",
    "contacts": "/dashboard/contacts?liste={value}",
}
READ_AS = {"page", "part", "year", "liste"}
OUT_OF_RANGE = [
    "99999999999999999999",
    "99999",
    "-1",
    "0",
    "1_0",
    "٣",
    "²",
    "1e3",
    " 7",
    "x" * 5000,
]


def test_every_query_string_number_is_read_bounded(app, make_organiser):
    event = study_day(MAY, "mai")
    claim = validated(
        event,
        checked_person(event, "yann@example.org", declared=driver(km="60"), present=("Matin",)),
    )
    client = organiser(app, make_organiser, "alice@example.org", [event])
    statuses = {}
    for name, pattern in PAGES.items():
        for value in OUT_OF_RANGE:
            url = pattern.format(event=event.id, claim=claim.id, value=value)
            statuses[(name, value)] = client.get(url).status_code
    assert {key: s for key, s in statuses.items() if s >= 500} == {}
    # A number read as such is refused (400, or 404 for an id in range that is no one's); the
    # list filter ignores what makes no sense; page 99999 is a page, empty.
    for (name, value), status in statuses.items():
        if name == "registrations filter" or (
            value == "99999" and name in ("audit", "registrations")
        ):
            expected = {200}
        else:
            expected = {400, 404}
        assert status in expected, (name, value, status)
    # Sensible values still work.
    for url in (
        f"/dashboard/events/{event.id}/audit?page=2",
        f"/dashboard/events/{event.id}/checkin?part={event.parts[0].id}",
        f"/dashboard/events/{event.id}/compensation/claims/{claim.id}/history?year=2023",
    ):
        assert client.get(url).status_code == 200, url


def test_no_page_reads_a_query_string_number_another_way():
    """The walk above covers every ``arg_int`` call, and nothing else turns request.args into an
    int (``type=int`` takes any size and Unicode digits)."""
    names = set()
    for path in SOURCE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"request\.args\.get\([^)]*type=int", text), path
        names |= set(re.findall(r"\barg_int\(\s*\"(\w+)\"", text))
    assert names == READ_AS
