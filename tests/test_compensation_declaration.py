"""The travel and childcare declaration on the public form and the personal page, over HTTP."""

import re
from decimal import Decimal
from html import unescape

from eventsvc.compensation import claim_operations, claims, declarations
from eventsvc.extensions import db
from eventsvc.links import personal_token

from .factories import (
    ORGANISER,
    app_config,  # noqa: F401 - the organisation's own scale « codev », which pays childcare
    error_for,
    import_example_table,
    move_to_the_past,
    post_form,
    registrations,
    valid,
)


def offering(make_event, scale="codev", **fields):
    """An event whose scale pays everything the form can ask (codev: car, meals, childcare...)."""
    return make_event(compensation_offered=True, compensation_scale=scale, **fields)


def travel(**fields):
    return {f"travel-{name}": value for name, value in fields.items()}


def test_the_section_is_shown_only_when_the_event_offers_compensation(client, make_event):
    make_event(slug="sans")
    offering(make_event, slug="avec")
    without = client.get("/e/sans").get_data(as_text=True)
    assert "travel-origin" not in without and "distance.js" not in without
    html = client.get("/e/avec").get_data(as_text=True)
    for name in ("origin", "transport", "fiscal_horsepower", "round_trip_km", "childcare_hours"):
        assert f'name="travel-{name}"' in html
    assert "Vos frais (facultatif)" in unescape(html)
    assert "En voiture, je conduis" in html and "covoiturage" in html
    # No inline script or style: the page must run under a strict CSP.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert " style=" not in html and "<style" not in html
    assert '<script src="/static/distance.js" defer></script>' in html


def test_signing_up_without_touching_the_section_declares_nothing(client, make_event):
    offering(make_event)
    response = post_form(client, "/e/atelier", valid())
    assert response.status_code == 303
    [registration] = registrations()
    assert declarations.declaration_of(registration) is None


def test_distance_is_filled_from_the_table_when_left_empty(client, make_event):
    import_example_table()
    offering(make_event)
    page = client.get("/e/atelier").get_data(as_text=True)
    assert '<datalist id="travel-communes">' in page and '<option value="Évran-Exemple">' in page
    response = post_form(
        client,
        "/e/atelier",
        valid(
            **travel(origin="évran exemple", transport="car_driver", fiscal_horsepower="5"),
            **{"travel-round_trip_km": ""},
        ),
    )
    assert response.status_code == 303
    [registration] = registrations()
    declaration = declarations.declaration_of(registration)
    # Évran-Exemple → Dinan-Exemple: 19.6 km one way, 39.2 round trip
    assert declaration.round_trip_km == Decimal("39.2")
    assert declaration.distance_from_table and declaration.fiscal_horsepower == 5
    personal = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "39,2 km" in personal and "tableau des distances" in personal


def test_a_commune_missing_from_the_table_asks_for_the_distance_then_flags_it(client, make_event):
    import_example_table()
    offering(make_event)
    data = valid(**travel(origin="Loin-sur-Mer", transport="car_driver", fiscal_horsepower="6"))
    response = post_form(client, "/e/atelier", data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "« Loin-sur-Mer » ne figure pas dans notre tableau des distances" in error_for(
        html, "travel-round_trip_km"
    )
    assert 'value="Loin-sur-Mer"' in html  # refilled
    response = post_form(client, "/e/atelier", {**data, "travel-round_trip_km": "84,5"})
    assert response.status_code == 303
    [registration] = registrations()
    declaration = declarations.declaration_of(registration)
    assert declaration.round_trip_km == Decimal("84.5") and not declaration.distance_from_table
    assert declaration.table_round_trip_km is None


def test_bad_input_gets_a_message_next_to_each_field(client, make_event):
    offering(make_event)
    cases = [
        (
            travel(origin="Broons", transport="car_driver", round_trip_km="40"),
            "fiscal_horsepower",
            "puissance fiscale",
        ),
        (
            travel(
                origin="Broons", transport="car_driver", fiscal_horsepower="six", round_trip_km="40"
            ),
            "fiscal_horsepower",
            "nombre entier",
        ),
        (  # digits that str.isdigit() accepts and int() refuses
            travel(
                origin="Broons", transport="car_driver", fiscal_horsepower="²", round_trip_km="40"
            ),
            "fiscal_horsepower",
            "nombre entier",
        ),
        (
            travel(
                origin="Broons", transport="car_driver", fiscal_horsepower="600", round_trip_km="40"
            ),
            "fiscal_horsepower",
            "entre 1 et 60",
        ),
        (
            travel(origin="Broons", transport="car_passenger", round_trip_km="-12"),
            "round_trip_km",
            "négative",
        ),
        (
            travel(origin="Broons", transport="car_passenger", round_trip_km="12 000"),
            "round_trip_km",
            "Plus de 2 000 km",
        ),
        (
            travel(origin="Broons", transport="car_passenger", round_trip_km="douze"),
            "round_trip_km",
            "avec des chiffres",
        ),
        (travel(origin="Broons"), "transport", "Dites comment vous venez"),
        (travel(transport="teleportation"), "transport", "Choisissez parmi"),
        (
            travel(transport="bike_or_foot", childcare_needed="yes"),
            "childcare_hours",
            "combien d'heures",
        ),
        (
            travel(transport="bike_or_foot", childcare_needed="yes", childcare_hours="30"),
            "childcare_hours",
            "entre 0,5 et 24",
        ),
        (travel(transport="bike_or_foot", note="x" * 1001), "note", "raccourcissez"),
    ]
    for fields, field, message in cases:
        response = post_form(client, "/e/atelier", valid(**fields))
        assert response.status_code == 200, fields
        assert message in error_for(response.get_data(as_text=True), f"travel-{field}"), fields
    assert registrations() == []


def test_the_personal_page_changes_the_declaration_until_validated(client, make_event):
    import_example_table()
    event = offering(make_event)
    response = post_form(
        client, "/e/atelier", valid(**travel(origin="Broons-Exemple", transport="car_passenger"))
    )
    personal = response.headers["Location"]
    [registration] = registrations()
    assert declarations.declaration_of(registration).round_trip_km == Decimal("71.4")
    page = client.get(personal).get_data(as_text=True)
    assert "Mes frais" in page and 'value="Broons-Exemple"' in page

    # A mistake is shown next to its field on the personal page, with HTTP 200.
    target = personal + "/declaration"
    response = client.post(
        target,
        data={
            "csrf_token": _token(client, personal),
            **travel(origin="Broons-Exemple", transport="car_driver"),
        },
    )
    assert response.status_code == 200
    assert "puissance fiscale" in error_for(
        response.get_data(as_text=True), "travel-fiscal_horsepower"
    )
    response = client.post(
        target,
        data={
            "csrf_token": _token(client, personal),
            **travel(
                origin="Broons-Exemple",
                transport="car_driver",
                fiscal_horsepower="7",
                childcare_needed="no",
                note="Je peux prendre une personne de Broons.",
            ),
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    declaration = declarations.declaration_of(registration)
    assert declaration.transport == "car_driver" and declaration.fiscal_horsepower == 7
    assert declaration.note == "Je peux prendre une personne de Broons."

    # After the event: checked in, computed, validated: the declaration is the organiser's now.
    from eventsvc.attendance import service as attendance

    token = _token(client, personal)  # the form is gone from the page of a past event
    move_to_the_past(event)
    for part in event.parts:
        attendance.check_in(registration, part, by=ORGANISER)
    claims.compute_event(event, by=ORGANISER)
    claim_operations.validate(claims.claim_of(registration), by=ORGANISER)
    db.session.commit()
    page = client.get(personal).get_data(as_text=True)
    assert "travel-origin" not in page and "Vos frais ont été validés" in page
    response = client.post(
        target,
        data={"csrf_token": token, **travel(origin="Ailleurs")},
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert declarations.declaration_of(registration).origin == "Broons-Exemple"


def _token(client, url):
    from .factories import CSRF_PATTERN

    return CSRF_PATTERN.search(client.get(url).get_data(as_text=True)).group(1)


def test_distance_endpoint_for_the_optional_script(client, make_event):
    import_example_table()
    offering(make_event)
    make_event(slug="sans")
    found = client.get("/e/atelier/distance?from=Saint-Jacut-Exemple")
    assert found.status_code == 200
    # 39.0 one way → 78 round trip
    assert found.get_json() == {"from": "Saint-Jacut-Exemple", "round_trip_km": "78"}
    assert client.get("/e/atelier/distance?from=Nulle-Part").get_json()["round_trip_km"] is None
    assert client.get("/e/atelier/distance").get_json()["round_trip_km"] is None
    assert client.get("/e/sans/distance?from=Broons-Exemple").status_code == 404
    script = client.get("/static/distance.js")
    assert script.status_code == 200 and b"data-distance-url" in script.data
    script.close()


def test_the_declaration_belongs_to_its_registration_only(client, make_event):
    offering(make_event)
    post_form(client, "/e/atelier", valid(**travel(origin="Dinan", transport="bike_or_foot")))
    [registration] = registrations()
    other = personal_token(registration)[:-2] + "xx"
    assert client.post(f"/r/{other}/declaration", data={}).status_code == 404


def _childcare_asked(html: str) -> bool:
    return 'name="travel-childcare_needed"' in html or 'name="travel-childcare_hours"' in html


def test_the_form_asks_only_about_what_the_scale_pays(client, make_event):
    offering(make_event, slug="codev")  # car, meals, childcare, time, public transport
    offering(make_event, slug="fp", scale="fp")  # car, two-wheelers, meals, public transport
    offering(make_event, slug="cd88", scale="cd88")  # cars only (6 CV and more)

    codev = unescape(client.get("/e/codev").get_data(as_text=True))
    assert _childcare_asked(codev)
    assert (
        "Les organisateurs indemnisent : le transport en commun, les kilomètres en voiture, "
        "le repas, la garde d'enfants et le temps passé." in codev
    )

    fp = unescape(client.get("/e/fp").get_data(as_text=True))
    assert "Vos frais (facultatif)" in fp
    assert not _childcare_asked(fp) and "garde d'enfants" not in fp
    assert 'name="travel-fiscal_horsepower"' in fp and 'name="travel-round_trip_km"' in fp
    assert (
        "Les organisateurs indemnisent : le transport en commun, les kilomètres en voiture ou "
        "en deux-roues motorisé et le repas." in fp
    )

    cd88 = unescape(client.get("/e/cd88").get_data(as_text=True))
    assert not _childcare_asked(cd88)
    assert "Les organisateurs indemnisent : les kilomètres en voiture." in cd88


def test_a_childcare_answer_posted_to_a_scale_without_childcare_is_not_recorded(client, make_event):
    offering(make_event, scale="fp")
    response = post_form(
        client,
        "/e/atelier",
        valid(**travel(transport="bike_or_foot", childcare_needed="yes", childcare_hours="30")),
    )
    assert response.status_code == 303  # no question, so no error about it either
    [registration] = registrations()
    declaration = declarations.declaration_of(registration)
    assert declaration.transport == "bike_or_foot"
    assert not declaration.childcare_needed and declaration.childcare_hours is None


def test_the_personal_page_asks_what_the_scale_pays(client, make_event):
    offering(make_event, slug="codev")
    offering(make_event, slug="fp", scale="fp")
    pages = {}
    for slug in ("codev", "fp"):
        response = post_form(
            client, f"/e/{slug}", valid(**travel(origin="Dinan", transport="bike_or_foot"))
        )
        pages[slug] = unescape(client.get(response.headers["Location"]).get_data(as_text=True))
    assert _childcare_asked(pages["codev"]) and "la garde d'enfants" in pages["codev"]
    assert not _childcare_asked(pages["fp"])
    assert "Vos frais (facultatif)" in pages["fp"]
    assert "Les organisateurs indemnisent : le transport en commun" in pages["fp"]
    assert "garde d'enfants" not in pages["fp"]
