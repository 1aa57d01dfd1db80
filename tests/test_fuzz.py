"""Property tests: whatever people (or robots) send, the public side answers with a page or a
redirect, never a 500, and what it records is exactly what it accepted.

Derandomised, without an example database, and with a moderate number of examples: the same
inputs run on every machine and the file stays within a few seconds. Set
``HYPOTHESIS_PROFILE=thorough`` for a longer search on demand.
"""

import itertools
import re
from datetime import datetime, time, timedelta
from urllib.parse import quote, quote_from_bytes

from hypothesis import event, example, given
from hypothesis import event as hypothesis_event
from hypothesis import strategies as st
from markupsafe import escape
from sqlalchemy import func, select

from eventsvc.common.validation import CheckedEmail, RuleError, check_email, parse_time
from eventsvc.events.models import QuestionKind
from eventsvc.extensions import db
from eventsvc.registrations import queries
from eventsvc.registrations.models import Registration
from eventsvc.registrations.rules import PartSpan, check_attendance

from .factories import ANY_CHAR, csrf_token

ANY_TEXT = st.text(ANY_CHAR, max_size=300)
# What can travel in a form: any Unicode scalar value (UTF-8 cannot carry a lone surrogate).
FORM_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=200)
# Mostly what a person could type (no controls, within the lengths), sometimes anything at all:
# most examples are then accepted and their storage checked.
PRINTABLE = st.characters(exclude_categories=["Cs", "Cc"])
NAME = st.one_of(
    st.text(PRINTABLE, min_size=1, max_size=100).filter(str.strip),
    st.text(PRINTABLE, min_size=1, max_size=100).filter(str.strip),
    FORM_TEXT,
)
LONG_TEXT = st.one_of(st.text(PRINTABLE, max_size=600), FORM_TEXT)
NASTY = st.sampled_from(
    ["", " ", "\x00", "a\x00b", "\u200b", "\ufeff", "\u202e", "é", "ß", "ﬃ", "\u1100\u1161\u11a8"]
)
# Characters that make email addresses interesting: ligatures and jamo that NFC or casefold
# lengthen or shorten, separators people paste, whitespace of every kind.
EMAIL_CHARS = st.sampled_from(
    list("abcxyz019.-_+@;, \t\u00a0") + ["é", "ß", "ﬃ", "İ", "\u1100", "\u1161", "\x00", "ê"]
)
LOCAL = st.text(EMAIL_CHARS, min_size=1, max_size=80)
DOMAIN = st.lists(
    st.text(st.sampled_from(list("abcdefxyz0-") + ["é", "ß", "ﬃ"]), min_size=1, max_size=70),
    min_size=1,
    max_size=5,
).map(".".join)
EMAILS = st.one_of(
    ANY_TEXT,
    st.builds(lambda local, domain: f"{local}@{domain}.fr", LOCAL, DOMAIN),
)


# --- the pure rules ---------------------------------------------------------------------------


@given(EMAILS)
@example("ﬃ" * 64 + "@" + "a" * 60 + ".example.org")
@example("\ud800@example.org")
@example(" " * 5000 + "nadia.benali@mairie.example.org")
@example("x" * 1_000_000)
def test_check_email_refuses_with_a_message_or_returns_what_fits_the_columns(value):
    try:
        checked = check_email(value)
    except RuleError as error:
        assert str(error.message)
        return
    assert isinstance(checked, CheckedEmail)
    assert checked.typed == value.strip()
    assert "\x00" not in checked.normalised
    # The three are stored in columns of 320 characters (PostgreSQL enforces it).
    assert max(len(checked.typed), len(checked.normalised), len(checked.key)) <= 320
    assert checked.key == checked.normalised.casefold()
    assert check_email(checked.normalised).key == checked.key  # normalising is stable


@given(ANY_TEXT)
@example("٠٩:٣٠")
@example("9" * 5000 + ":00")
@example("14h")
def test_parse_time_returns_a_time_or_refuses_with_a_message(value):
    try:
        parsed = parse_time(value)
    except RuleError as error:
        assert str(error.message)
        return
    assert parsed is None or isinstance(parsed, time)
    if parsed is None:
        assert not value.strip()


SPANS = st.lists(
    st.tuples(st.integers(0, 3), st.integers(0, 23 * 60), st.integers(1, 6 * 60)),
    max_size=4,
).map(
    lambda items: [
        PartSpan(
            i,
            datetime(2026, 12, 9 + day) + timedelta(minutes=start),
            datetime(2026, 12, 9 + day) + timedelta(minutes=min(start + length, 24 * 60 - 1)),
        )
        for i, (day, start, length) in enumerate(items)
    ]
)
TIMES = st.one_of(st.none(), st.times().map(lambda t: t.replace(second=0, microsecond=0)))


@given(st.booleans(), SPANS, TIMES, TIMES)
def test_check_attendance_names_a_field_for_every_problem(full_day, spans, arrival, departure):
    problems = check_attendance(full_day, spans, arrival, departure)
    assert all(p.field in ("parts", "arrival_time", "departure_time") for p in problems)
    if full_day:
        assert problems == []
    elif not spans:
        assert [p.field for p in problems] == ["parts"]
    elif not problems and arrival and departure:
        first_day = min(s.start.date() for s in spans)
        last_day = max(s.start.date() for s in spans)
        assert first_day != last_day or arrival < departure


# --- the public form over HTTP ----------------------------------------------------------------

QUESTIONS = [
    {"label": "Mes fonctions"},
    {"label": "Mon expertise", "kind": QuestionKind.LONG_TEXT},
    {"label": "Je viens en tant que", "kind": QuestionKind.SINGLE_CHOICE, "choices": ["A", "B"]},
    {"label": "Sujets", "kind": QuestionKind.MULTIPLE_CHOICE, "choices": ["Droits", "Matériel"]},
]


def encode(fields: list[tuple[str, str | bytes]]) -> bytes:
    """A urlencoded body as browsers send it; bytes values go as they are (any bytes)."""

    def one(value):
        if isinstance(value, bytes):
            return quote_from_bytes(value, safe="")
        return quote(value.encode("utf-8"), safe="")

    return "&".join(f"{name}={one(value)}" for name, value in fields).encode("ascii")


class Browser:
    def __init__(self, client, event):
        self.client = client
        self.event = event
        self.token = csrf_token(client, "/e/atelier")
        self.questions = {q.label: q.field_name for q in event.questions}
        self.parts = {p.label: p.id for p in event.parts}
        self.sent = 0

    def post(self, fields):
        self.sent += 1
        return self.client.post(
            "/e/atelier",
            data=encode([("csrf_token", self.token), *fields]),
            content_type="application/x-www-form-urlencoded",
        )


_browsers: dict[int, Browser] = {}


def browser_for(client, make) -> Browser:
    """One event and one form session per test (hypothesis runs its examples in one test)."""
    browser = _browsers.get(id(client))
    if browser is None or browser.client is not client:
        _browsers.clear()
        browser = _browsers[id(client)] = Browser(client, make())
    return browser


def count_registrations() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Registration.id)))


def registration_behind(location: str) -> Registration:
    token = location.rsplit("/r/", 1)[1]
    db.session.rollback()
    registration = queries.find_by_token(token)
    assert registration is not None, location
    return registration


@given(
    first=NAME,
    last=NAME,
    organisation=st.one_of(st.text(PRINTABLE, max_size=200), FORM_TEXT),
    comment=st.one_of(LONG_TEXT, NASTY),
    function=st.one_of(LONG_TEXT, NASTY),
    expertise=LONG_TEXT,
    partial=st.booleans(),
    arrival=st.one_of(st.just(""), st.sampled_from(["14:00", "15h30", "9h"]), FORM_TEXT),
)
@example(
    first="Nadia\x00",
    last="Benali",
    organisation="",
    comment="",
    function="",
    expertise="",
    partial=False,
    arrival="",
)
@example(
    first="  Yann ",
    last="Ker\u200bgoat",
    organisation="<b>Lilas</b> & « Cie »",
    comment="x" * 1999 + "\n",
    function="=1+1",
    expertise="ligne 1\r\nligne 2",
    partial=True,
    arrival=" 14:30 ",
)
@example(
    first="x" * 100,
    last="\U0001f600" * 100,
    organisation="y" * 200,
    comment="",
    function="z" * 2000,
    expertise="",
    partial=False,
    arrival="",
)
@example(
    first="x" * 1_000_000,
    last="y",
    organisation="",
    comment="\x00",
    function="",
    expertise="",
    partial=False,
    arrival="",
)
def test_the_form_never_fails_and_records_exactly_what_it_accepted(
    client, make_event, first, last, organisation, comment, function, expertise, partial, arrival
):
    browser = browser_for(client, lambda: make_event(questions=QUESTIONS))
    email = f"personne{browser.sent}@example.org"
    fields = [
        ("first_name", first),
        ("last_name", last),
        ("organisation", organisation),
        ("email", email),
        ("full_day", "no" if partial else "yes"),
        ("comment", comment),
        (browser.questions["Mes fonctions"], function),
        (browser.questions["Mon expertise"], expertise),
        (browser.questions["Je viens en tant que"], "B"),
        (browser.questions["Sujets"], "Droits"),
        (browser.questions["Sujets"], "Matériel"),
        ("website", ""),
    ]
    if partial:
        fields += [("parts", str(browser.parts["Après-midi"])), ("arrival_time", arrival)]
    before = count_registrations()
    response = browser.post(fields)
    assert response.status_code in (200, 303), response.status_code
    event(f"answered {response.status_code}")  # --hypothesis-show-statistics
    if response.status_code == 200:
        assert 'class="error"' in response.text or "form-errors" in response.text
        assert count_registrations() == before
        return
    registration = registration_behind(response.headers["Location"])
    assert registration.first_name == first.strip()
    assert registration.last_name == last.strip()
    assert registration.organisation == organisation.strip()
    assert registration.email_typed == email
    assert registration.comment == comment.strip()
    answers = {a.question.label: a.value for a in registration.answers}
    expected = {"Je viens en tant que": "B", "Sujets": ["Droits", "Matériel"]}
    if function.strip():
        expected["Mes fonctions"] = function.strip()
    if expertise.strip():
        expected["Mon expertise"] = expertise.strip()
    assert answers == expected
    assert registration.full_day is not partial
    if partial:
        assert registration.arrival_time == parse_time(arrival)

    # The confirmation page shows the very same text, escaped, nothing lost or added.
    page = client.get(response.headers["Location"]).text
    assert f"<dd>{escape(first.strip())} {escape(last.strip())}</dd>" in page
    if comment.strip():
        assert f'<dd class="comment">{escape(comment.strip())}</dd>' in page
    if function.strip():
        assert f"<dd>{escape(function.strip())}</dd>" in page


@given(email=EMAILS.map(lambda e: e.encode("utf-8", "surrogatepass")))
@example(email=b"nadia;benali@mairie.example.org")
@example(email=b"nadia.benali@mairie.example.org\x00")
@example(email=("\u1100\u1161" * 40 + "@example.org").encode())
@example(email=("ﬃ" * 64 + "@" + "a" * 60 + "." + "b" * 60 + "." + "c" * 60 + ".fr").encode())
@example(email=b"\xed\xa0\x80@example.org")
def test_any_email_gets_a_message_or_is_stored_as_typed(client, make_event, email):
    browser = browser_for(client, lambda: make_event())
    before = count_registrations()
    fields = [("first_name", "Nadia"), ("last_name", "Benali"), ("email", email)]
    response = browser.post([*fields, ("full_day", "yes")])
    assert response.status_code in (200, 303), response.status_code
    event(f"answered {response.status_code}")
    if response.status_code == 200:
        assert re.search(r'<p class="error" id="email-error">', response.text)
        assert count_registrations() == before
    elif "/r/" in response.headers["Location"]:
        registration = registration_behind(response.headers["Location"])
        # Bytes that are not UTF-8 reach the app as their %XX escapes (werkzeug's choice).
        typed = email.decode("utf-8", "werkzeug.url_quote")
        assert registration.email_typed == typed.strip()
        page = client.get(response.headers["Location"]).text
        assert f"<dd>{escape(registration.email)}</dd>" in page
    else:  # already registered under the same address, told so on the event page
        assert count_registrations() == before


FIELD_NAMES = [
    "first_name",
    "last_name",
    "organisation",
    "email",
    "full_day",
    "parts",
    "arrival_time",
    "departure_time",
    "comment",
    "website",
    "q_1",
    "csrf_token",
    "x",
]


@given(st.lists(st.tuples(st.sampled_from(FIELD_NAMES), st.binary(max_size=300)), max_size=14))
@example([("parts", b"1_0"), ("parts", b"9" * 5000), ("full_day", b"\x00")])
@example([("email", b"\xff\xfe@example.org"), ("first_name", b"\xed\xa0\x80")])
@example([("arrival_time", "٠٩:٣٠".encode()), ("full_day", b"no"), ("parts", b"1")])
def test_any_bytes_in_any_field_get_a_page_never_a_500(client, make_event, fields):
    browser = browser_for(client, lambda: make_event(questions=QUESTIONS))
    response = browser.post(fields)
    assert response.status_code in (200, 303), response.status_code


@given(ANY_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")), st.text(max_size=20))
@example(b"\x00", "")
@example(b"atelier\x00", "\x00")
@example(b"a" * 5000, "en")
@example(b"/0", "")
def test_any_address_is_a_page_or_a_404(client, make_event, path_bytes, lang):
    if count_events() == 0:
        make_event()
    for prefix in ("/e/", "/r/"):
        url = prefix + quote_from_bytes(path_bytes, safe="") + "?lang=" + quote(lang, safe="")
        response = client.get(url)
        # 308: the router tidies a doubled slash (an escaped « / » in the path).
        assert response.status_code in (200, 308, 404), (url, response.status_code)


def count_events() -> int:
    from eventsvc.events.models import Event

    db.session.rollback()
    return db.session.scalar(select(func.count(Event.id)))


# --- what the search above found, kept as plain examples ------------------------------------


def test_a_nul_byte_gets_a_message_next_to_its_field_not_a_500(client, make_event):
    browser = Browser(client, make_event())
    response = browser.post(
        [
            ("first_name", "Nadia\x00"),
            ("last_name", "Benali"),
            ("email", "nadia.benali@mairie.example.org"),
            ("full_day", "yes"),
            ("comment", "ligne\x0bverticale"),
        ]
    )
    assert response.status_code == 200
    for field in ("first_name", "comment"):
        error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', response.text, re.S)
        assert error and "caractère de contrôle invisible" in error.group(1)
    assert count_registrations() == 0


def test_an_email_with_surrounding_spaces_is_stored_trimmed(client, make_event):
    browser = Browser(client, make_event())
    typed = " " * 400 + "nadia.benali@mairie.example.org\t"
    response = browser.post(
        [("first_name", "Nadia"), ("last_name", "Benali"), ("email", typed), ("full_day", "yes")]
    )
    assert response.status_code == 303
    assert registration_behind(response.headers["Location"]).email_typed == typed.strip()


def test_an_overlong_email_is_refused_with_a_message(client, make_event):
    browser = Browser(client, make_event())
    typed = "a" * 64 + "@" + ".".join(["b" * 60] * 4) + ".fr"
    response = browser.post(
        [("first_name", "Nadia"), ("last_name", "Benali"), ("email", typed), ("full_day", "yes")]
    )
    assert response.status_code == 200
    assert "trop longue" in response.text
    assert count_registrations() == 0


def test_a_nul_byte_in_an_address_is_a_404(client, make_event):
    make_event()
    assert client.get("/e/atelier%00").status_code == 404
    assert client.post("/e/%00", data={}).status_code == 404


# --- the CSV import ------------------------------------------------------------------------------

IMPORT_EVENTS = itertools.count()
IMPORT_HEADER = (
    "Prénom,NOM,Organisation,Courriel,Je serai présent.e toute la journée,Commentaire libre"
)


def _csv_field(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


# What a text file can hold: every code point but lone surrogates, which no encoding writes (the
# bytes that would stand for them are the any-bytes test's).
FILE_CHAR = st.characters(exclude_categories=["Cs"])


@given(data=st.binary(max_size=2000))
def test_any_bytes_uploaded_as_a_sign_up_file_give_a_preview(data):
    from eventsvc.registrations import signup_csv

    parsed = signup_csv.parse(data)
    for row in parsed.accepted:
        assert check_email(row.email.typed).key == row.email.key


@given(
    rows=st.lists(
        st.tuples(
            st.text(FILE_CHAR, min_size=1, max_size=30),
            st.text(FILE_CHAR, min_size=1, max_size=30),
            st.text(FILE_CHAR, max_size=40),
            st.emails(),
            st.sampled_from(["Oui", "Non", "oui", "NON", "", "peut-être"]),
            st.text(FILE_CHAR, max_size=200),
        ),
        max_size=6,
    ),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252"]),
)
def test_an_imported_row_is_stored_exactly_as_the_preview_showed_it(
    app, make_event, rows, encoding
):
    from eventsvc.registrations import importing

    event = make_event(slug=f"import-{next(IMPORT_EVENTS)}")
    text = "\r\n".join([IMPORT_HEADER] + [",".join(_csv_field(v) for v in row) for row in rows])
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode("utf-8")
    preview = importing.preview(event, data)
    event_label = "nothing to import" if not preview.can_import else "imported"
    hypothesis_event(event_label)
    if not preview.can_import:
        return
    importing.commit(event, preview)
    db.session.flush()
    stored = {
        r.email_key: r
        for r in db.session.scalars(select(Registration).where(Registration.event_id == event.id))
    }
    for planned in preview.planned:
        row = planned.row
        registration = stored[row.email.key]
        assert (registration.first_name, registration.last_name, registration.organisation) == (
            row.first_name,
            row.last_name,
            row.organisation,
        )
        assert registration.comment == row.comment
    db.session.rollback()


# --- the calendar builder ----------------------------------------------------------------------

# What a calendar carries unchanged: any character but a control one (LF aside) or a lone surrogate;
# tests/test_calendar.py checks what becomes of those.
CALENDAR_CHAR = st.characters(exclude_categories=["Cs", "Cc"]) | st.just("\n")


@given(
    title=st.text(CALENDAR_CHAR, min_size=1, max_size=300),
    place=st.text(CALENDAR_CHAR, max_size=200),
    description=st.text(CALENDAR_CHAR, max_size=500),
    name=st.text(ANY_CHAR, max_size=80),
    email=st.emails(),
)
def test_any_text_gives_a_calendar_that_parses_back_to_the_same_text(
    title, place, description, name, email
):
    import icalendar

    from eventsvc import calendars as calendar

    from .calendar_checks import assert_wire_format

    start = datetime(2027, 3, 28, 9, 30).astimezone()
    occurrence = calendar.Occurrence(
        uid="fuzz-20270328@eventsvc",
        start=start,
        end=start + timedelta(hours=3),
        summary=title,
        location=place,
        description=description,
        url="https://x.example/r/t",
    )
    person = calendar.Person(name, email)
    for build in (calendar.request, calendar.cancel):
        ics = build(
            [occurrence],
            organizer=person,
            attendee=person,
            sequence=1,
            zone="Europe/Paris",
            stamp=start,
        )
        assert_wire_format(ics)
        [vevent] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
        assert str(vevent["SUMMARY"]) == title
        assert str(vevent.get("LOCATION", "")) == place
        assert str(vevent.get("DESCRIPTION", "")) == description
        assert str(vevent["ORGANIZER"]) == f"mailto:{email}"
        assert str(vevent["ATTENDEE"]) == f"mailto:{email}"
