"""What participants see: the public page, the page after signing up, the personal page, and the
wording of events over several days, over HTTP."""

import re
from datetime import timedelta
from html import unescape

from babel.dates import format_date

from eventsvc.extensions import db

from .factories import CSRF_PATTERN, error_for, post_form, registrations, valid


def text_of(response) -> str:
    return unescape(response.get_data(as_text=True))


def two_days(make_event, **fields):
    """« Jour 1 » and « Jour 2 » on two following dates (the factory's study day, stretched)."""
    event = make_event(**fields)
    second = event.parts[1]
    second.label = "Jour 2"
    second.starts_at += timedelta(days=1)
    second.ends_at += timedelta(days=1)
    event.parts[0].label = "Jour 1"
    db.session.commit()
    return event


def day_name(moment, event) -> str:
    return format_date(moment.astimezone(event.zone).date(), "EEEE d MMMM", locale="fr")


# --- the public page ---------------------------------------------------------------------------


def test_the_public_page_names_the_organiser_and_offers_the_calendar(client, make_event):
    make_event()
    html = client.get("/e/atelier").get_data(as_text=True)
    assert "Organisé par" in html and "Codev Exemple" in html
    assert '<a href="mailto:codev@example.org">codev@example.org</a>' in html
    assert 'href="/e/atelier.ics"' in html and "Ajouter à mon agenda" in html
    calendar = client.get("/e/atelier.ics")
    assert calendar.status_code == 200 and b"BEGIN:VCALENDAR" in calendar.data


def test_the_organiser_is_not_offered_once_registrations_are_closed(client, make_event):
    from eventsvc.events.models import EventStatus

    make_event(status=EventStatus.CLOSED)
    html = unescape(client.get("/e/atelier").get_data(as_text=True))
    assert "Organisé par" not in html
    assert "Pour toute question, écrivez à" in html  # the closed notice still gives the address


def test_the_header_shows_eventsvc_by_default(client, make_event):
    make_event()
    html = client.get("/e/atelier").get_data(as_text=True)
    assert '<span class="brand">eventsvc</span>' in html


def test_the_header_shows_the_organisation_name_when_set(app, client, make_event):
    app.config["ORGANISATION_NAME"] = "Conseil de développement <Dinan>"
    make_event()
    html = client.get("/e/atelier").get_data(as_text=True)
    assert '<span class="brand">Conseil de développement &lt;Dinan&gt;</span>' in html


# --- after signing up: the personal page -------------------------------------------------------


def test_after_signing_up_the_page_says_date_venue_and_parts(client, make_event):
    event = make_event(venue_address="2 rue de l'Horloge")
    ids = {part.label: part.id for part in event.parts}
    response = post_form(client, "/e/atelier", valid(full_day="no", parts=[str(ids["Matin"])]))
    assert response.status_code == 303
    html = text_of(client.get(response.headers["Location"]))
    day = format_date(event.days[0], "full", locale="fr")
    facts = html[html.index('<dl class="facts">') : html.index("</dl>")]
    assert day in facts
    assert "Salle du conseil, 2 rue de l'Horloge, Dinan-Exemple" in facts
    assert "Matin (09:30–12:30)" in facts and "Après-midi" not in facts
    assert "Une partie de la journée" in facts
    assert 'href="mailto:codev@example.org"' in facts


def test_the_personal_page_puts_the_presence_first_and_each_form_saves_alone(client, make_event):
    make_event(compensation_offered=True, compensation_scale="fp")
    response = post_form(client, "/e/atelier", valid())
    personal = response.headers["Location"]
    html = client.get(personal).get_data(as_text=True)
    assert html.index("Modifier ma présence") < html.index("Mes frais")
    assert html.index("Mes frais") < html.index('id="cancel-title"')
    forms = re.findall(r'<form method="post" action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
    actions = [action for action, _ in forms]
    assert actions == [f"{personal}#presence", f"{personal}/declaration#frais"]
    for _, body in forms:
        assert body.count('type="submit"') == 1
    assert 'id="presence"' in html and 'id="frais"' in html


def test_an_error_on_the_personal_page_is_next_to_its_field_and_focused(client, make_event):
    make_event(compensation_offered=True, compensation_scale="fp")
    personal = post_form(client, "/e/atelier", valid()).headers["Location"]
    token = CSRF_PATTERN.search(client.get(personal).get_data(as_text=True)).group(1)

    response = client.post(
        f"{personal}/declaration",
        data={"csrf_token": token, "travel-origin": "Broons", "travel-transport": "car_driver"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "puissance fiscale" in error_for(html, "travel-fiscal_horsepower")
    field = re.search(r'<input type="text" id="travel-fiscal_horsepower"[^>]*>', html).group(0)
    assert "autofocus" in field and 'aria-invalid="true"' in field
    assert "travel-fiscal_horsepower-error" in field  # aria-describedby
    assert html.count("autofocus") == 1

    response = client.post(
        personal,
        data={"csrf_token": token, "full_day": "no", "arrival_time": "25:00"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert error_for(html, "arrival_time")
    field = re.search(r'<input type="time" id="arrival_time"[^>]*>', html).group(0)
    assert "autofocus" in field and 'aria-invalid="true"' in field
    assert html.count("autofocus") == 1

    response = client.post(personal, data={"csrf_token": token, "full_day": "no"})
    html = response.get_data(as_text=True)
    assert "cochez au moins une partie" in error_for(html, "parts")
    # a group of checkboxes: its first box takes the focus
    assert re.search(r'<input type="checkbox" id="parts-0"[^>]*autofocus', html)
    assert html.count("autofocus") == 1


def test_the_sign_up_form_keeps_its_error_summary_focused(client, make_event):
    make_event()
    html = post_form(client, "/e/atelier", valid(email="")).get_data(as_text=True)
    assert re.search(r'id="form-errors"[^>]*autofocus', html) and html.count("autofocus") == 1
    assert registrations() == []


# --- events over several days ----------------------------------------------------------------


def test_a_one_day_event_keeps_speaking_of_the_day(client, make_event):
    make_event()
    html = text_of(client.get("/e/atelier"))
    assert "Serez-vous présent·e toute la journée ?" in html
    assert "Heure d'arrivée (facultatif)" in html and "toutes les parties" not in html


def test_an_event_over_two_days_speaks_of_parts_and_days(client, make_event):
    event = two_days(make_event)
    first, second = event.parts
    html = text_of(client.get("/e/atelier"))
    assert "Serez-vous présent·e à toutes les parties ?" in html
    assert "toute la journée" not in html
    assert "Oui, à toutes les parties" in html
    # each part shows its date
    assert f"Jour 1 ({format_date(first.local_start.date(), 'full', locale='fr')}" in html
    assert f"Jour 2 ({format_date(second.local_start.date(), 'full', locale='fr')}" in html
    assert f"Heure d'arrivée ({day_name(first.starts_at, event)}), facultatif" in html
    assert f"Heure de départ ({day_name(second.starts_at, event)}), facultatif" in html

    # Only the second day: its arrival is read on that day, as the rules read it.
    response = post_form(
        client, "/e/atelier", valid(full_day="no", parts=[str(second.id)], arrival_time="08:00")
    )
    assert response.status_code == 200
    html = text_of(response)
    assert f"Heure d'arrivée ({day_name(second.starts_at, event)}), facultatif" in html
    assert "L'heure d'arrivée doit être comprise entre 14:00 et 17:00" in html

    # « Toutes les parties » with a part still ticked: the whole event's days, as the rules read it.
    response = post_form(
        client, "/e/atelier", valid(full_day="yes", parts=[str(second.id)], email="")
    )
    html = text_of(response)
    assert f"Heure d'arrivée ({day_name(first.starts_at, event)}), facultatif" in html
    # What static/part_days.js needs to follow the ticks before the form is sent.
    assert f'"{second.id}": ["{second.local_start.date().isoformat()}", ' in html
    assert r"Heure d\u0027arriv\u00e9e ({day}), facultatif" in html  # as tojson escapes it

    response = post_form(client, "/e/atelier", valid(full_day="no", parts=[str(second.id)]))
    assert response.status_code == 303
    html = text_of(client.get(response.headers["Location"]))
    assert "Certaines parties" in html and "Une partie de la journée" not in html
    assert f"Heure d'arrivée ({day_name(second.starts_at, event)}), facultatif" in html


def test_a_missing_answer_over_two_days_asks_about_every_part(client, make_event):
    two_days(make_event)
    data = valid()
    del data["full_day"]
    html = text_of(post_form(client, "/e/atelier", data))
    assert "Dites si vous venez à toutes les parties." in error_for(html, "full_day")


def test_the_personal_page_labels_the_whole_name_in_both_languages(client, make_event):
    """Seen in a browser: the English page labelled « Bruno Caradec » as the « Last name »."""
    make_event()
    personal = post_form(client, "/e/atelier", valid()).headers["Location"]
    french = text_of(client.get(personal))
    assert re.search(r"<dt>Prénom et nom</dt>\s*<dd>", french)
    english = text_of(client.get(personal, headers={"Accept-Language": "en"}))
    assert re.search(r"<dt>Name</dt>\s*<dd>", english) and "Last name" not in english
