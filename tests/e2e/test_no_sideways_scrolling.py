"""Every page of the dashboard fits the screen, on a 360 px phone and at 1280 px: no page scrolls
sideways (issue 15), with realistic data (long names, addresses and comments, several events,
contacts, invitations, claims and a batch).

The pages come from ``app.url_map``: every GET endpoint under /dashboard is visited, with its URL
parameters taken from the data below, unless ``NOT_PAGES`` gives the reason it is not a page (a
download). A new dashboard page is thus checked as soon as it exists; a new download fails here
until it is listed.
"""

from __future__ import annotations

import os
import re
from datetime import date

import pytest
from playwright.sync_api import expect

from eventsvc.attendance import mailing
from eventsvc.events.models import Question, QuestionKind
from eventsvc.extensions import db
from eventsvc.invitations import bodies
from eventsvc.jobs import runner
from eventsvc.registrations import importing
from eventsvc.webhooks import operations as webhooks

from ..factories import (
    ORGANISER_PASSWORD,
    SAMPLE,
    batch_of,
    checked_person,
    contact,
    contact_list,
    driver,
    import_example_table,
    invited,
    new_event,
    new_organiser,
    participant,
    study_day,
    validated_claims,
)

ORGANISER = "claire.martin-dubois@communaute-de-communes-exemple.example.fr"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 360, "height": 740}

DOWNLOAD = "a download (CSV, XLSX, PDF, ZIP or text), not a page"
NOT_PAGES = {
    "dashboard.batch_export": DOWNLOAD,
    "dashboard.attendance_csv": DOWNLOAD,
    "dashboard.attendance_xlsx": DOWNLOAD,
    "dashboard.certificates_pdf": DOWNLOAD,
    "dashboard.certificates_zip": DOWNLOAD,
    "dashboard.certificate_pdf": DOWNLOAD,
    "dashboard.sheet_pdf": DOWNLOAD,
    "dashboard.sheets_pdf": DOWNLOAD,
    "dashboard.badges_pdf": DOWNLOAD,
    "dashboard.table_cards_pdf": DOWNLOAD,
    "dashboard.proof_json": "a download (the JSON proof file of a part's signatures), not a page",
    "dashboard.presence_csv": DOWNLOAD,
    "dashboard.presence_text": DOWNLOAD,
    "dashboard.presence_xlsx": DOWNLOAD,
    "dashboard.minutes_text": DOWNLOAD,
    "dashboard.minutes_docx_file": DOWNLOAD,
    "dashboard.export_csv": DOWNLOAD,
    "dashboard.export_xlsx": DOWNLOAD,
    "dashboard.public_qr_png": DOWNLOAD,
    "dashboard.public_qr_svg": DOWNLOAD,
    "dashboard.job_json": "the JSON a job's page polls, not a page",
    "dashboard.job_file": DOWNLOAD,
}

LONG_COMMENT = (
    "Je viendrai en train depuis Saint-Brieuc ; voir l'itinéraire "
    "https://www.example.org/itineraires/saint-brieuc-dinan-exemple/ter-et-car-breizhgo-ligne-7"
    "?depart=07h42&retour=17h58 et merci de prévoir une place de stationnement vélo."
)


PEOPLE = [
    (
        "Marie-Bernadette",
        "de La Tour d'Auvergne-Lauraguais",
        "marie-bernadette.delatourdauvergne-lauraguais@ccas-saint-jacut.example.fr",
    ),
    ("Yann", "Kergoat", "yann.kergoat@maison-de-quartier-des-lilas.example.net"),
    ("Anne", "Morvan", "anne@example.org"),
]


def _people(event) -> list:
    """Sign-ups with the long names, addresses, organisations and comments of real exports (the
    third one on the waiting list)."""
    question = event.questions[0]
    return [
        participant(
            event,
            n,
            first=first,
            last=last,
            email=email,
            organisation="Centre communal d'action sociale de Saint-Jacut-de-la-Mer-Exemple",
            comment=LONG_COMMENT,
            answers={question.id: "Accessibilité-numérique-des-démarches-administratives-en-ligne"},
        )
        for n, (first, last, email) in enumerate(PEOPLE)
    ]


def _question(event) -> None:
    event.questions.append(
        Question(
            label="Sur quel sujet souhaitez-vous intervenir lors de l'atelier de l'après-midi ?",
            kind=QuestionKind.TEXT,
            position=0,
        )
    )
    db.session.commit()


@pytest.fixture
def everything(app):
    """Two events (one past with claims and a batch, one upcoming and full, with invitations and
    an import waiting), their organiser's contacts: the values of every URL parameter, per event."""
    import_example_table()
    past = study_day(
        date(2024, 5, 2),
        "inclusion-numerique-territoires",
        title="Journée d'étude : l'inclusion numérique dans les territoires ruraux et périurbains",
    )
    upcoming = new_event(
        slug="atelier-mobilites-solidaires",
        title="Atelier participatif « Mobilités solidaires et transition écologique » (2e édition)",
        capacity=2,
    )
    for event in (past, upcoming):
        _question(event)
    user = new_organiser(ORGANISER, events=[past, upcoming], name="Claire Martin-Dubois")
    declared = [
        checked_person(
            past,
            PEOPLE[0][2],
            first=PEOPLE[0][0],
            last=PEOPLE[0][1],
            declared=driver(km="120", origin="Saint-Jacut-de-la-Mer-Exemple"),
        ),
        checked_person(
            past, PEOPLE[1][2], first=PEOPLE[1][0], last=PEOPLE[1][1], declared=driver()
        ),
    ]
    signed_up = _people(upcoming)
    claims = validated_claims(past)
    batch = batch_of("2024 T2 — Conseil de développement", date(2024, 4, 1), date(2024, 6, 30))
    mayors = contact_list(user, "Maires et présidents d'intercommunalités du pays de Dinan")
    contacts = [
        contact(user, lists=[mayors]),
        contact(
            user,
            "secretariat.general.direction@communaute-de-communes-exemple.example.fr",
            first="Jean-Baptiste",
            last="Le Goff de Kerguénec",
            lists=[mayors],
        ),
    ]
    invited(upcoming, user, *contacts)
    # The list is a body, the upcoming event its meeting (issue 18).
    bodies.save_body(mayors, bodies.BodySettings(is_body=True, notice_days=5), actor=user)
    bodies.set_meeting(upcoming, bodies.body_of(mayors), actor=user)
    upload = importing.store_upload(upcoming, "inscriptions-formulaire.csv", SAMPLE, actor=user)
    # A long address written as a public IP (no DNS), and the sign-ups queued for it.
    endpoint, _secret = webhooks.add_endpoint(
        user,
        "https://93.184.215.14/integrations/eventsvc/webhooks/conseil-de-developpement-pays-de-dinan",
        ["registration.created", "registration.cancelled"],
    )
    participant(upcoming, 9, last="Le Goff de Kerguénec")
    job = runner.enqueue(mailing.JOB, organiser=user, event=past)  # its page while it waits
    db.session.commit()
    everywhere = {
        "contact_id": contacts[1].id,
        "batch_id": batch.id,
        "list_id": mayors.id,
        "endpoint_id": endpoint.id,
        "job_id": job.id,
    }
    per_event = {
        past.id: {
            "registration_id": declared[0].id,
            "question_id": past.questions[0].id,
            "part_id": past.parts[0].id,
            "claim_id": claims[0].id,
            "line_id": claims[0].lines[0].id,
        },
        upcoming.id: {
            "registration_id": signed_up[0].id,
            "question_id": upcoming.questions[0].id,
            "part_id": upcoming.parts[1].id,
            "upload_id": upload.id,
        },
    }
    return everywhere, per_event


def page_paths(app, everywhere: dict, per_event: dict) -> tuple[list[str], list[str]]:
    """The paths of every dashboard page (once per event where they take one), and the GET
    endpoints that could not be filled in."""
    adapter = app.url_map.bind("localhost")
    paths, unfilled = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if not rule.rule.startswith("/dashboard") or "GET" not in rule.methods:
            continue
        if rule.endpoint in NOT_PAGES:
            continue
        if "event_id" in rule.arguments:
            choices = [
                {**everywhere, **ids, "event_id": event_id} for event_id, ids in per_event.items()
            ]
        else:
            choices = [everywhere]
        built = [
            adapter.build(rule.endpoint, {name: values[name] for name in rule.arguments})
            for values in choices
            if rule.arguments <= values.keys()
        ]
        paths.extend(built)
        if not built:
            unfilled.append(rule.endpoint)
    return paths, unfilled


def overflowing(page) -> list[str]:
    """What sticks out to the right of the screen (the widest first), to say what to fix."""
    return page.evaluate(
        """() => {
        const width = window.innerWidth;
        const found = [];
        for (const element of document.querySelectorAll("body *")) {
            const box = element.getBoundingClientRect();
            const scrolled = element.parentElement.closest(".table-scroll");
            if (box.right > width + 0.5 && box.width > 0 && !scrolled) {
                const name = element.tagName.toLowerCase()
                    + (element.id ? "#" + element.id : "")
                    + (element.className && typeof element.className === "string"
                       ? "." + element.className.trim().split(/\\s+/).join(".") : "");
                found.push([Math.round(box.right), name]);
            }
        }
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            const range = document.createRange();
            range.selectNodeContents(node);
            const box = range.getBoundingClientRect();
            const scrolled = node.parentElement.closest(".table-scroll");
            if (box.right > width + 0.5 && !scrolled) {
                const text = node.textContent.trim().slice(0, 40);
                found.push([Math.round(box.right), `text « ${text} »`]);
            }
        }
        found.sort((a, b) => b[0] - a[0]);
        return found.slice(0, 4).map(([right, name]) => `${name} to ${right}px`);
    }"""
    )


# What scrolls sideways inside the page (a table in its .table-scroll box).
SCROLLING_BOXES = """() => [...document.querySelectorAll("main *")]
    .filter((element) => element.scrollWidth > element.clientWidth + 1
        && ["auto", "scroll"].includes(getComputedStyle(element).overflowX))
    .map((element) => `${element.tagName.toLowerCase()}.${element.className} `
        + `${element.scrollWidth}px in ${element.clientWidth}px`)"""


def log_in(page, live_server):
    page.goto(f"{live_server}/login")
    page.locator("#email").fill(ORGANISER)
    page.locator("#password").fill(ORGANISER_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/dashboard/"))


@pytest.mark.parametrize(
    ("screen", "javascript"),
    [(PHONE, True), (PHONE, False), (DESKTOP, True)],
    ids=["360px", "360px-without-javascript", "1280px"],
)
def test_no_dashboard_page_scrolls_sideways(
    live_server, browser, app, everything, screen, javascript
):
    """No page is wider than the screen; with JavaScript (tables.js stacks the rows of a table
    too wide for a phone), no table scrolls inside its box either."""
    paths, unfilled = page_paths(app, *everything)
    assert unfilled == [], "dashboard pages neither visited nor listed in NOT_PAGES"
    assert set(NOT_PAGES) <= {rule.endpoint for rule in app.url_map.iter_rules()}
    assert len(paths) > 40
    context = browser.new_context(viewport=screen, locale="fr-FR", java_script_enabled=javascript)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        log_in(page, live_server)
        too_wide, failed = {}, {}
        shots = os.environ.get("EVENTSVC_LAYOUT_SHOTS")  # a folder: a screenshot of each page
        for path in paths + ["/account/password"]:
            response = page.goto(live_server + path)
            if shots and javascript:
                name = re.sub(r"\W+", "-", path.strip("/")) + f"-{screen['width']}.png"
                page.screenshot(path=os.path.join(shots, name), full_page=True)
            width = page.evaluate("document.documentElement.scrollWidth")
            if response.status != 200:
                failed[path] = response.status
            elif width > page.evaluate("window.innerWidth"):
                too_wide[path] = (width, overflowing(page))
            elif javascript and (boxes := page.evaluate(SCROLLING_BOXES)):
                too_wide[path] = (width, boxes)
        assert failed == {}
        assert too_wide == {}, "pages (or tables) wider than the screen:\n" + "\n".join(
            f"{path}: {width}px ({', '.join(what)})" for path, (width, what) in too_wide.items()
        )
    finally:
        context.close()
