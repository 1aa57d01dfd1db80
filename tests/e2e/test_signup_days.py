"""Events over several days, on a phone: the day named in the arrival and departure labels of the
blank sign-up form follows the parts as they are ticked (static/part_days.js), and without
JavaScript the form stays as the server drew it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from eventsvc.extensions import db

from .browser import fits_the_screen


@pytest.fixture
def two_days(app, make_event):
    """« Jour 1 » and « Jour 2 » on two following dates; their days as the form words them."""
    event = make_event()
    event.parts[0].label = "Jour 1"
    second = event.parts[1]
    second.label = "Jour 2"
    second.starts_at += timedelta(days=1)
    second.ends_at += timedelta(days=1)
    db.session.commit()
    days = [
        format_date(part.starts_at.astimezone(event.zone).date(), "EEEE d MMMM", locale="fr")
        for part in event.parts
    ]
    return event, days


def labels(page):
    return page.locator('label[for="arrival_time"]'), page.locator('label[for="departure_time"]')


def test_the_days_of_the_times_follow_the_parts_ticked(live_server, open_tab, two_days):
    event, (first, second) = two_days
    tab = open_tab()
    page = tab.page
    page.goto(f"{live_server}/e/{event.slug}")
    arrival, departure = labels(page)
    expect(arrival).to_have_text(f"Heure d'arrivée ({first}), facultatif")
    expect(departure).to_have_text(f"Heure de départ ({second}), facultatif")

    page.get_by_role("radio", name="Non, seulement à certaines parties").check()
    page.get_by_role("checkbox", name=re.compile("^Jour 2")).check()
    expect(arrival).to_have_text(f"Heure d'arrivée ({second}), facultatif")
    expect(departure).to_have_text(f"Heure de départ ({second}), facultatif")

    page.get_by_role("checkbox", name=re.compile("^Jour 1")).check()
    expect(arrival).to_have_text(f"Heure d'arrivée ({first}), facultatif")
    expect(departure).to_have_text(f"Heure de départ ({second}), facultatif")

    page.get_by_role("checkbox", name=re.compile("^Jour 2")).uncheck()
    expect(departure).to_have_text(f"Heure de départ ({first}), facultatif")

    # « Toutes les parties »: the whole event's first and last days again.
    page.get_by_role("radio", name="Oui, à toutes les parties").check()
    expect(arrival).to_have_text(f"Heure d'arrivée ({first}), facultatif")
    expect(departure).to_have_text(f"Heure de départ ({second}), facultatif")
    assert fits_the_screen(page)
    assert tab.complaints == []  # the script runs under the strict CSP


def test_without_javascript_the_labels_stay_as_the_server_drew_them(
    live_server, open_tab, two_days
):
    event, (first, second) = two_days
    page = open_tab(javascript=False).page
    page.goto(f"{live_server}/e/{event.slug}")
    arrival, departure = labels(page)
    page.get_by_role("radio", name="Non, seulement à certaines parties").check()
    page.get_by_role("checkbox", name=re.compile("^Jour 2")).check()
    expect(arrival).to_have_text(f"Heure d'arrivée ({first}), facultatif")
    expect(departure).to_have_text(f"Heure de départ ({second}), facultatif")
    assert fits_the_screen(page)
