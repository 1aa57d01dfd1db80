"""What text fields hold (issue 13, item 5): a single-line field refuses line breaks, tabs and
control characters with a message next to it, on every form; a text area keeps line breaks only;
the imports refuse such a row with its line; nothing is stored."""

from __future__ import annotations

import importlib
import pkgutil
import re
from html import unescape

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict
from wtforms import Form as PlainForm
from wtforms import PasswordField, StringField, TextAreaField

import eventsvc
from eventsvc.compensation.distance_table import DistancierError, parse_distancier
from eventsvc.events.models import Event
from eventsvc.extensions import db
from eventsvc.invitations import contacts_csv
from eventsvc.invitations.models import Contact
from eventsvc.registrations import signup_csv
from eventsvc.registrations.models import Registration

from .factories import csrf_token, event_form, happening_today, post, post_form, valid

LINE_BREAK = "Ce champ tient sur une seule ligne : retirez le retour à la ligne."
TAB = "Ce champ ne prend pas de tabulation : remplacez-la par une espace."
CONTROL = "Ce champ contient un caractère de contrôle invisible"
HOSTILE = {"a\nb": LINE_BREAK, "a\rb": LINE_BREAK, "a\u2028b": LINE_BREAK, "a\tb": TAB}
HOSTILE["a\x00b"] = CONTROL
HOSTILE["a\x85b"] = LINE_BREAK  # NEL, a line break for str.splitlines
# A text area keeps line breaks (LF, CRLF, the Unicode separators), not a bare CR or the rest.
IN_A_TEXT_AREA = {**HOSTILE, "a\nb": None, "a\u2028b": None, "a\x85b": None, "a\rb": CONTROL}


def form_classes() -> list[type]:
    for module in pkgutil.walk_packages(eventsvc.__path__, "eventsvc."):
        importlib.import_module(module.name)
    found, todo = [], [PlainForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("eventsvc.") and sub.__module__ != "eventsvc.common.forms":
                found.append(sub)
    return found


def test_every_form_of_the_service_checks_its_text_fields():
    from eventsvc.common.forms import TextChecks

    classes = form_classes()
    assert len(classes) > 30
    assert [c.__qualname__ for c in classes if not issubclass(c, TextChecks)] == []


def text_fields(form):
    for name, field in form._fields.items():
        if isinstance(field, PasswordField) or name == "csrf_token":
            continue
        if isinstance(field, StringField):
            yield name, field


@pytest.mark.parametrize("value", sorted(HOSTILE))
def test_every_single_line_field_of_every_form_refuses_it(app, value):
    """Each form, built as its page builds it, validated with the value in every text field."""
    checked = 0
    for cls in form_classes():
        try:
            with app.test_request_context(method="POST"):
                form = cls(formdata=MultiDict(), meta={"csrf": False})
        except TypeError:
            continue  # forms that need their event are covered by the pages below
        names = [name for name, _field in text_fields(form)]
        data = MultiDict({name: value for name in names})
        with app.test_request_context(method="POST", data=data):
            form = cls(formdata=data, meta={"csrf": False})
            if hasattr(form, "event"):
                continue
            form.validate()
            for name, field in text_fields(form):
                if name in form.unchecked_fields:
                    continue
                table = IN_A_TEXT_AREA if isinstance(field, TextAreaField) else HOSTILE
                expected = table[value]
                messages = [str(m) for m in field.errors]
                if expected is None:
                    assert [m for m in messages if CONTROL in m or TAB in m] == [], (cls, name)
                else:
                    assert any(m.startswith(expected) for m in messages), (
                        cls.__qualname__,
                        name,
                        messages,
                    )
                checked += 1
    assert checked > 40


def errors_near(html: str, name: str) -> str:
    """The text of the page around the field ``name`` (its label, input and messages)."""
    html = unescape(html)
    start = html.index(f'name="{name}"')
    return html[max(0, start - 600) : start + 600]


def test_the_public_form_refuses_a_line_break_in_a_name_and_stores_nothing(client, make_event):
    make_event()
    for field, value, message in (
        ("first_name", "Anne\nMarie", LINE_BREAK),
        ("last_name", "Morvan\r", None),  # around the value: trimmed, accepted
        ("organisation", "Mairie\tde Dinan", TAB),
    ):
        data = {**valid(), field: value}
        response = post_form(client, "/e/atelier", data)
        if message is None:
            assert response.status_code == 303
            continue
        assert response.status_code == 200
        assert message in errors_near(response.get_data(as_text=True), field)
    [stored] = db.session.scalars(select(Registration)).all()
    assert stored.last_name == "Morvan"


def test_a_comment_keeps_its_line_breaks_but_no_tab(client, make_event):
    make_event()
    refused = post_form(client, "/e/atelier", {**valid(), "comment": "Végétarien\tmerci"})
    assert refused.status_code == 200
    assert TAB in errors_near(refused.get_data(as_text=True), "comment")
    accepted = post_form(client, "/e/atelier", {**valid(), "comment": "Végétarien\r\nmerci"})
    assert accepted.status_code == 303


def test_the_personal_page_refuses_a_line_break_in_a_short_answer(client, make_event):
    make_event(questions=[{"label": "Commune"}])
    event = db.session.scalar(select(Event))
    question = event.questions[0]
    signed = post_form(client, "/e/atelier", {**valid(), f"q_{question.id}": "Dinan"})
    personal = signed.headers["Location"]
    data = {"full_day": "yes", f"q_{question.id}": "Dinan\nEst"}
    response = post_form(client, personal, data)
    assert response.status_code == 200
    assert LINE_BREAK in errors_near(response.get_data(as_text=True), f"q_{question.id}")
    assert db.session.scalar(select(Registration)).answers[0].value == "Dinan"


def test_the_walk_in_form_refuses_a_line_break(organiser_client):
    client, event = organiser_client, happening_today(organiser_client.event)
    morning = event.parts[0]
    page = f"/dashboard/events/{event.id}/checkin?part={morning.id}"
    html = client.get(page).get_data(as_text=True)
    request_id = re.search(r'name="request_id" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        f"/dashboard/events/{event.id}/checkin/{morning.id}/walk-in",
        data={
            "csrf_token": csrf_token(client, page),
            "request_id": request_id,
            "first_name": "Jean\nPierre",
            "last_name": "Sansinscription",
        },
    )
    assert response.status_code == 200
    assert LINE_BREAK in errors_near(response.get_data(as_text=True), "first_name")
    assert db.session.scalar(select(func.count(Registration.id))) == 0


def test_the_event_form_refuses_a_line_break_in_the_title_and_organiser_name(organiser_client):
    client, event = organiser_client, organiser_client.event
    url = f"/dashboard/events/{event.id}/edit"
    for field in ("title", "organiser_name", "venue_name"):
        response = post(client, url, event_form(event, **{field: "Atelier\nBcc: x"}))
        assert response.status_code == 200
        assert LINE_BREAK in errors_near(response.get_data(as_text=True), field)
    db.session.refresh(event)
    assert event.title == "Atelier participatif"


def test_the_contact_form_refuses_a_line_break_in_the_function(organiser_client):
    client = organiser_client
    response = post_form(
        client,
        "/dashboard/contacts/new",
        {"last_name": "Martin", "function": "Maire\nadjointe", "email": "c.martin@example.org"},
    )
    assert response.status_code == 200
    assert LINE_BREAK in errors_near(response.get_data(as_text=True), "function")
    assert db.session.scalar(select(func.count(Contact.id))) == 0


def test_the_account_name_is_one_line(runner):
    result = runner.invoke(
        args=["users", "create", "orga@example.org", "--name", "Anne\nMarie", "--password-stdin"],
        input="une phrase de passe assez longue\n",
    )
    assert result.exit_code != 0
    assert "Nom du compte : Ce champ tient sur une seule ligne" in result.output
    assert "Traceback" not in result.output


def test_the_sign_up_import_refuses_such_a_row_with_its_line():
    data = (
        "Prénom,NOM,Organisation,Courriel,Je serai présent.e toute la journée,Commentaire libre\n"
        '"Anne\nMarie",Morvan,Métropole,anne@example.org,Oui,"ligne 1\nligne 2"\n'
        'Paul,Le Gall,"CCAS\tDinan",paul@example.org,Oui,ok\n'
        'Léa,Bernard,,lea@example.org,Oui,"végétarienne\r\nmerci"\n'
    ).encode()
    parsed = signup_csv.parse(data)
    assert [(r.line, r.field, str(r.reason)) for r in parsed.refused] == [
        (2, "first_name", LINE_BREAK),
        (5, "organisation", TAB),  # the row of Anne spans lines 2 to 4
    ]
    [lea] = parsed.accepted
    assert lea.comment == "végétarienne\nmerci"


def test_the_contacts_import_refuses_such_a_row_with_its_line(app, make_organiser):
    data = (
        "Civilité;Prénom;Nom;Fonction;Organisation;Courriel\n"
        'Mme;Claire;Martin;"Maire\nadjointe";Plouër;claire@example.org\n'
        "M.;Hervé;Le Gall;Maire;Dinan;herve@example.org\n"
    ).encode()
    parsed = contacts_csv.parse(data)
    assert [(r.line, r.field, str(r.reason)) for r in parsed.refused] == [
        (2, "function", LINE_BREAK)
    ]
    assert [row.last_name for row in parsed.accepted] == ["Le Gall"]


@pytest.mark.parametrize("commune", ['"Dinan\nEst"', '"Dinan\tEst"'])
def test_the_distance_table_refuses_such_a_commune_with_its_line(commune):
    data = f"Commune A;Commune B;5,0\n{commune};Evran;19,6\n".encode()
    with pytest.raises(DistancierError) as refused:
        parse_distancier(data)
    assert "retour à la ligne, une tabulation" in refused.value.message.render()
    assert re.search(r"Ligne [23] ", refused.value.message.render())
