"""The public form, through HTTP as a browser posts it."""

import re

import pytest

from eventsvc.events.models import EventStatus, QuestionKind
from eventsvc.registrations.models import RegistrationStatus

from .factories import error_for, part_ids, post_form, registrations, sample_rows, valid


def test_event_page_shows_the_event_and_its_parts(client, make_event):
    make_event(capacity=30)
    html = client.get("/e/atelier").get_data(as_text=True)
    assert "Atelier participatif" in html
    assert "Salle du conseil" in html
    assert "Matin" in html and "09:30" in html and "Après-midi" in html and "17:00" in html
    assert "30 places restantes" in html
    assert 'name="csrf_token"' in html
    for name in (
        "first_name",
        "last_name",
        "organisation",
        "email",
        "full_day",
        "parts",
        "arrival_time",
        "departure_time",
        "comment",
    ):
        assert f'name="{name}"' in html


def test_afternoon_only_with_a_comment_is_recorded_and_shown(client, make_event):
    event = make_event()
    afternoon = part_ids(event)["Après-midi"]
    response = post_form(
        client,
        "/e/atelier",
        valid(
            full_day="no",
            parts=[str(afternoon)],
            arrival_time="14:00",
            departure_time="16:30",
            comment="Permanence d'accueil le matin, je viendrai l'après-midi.",
        ),
    )
    assert response.status_code == 303
    assert re.fullmatch(
        r"/r/[A-Za-z0-9_-]{43}", response.headers["Location"].split("eventsvc.test")[-1]
    )
    [registration] = registrations()
    assert registration.full_day is False
    assert [part.label for part in registration.chosen_parts] == ["Après-midi"]
    assert registration.departure_time.strftime("%H:%M") == "16:30"
    assert registration.comment == "Permanence d'accueil le matin, je viendrai l'après-midi."
    assert registration.status == RegistrationStatus.CONFIRMED

    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Votre inscription est confirmée" in page
    assert "Après-midi (14:00–17:00)" in page
    assert "Matin" not in page.split("<dl")[1].split("</dl>")[0]
    assert "Départ vers 16:30" in page
    assert "je viendrai l&#39;après-midi" in page


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("email", "nadia;benali@mairie.example.org", "« ; »"),
        ("email", "lucas.bernard@@agence.example.org", "un seul « @ »"),
        ("first_name", "", "Indiquez votre prénom"),
        ("last_name", "   ", "Indiquez votre nom"),
        ("comment", "x" * 20_000, "20000 caractères"),
        ("arrival_time", "25:99", "Cette heure n'existe pas"),
        ("first_name", "x" * 101, "100 caractères au plus"),
    ],
)
def test_a_wrong_field_gets_its_message_and_the_rest_stays_filled(
    client, make_event, field, value, says
):
    event = make_event()
    data = valid(
        full_day="no", parts=[str(part_ids(event)["Matin"])], comment="Je viens avec un collègue"
    )
    data[field] = value
    response = post_form(client, "/e/atelier", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert says in error_for(html, field)
    assert f'aria-describedby="{field}-error"' in html or f'{field}-error"' in html
    assert 'aria-invalid="true"' in html or field == "parts"
    if field != "email":
        assert 'value="yann@maison-lilas.example.net"' in html
    if field != "comment":
        assert "Je viens avec un collègue" in html
    assert registrations() == []


def test_partial_attendance_without_a_part_is_refused(client, make_event):
    make_event()
    html = post_form(client, "/e/atelier", valid(full_day="no")).get_data(as_text=True)
    assert "cochez au moins une partie" in error_for(html, "parts")
    assert registrations() == []


def test_a_part_of_another_event_is_refused(client, make_event):
    make_event()
    other = make_event(slug="autre")
    foreign = part_ids(other)["Matin"]
    for value in (str(foreign), "abc", "999999"):
        response = post_form(client, "/e/atelier", valid(full_day="no", parts=[value]))
        assert response.status_code == 200
        assert "n'existe pas pour cet événement" in error_for(
            response.get_data(as_text=True), "parts"
        )
    assert registrations() == []


def test_times_must_fall_within_the_chosen_parts(client, make_event):
    event = make_event()
    html = post_form(
        client,
        "/e/atelier",
        valid(full_day="no", parts=[str(part_ids(event)["Après-midi"])], arrival_time="10:00"),
    ).get_data(as_text=True)
    assert "entre 14:00 et 17:00" in error_for(html, "arrival_time")


def test_times_are_ignored_for_a_full_day(client, make_event):
    make_event()
    post_form(client, "/e/atelier", valid(arrival_time="10:00"))
    [registration] = registrations()
    assert registration.full_day and registration.arrival_time is None


def test_a_missing_csrf_token_returns_the_form_filled_with_a_message(client, make_event):
    make_event()
    response = client.post("/e/atelier", data=valid())
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "envoyez à nouveau le formulaire" in html
    assert 'value="yann@maison-lilas.example.net"' in html
    assert registrations() == []


def test_same_person_twice_is_told_and_not_duplicated(client, make_event):
    make_event()
    first = post_form(client, "/e/atelier", valid(email="Karim.Haddad@mission-locale.example.org"))
    assert first.status_code == 303
    second = post_form(
        client,
        "/e/atelier",
        valid(email=" karim.haddad@MISSION-LOCALE.example.org"),
        follow_redirects=True,
    )
    html = second.get_data(as_text=True)
    assert "déjà inscrit·e" in html
    assert "lien personnel vous a été renvoyé" in html
    assert len(registrations()) == 1


def test_extra_questions_are_asked_checked_and_recorded(client, make_event):
    event = make_event(
        questions=[
            {"label": "Mes fonctions", "required": True},
            {
                "label": "Je viens en tant que",
                "kind": QuestionKind.SINGLE_CHOICE,
                "choices": ["Facilitateur", "Curieux"],
            },
            {
                "label": "Sujets",
                "kind": QuestionKind.MULTIPLE_CHOICE,
                "choices": ["Accès aux droits", "Matériel"],
            },
            {"label": "Mon expertise", "kind": QuestionKind.LONG_TEXT},
        ]
    )
    q = {question.label: question.field_name for question in event.questions}
    html = post_form(client, "/e/atelier", valid(**{q["Je viens en tant que"]: "Pirate"})).get_data(
        as_text=True
    )
    assert "Cette question demande une réponse" in error_for(html, q["Mes fonctions"])
    assert "Choisissez parmi les réponses proposées" in error_for(html, q["Je viens en tant que"])

    response = post_form(
        client,
        "/e/atelier",
        valid(
            **{
                q["Mes fonctions"]: "Chargée de mission",
                q["Je viens en tant que"]: "Curieux",
                q["Sujets"]: ["Accès aux droits", "Matériel"],
            }
        ),
    )
    assert response.status_code == 303
    [registration] = registrations()
    answers = {answer.question.label: answer.value for answer in registration.answers}
    assert answers == {
        "Mes fonctions": "Chargée de mission",
        "Je viens en tant que": "Curieux",
        "Sujets": ["Accès aux droits", "Matériel"],
    }
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Accès aux droits, Matériel" in page


@pytest.mark.parametrize(
    ("status", "says"),
    [
        (EventStatus.CLOSED, "Les inscriptions sont closes"),
        (EventStatus.CANCELLED, "Cet événement est annulé"),
    ],
)
def test_closed_or_cancelled_event_offers_no_form(client, make_event, status, says):
    make_event(status=status)
    html = client.get("/e/atelier").get_data(as_text=True)
    assert says in html
    assert 'name="email"' not in html
    response = post_form_without_page(client, valid())
    assert response.status_code == 200
    assert registrations() == []


def post_form_without_page(client, data):
    """A tool that posts directly, with no page to take a token from."""
    with client.session_transaction():
        pass
    return client.post("/e/atelier", data=data)


def test_registration_window(client, make_event):
    from datetime import timedelta

    from eventsvc.database import utcnow

    make_event(registration_opens_at=utcnow() + timedelta(days=1))
    assert "Les inscriptions ouvriront le" in client.get("/e/atelier").get_data(as_text=True)
    make_event(slug="passe", registration_closes_at=utcnow() - timedelta(minutes=1))
    assert "Les inscriptions sont closes" in client.get("/e/passe").get_data(as_text=True)


def test_a_draft_event_does_not_exist_publicly(client, make_event):
    make_event(status=EventStatus.DRAFT)
    assert client.get("/e/atelier").status_code == 404
    assert client.post("/e/atelier", data=valid()).status_code == 404


@pytest.mark.parametrize("token", ["nope", "A" * 43, "A" * 42 + "!", "x" * 500])
def test_unknown_or_malformed_personal_link_is_a_plain_404(client, make_event, token):
    make_event()
    response = client.get(f"/r/{token}")
    assert response.status_code == 404
    assert "Atelier" not in response.get_data(as_text=True)


def test_markup_in_answers_is_shown_as_text(client, make_event):
    make_event()
    response = post_form(
        client,
        "/e/atelier",
        valid(
            first_name="<b>Samuel</b>",
            comment="<script>alert('x')</script> je viens avec un collègue",
        ),
    )
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "&lt;b&gt;Samuel&lt;/b&gt;" in page


def test_english_is_offered_and_remembered(client, make_event):
    make_event()
    html = client.get("/e/atelier?lang=en").get_data(as_text=True)
    assert '<html lang="en">' in html
    assert "Sign up" in html or "First name" in html
    again = client.get("/e/atelier").get_data(as_text=True)
    assert '<html lang="en">' in again
    html = client.get("/e/atelier", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(
        as_text=True
    )
    assert '<html lang="en">' in html


def test_french_is_the_default(client, make_event):
    make_event()
    html = client.get("/e/atelier", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert '<html lang="fr">' in html
    assert "Prénom" in html


def test_every_row_of_a_real_export_goes_through_the_form(client, make_event):
    """Rows with an invalid email are refused with a message; the others keep their comment."""
    event = make_event()
    parts = part_ids(event)
    rows = sample_rows()
    refused, recorded, duplicates = [], [], []
    for row in rows:
        full_day = row["Je serai présent.e toute la journée"] == "Oui"
        comment = row["Commentaire libre"]
        chosen = (
            []
            if full_day
            else [parts["Après-midi" if "après-midi" in comment.lower() else "Matin"]]
        )
        response = post_form(
            client,
            "/e/atelier",
            {
                "first_name": row["Prénom"],
                "last_name": row["NOM"],
                "organisation": row["Organisation"],
                "email": row["Courriel"],
                "full_day": "yes" if full_day else "no",
                "parts": [str(p) for p in chosen],
                "comment": comment,
            },
        )
        if response.status_code == 303 and "/r/" in response.headers["Location"]:
            recorded.append(row)
        elif "déjà inscrit" in client.get("/e/atelier").get_data(as_text=True):
            duplicates.append(row)
        else:
            assert response.status_code == 200
            error_for(response.get_data(as_text=True), "email")
            refused.append(row)
    assert [row["Courriel"] for row in refused] == [
        "nadia;benali@mairie.example.org",
        "lucas.bernard@@agence.example.org",
    ]
    assert [row["Courriel"] for row in duplicates] == ["Karim.Haddad@mission-locale.example.org"]
    stored = {r.email_typed: r for r in registrations()}
    assert len(stored) == len(rows) - 3
    for row in recorded:
        assert stored[row["Courriel"].strip()].comment == row["Commentaire libre"].strip()
        assert stored[row["Courriel"].strip()].organisation == row["Organisation"].strip()
