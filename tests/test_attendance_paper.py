"""Paper and official wording: every page of a sign-in sheet names the event, the part, its date and
the reference, in A4 landscape (portrait on request), transport pre-ticked from the declarations;
certificates signed by a person, for ended parts only, refused before the first part has ended."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import func, select

from eventsvc.attendance import declared_transport, documents, mailing, rules_documents, service
from eventsvc.compensation.declarations import DeclarationInput
from eventsvc.compensation.rules import TransportMode
from eventsvc.database import utcnow
from eventsvc.events.models import Event
from eventsvc.extensions import db
from eventsvc.links import personal_token
from eventsvc.mail.models import OutboxMessage

from .factories import (
    LANDSCAPE,
    PORTRAIT,
    driver,
    ended_part,
    event_form,
    move_to_the_past,
    page_sizes,
    participant,
    pdf_text,
    person,
    post_form,
    study_day,
)

# --- sign-in sheets ----------------------------------------------------------------------------


def test_every_page_of_a_long_sheet_names_the_event_the_part_the_date_and_the_reference(
    app, make_event
):
    event = make_event(title="Journée d'étude « mobilités »")
    for n in range(40):
        participant(event, n, last=f"Nom{n:02d}")
    morning = event.parts[0]
    reference = f"EMG-{event.id:04d}-{morning.id:04d}"
    for portrait, size in ((False, LANDSCAPE), (True, PORTRAIT)):
        data = documents.sheet_pdf(event, [morning], portrait=portrait)
        pages, texts = pdf_text(data)
        assert pages >= 3
        assert page_sizes(data) == [size] * pages
        day = morning.starts_at.astimezone(event.zone).day
        for text in (" ".join(t.split()) for t in texts):
            assert "Journée d'étude « mobilités »" in text
            assert "Matin (09:30–12:30)" in text and f" {day} " in text
            assert f"Réf. {reference} (atelier)" in text
            assert "Prénom" in text and "Signature" in text  # the column headings too
        assert all(f"NOM{n:02d}" in "".join(texts) for n in range(40))


def test_sheets_of_every_part_each_repeat_their_own_part(app, make_event):
    event = make_event()
    for n in range(25):
        participant(event, n, last=f"Nom{n:02d}")
    pages, texts = pdf_text(documents.sheet_pdf(event))
    mornings = [t for t in texts if "Matin (09:30–12:30)" in t]
    afternoons = [t for t in texts if "Après-midi (14:00–17:00)" in t]
    assert len(mornings) >= 2 and len(afternoons) >= 2
    assert len(mornings) + len(afternoons) == pages  # never both, never neither


def test_transport_is_pre_ticked_from_the_declarations(app):
    event = study_day((utcnow() + timedelta(days=10)).date())
    transit = DeclarationInput(origin="Broons-Exemple", transport=TransportMode.PUBLIC_TRANSPORT)
    bike = DeclarationInput(origin="Broons-Exemple", transport=TransportMode.BIKE_OR_FOOT)
    childcare_only = DeclarationInput(
        origin="", transport=None, childcare_needed=True, childcare_hours=Decimal(2)
    )
    person(event, "a@example.org", last="Abel", declared=transit, present=())
    person(event, "b@example.org", last="Bodin", declared=driver(), present=())
    person(event, "c@example.org", last="Caradec", present=())
    person(event, "d@example.org", last="Dagorn", declared=bike, present=())
    person(event, "e@example.org", last="Ebrel", declared=childcare_only, present=())
    html = documents.sheet_html(event, event.parts[:1])
    rows = {
        name: html[html.index(name) :][: html[html.index(name) :].index("</tr>")]
        for name in ("ABEL", "BODIN", "CARADEC", "DAGORN", "EBREL")
    }
    assert "<b>☑ Transports en commun</b>" in rows["ABEL"]
    assert rows["ABEL"].count("☑") == 1 and rows["ABEL"].count("☐") == 3
    assert "<b>☑ Voiture</b>" in rows["BODIN"] and rows["BODIN"].count("☑") == 1
    assert "<b>☑ Autre (vélo ou à pied)</b>" in rows["DAGORN"]
    for blank in ("CARADEC", "EBREL"):  # nothing declared about transport: nothing ticked
        assert "☑" not in rows[blank] and rows[blank].count("☐") == 4
    _pages, texts = pdf_text(documents.sheet_pdf(event, event.parts[:1]))
    assert "☑ Transports en commun" in texts[0] and "☑ Voiture" in texts[0]


def test_the_sheet_asks_compensation_through_what_it_registered(app, make_event, monkeypatch):
    """Attendance may not import compensation: without the registered read, the sheet fails loudly
    rather than printing blank boxes for people who declared."""
    event = make_event()
    monkeypatch.setattr(declared_transport, "_read", None)
    with pytest.raises(RuntimeError, match="compensation has not registered"):
        documents.sheet_html(event)


def test_the_command_line_writes_portrait_sheets_on_request(app, make_event, runner, tmp_path):
    make_event()
    out = tmp_path / "sheet.pdf"
    landscape = runner.invoke(args=["attendance", "sheet", "atelier", "-o", str(out)])
    assert landscape.exit_code == 0 and page_sizes(out.read_bytes()) == [LANDSCAPE] * 2
    portrait = runner.invoke(args=["attendance", "sheet", "atelier", "-o", str(out), "--portrait"])
    assert portrait.exit_code == 0, portrait.output
    assert "A4 portrait" in portrait.output and page_sizes(out.read_bytes()) == [PORTRAIT] * 2


# --- certificates: signed, for ended parts only ---------------------------------------------------


def signed(event: Event, name="Claire Martin", role="cheffe de projet inclusion numérique"):
    event.organiser_name, event.organiser_role = name, role
    db.session.commit()
    return event


def test_the_certificate_is_signed_by_a_person_with_the_parts_hours_place_and_date(app, make_event):
    event = signed(make_event())
    someone = participant(
        event,
        1,
        last="Morvan",
        first="Anne",
        departure_time=time(16),
        full_day=False,
        part_ids=[p.id for p in event.parts],
    )
    for part in event.parts:
        service.check_in(someone, part)
    db.session.commit()
    move_to_the_past(event)
    _pages, [text] = pdf_text(documents.certificates_pdf(event, [someone]))
    sentence = "Je soussigné·e Claire Martin, cheffe de projet inclusion numérique, atteste que"
    assert sentence in " ".join(text.split())
    assert "Anne MORVAN" in text and "a participé à l'événement Atelier participatif" in text
    assert "Matin" in text and "09:30–12:30" in text and "3 h" in text
    assert "Après-midi" in text and "14:00–16:00" in text and "2 h" in text  # left at 16:00
    assert "Durée totale de présence : 5 h" in text
    today = utcnow().astimezone(event.zone).date()
    months = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août"]
    months += ["septembre", "octobre", "novembre", "décembre"]
    day = "1er" if today.day == 1 else str(today.day)
    issued = f"Fait à Dinan-Exemple, le {day} {months[today.month - 1]} {today.year}."
    assert issued in text
    # The signatory's name and role close the page, after « Fait à ».
    assert text.rindex("Claire Martin") > text.index("Fait à")
    assert text.rindex("cheffe de projet inclusion numérique") > text.index("Fait à")


def test_without_a_role_the_sentence_names_the_signatory_alone(app, make_event):
    event = signed(make_event(), role="")
    someone = participant(event, 1)
    service.check_in(someone, event.parts[0])
    db.session.commit()
    move_to_the_past(event)
    _pages, [text] = pdf_text(documents.certificates_pdf(event, [someone]))
    assert "Je soussigné·e Claire Martin atteste que" in " ".join(text.split())


def test_certificates_are_refused_before_the_first_part_has_ended(app, organiser_client):
    client, event = organiser_client, signed(organiser_client.event)
    someone = participant(event, 1, last="Morvan")
    service.check_in(someone, event.parts[0])  # checked in early: still not a certificate
    db.session.commit()
    base = f"/dashboard/events/{event.id}"
    page = client.get(f"{base}/attendance").get_data(as_text=True)
    end = event.parts[0].ends_at.astimezone(event.zone)
    assert (
        "Les attestations seront disponibles après la fin de la partie « Matin », "
        f"le {end.day} " in page
    )
    assert "à 12 h 30." in page
    assert f"{base}/certificates.pdf" not in page and f"{base}/certificates.zip" not in page
    for path in (
        "certificates.pdf",
        "certificates.zip",
        f"registrations/{someone.id}/certificate.pdf",
        "certificates/send",
    ):
        response = client.get(f"{base}/{path}")
        assert response.status_code in (200, 303), path
        if response.status_code == 303:
            assert response.headers["Location"].endswith(f"{base}/attendance#certificates")
            shown = client.get(response.headers["Location"]).get_data(as_text=True)
            assert "disponibles après la fin de la partie" in shown
    assert documents.certificate(someone) is None  # nothing has ended
    with pytest.raises(documents.CertificatesRefused):
        documents.certificates_pdf(event, [someone])
    with pytest.raises(mailing.NotOver):
        mailing.start_sending(event, actor=client.user)
    english = client.get(f"{base}/attendance?lang=en").get_data(as_text=True)
    assert "Certificates will be available after the end of the part « Matin »" in english
    assert "at 12:30." in english


def test_after_the_morning_the_certificate_states_the_morning_only(app, organiser_client):
    client, event = organiser_client, signed(organiser_client.event)
    morning, afternoon = event.parts
    someone = participant(event, 1, last="Morvan")
    ended_part(event, "Matin", hours_ago=1)
    # The afternoon is later today or tomorrow: not ended, even if ticked already.
    afternoon.starts_at = utcnow() + timedelta(hours=1)
    afternoon.ends_at = afternoon.starts_at + timedelta(hours=3)
    db.session.commit()
    service.check_in(someone, morning)
    service.check_in(someone, afternoon)
    db.session.commit()
    base = f"/dashboard/events/{event.id}"
    page = client.get(f"{base}/attendance").get_data(as_text=True)
    assert f"{base}/certificates.pdf" in page
    assert "sera possible une fois l'événement terminé" in page  # email: after the end
    response = client.get(f"{base}/registrations/{someone.id}/certificate.pdf")
    assert response.status_code == 200
    _pages, [text] = pdf_text(response.data)
    assert "Matin" in text and "Après-midi" not in text
    assert "Durée totale de présence : 3 h" in text
    # The personal page offers it once the whole event is over only.
    path = f"/r/{personal_token(someone)}/attestation.pdf"
    assert client.get(path).status_code == 404


def test_the_certificate_list_reads_the_check_ins_in_one_query_whatever_the_number_of_people(
    app, organiser_client
):
    client, event = organiser_client, signed(organiser_client.event)
    morning = ended_part(event, "Matin", hours_ago=1)

    def statements_of_the_page(expected_people: int) -> int:
        seen = []

        def count(conn, cursor, statement, *args):
            seen.append(statement)

        sqlalchemy_event.listen(db.engine, "before_cursor_execute", count)
        try:
            page = client.get(f"/dashboard/events/{event.id}/attendance").get_data(as_text=True)
        finally:
            sqlalchemy_event.remove(db.engine, "before_cursor_execute", count)
        assert page.count("/certificate.pdf") == expected_people
        return len([statement for statement in seen if statement.lstrip().startswith("SELECT")])

    def check_in_people(first: int, count: int) -> None:
        for n in range(first, first + count):
            service.check_in(participant(event, n, last=f"Morvan{n}"), morning)
        db.session.commit()

    check_in_people(1, 2)
    with_two = statements_of_the_page(2)
    check_in_people(3, 8)
    assert statements_of_the_page(10) == with_two
    # Each certificate is still the one produced alone.
    everyone = documents.certified(event)
    assert len(everyone) == 10
    assert all(documents.certificate(person) is not None for person in everyone)


def test_no_certificate_without_a_signatory_name(app, organiser_client, runner, tmp_path):
    client, event = organiser_client, signed(organiser_client.event, name="  ", role="")
    someone = participant(event, 1, last="Morvan")
    service.check_in(someone, event.parts[0])
    db.session.commit()
    move_to_the_past(event)
    base = f"/dashboard/events/{event.id}"
    page = client.get(f"{base}/attendance").get_data(as_text=True)
    assert "Indiquez d&#39;abord le nom de la personne qui signe les attestations" in page
    assert f"{base}/edit#organiser_name" in page
    assert f"{base}/certificates.pdf" not in page
    for path in ("certificates.pdf", "certificates.zip", "certificates/send"):
        assert client.get(f"{base}/{path}").status_code == 303, path
    with pytest.raises(documents.CertificatesRefused):
        mailing.start_sending(event, actor=client.user)
    db.session.rollback()
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0
    out = tmp_path / "certificates.pdf"
    refused = runner.invoke(args=["attendance", "certificates", "atelier", "-o", str(out)])
    assert refused.exit_code != 0 and "signe les attestations" in refused.output
    token = personal_token(someone)
    assert "attestation.pdf" not in client.get(f"/r/{token}").get_data(as_text=True)
    assert client.get(f"/r/{token}/attestation.pdf").status_code == 404
    # Named on the event form: the certificates come.
    form = event_form(
        event, organiser_name="Claire Martin", organiser_role="cheffe de projet", confirmed="1"
    )
    saved = post_form(client, f"{base}/edit", form)
    assert saved.status_code == 303, saved.get_data(as_text=True)
    db.session.refresh(event)
    assert (event.organiser_name, event.organiser_role) == ("Claire Martin", "cheffe de projet")
    _pages, [text] = pdf_text(client.get(f"{base}/certificates.pdf").data)
    assert "Je soussigné·e Claire Martin, cheffe de projet, atteste que" in " ".join(text.split())
    assert client.get(f"/r/{token}/attestation.pdf").status_code == 200


def test_the_event_form_says_who_signs_the_certificates(app, organiser_client):
    client, event = organiser_client, organiser_client.event
    html = client.get(f"/dashboard/events/{event.id}/edit").get_data(as_text=True)
    assert "signataire des attestations" in html and "Signataire des attestations" in html
    assert 'name="organiser_role"' in html


# --- the pure rules ------------------------------------------------------------------------------


def at(hour: int, minute: int = 0, day: int = 12) -> datetime:
    return datetime(2026, 5, day, hour, minute, tzinfo=UTC)


PARTS = [
    rules_documents.PartEnd(2, "Après-midi", at(17)),
    rules_documents.PartEnd(1, "Matin", at(12, 30)),
]


def test_a_part_has_ended_from_its_end_time_on():
    assert not rules_documents.part_has_ended(at(12, 30), at(12, 29))
    assert rules_documents.part_has_ended(at(12, 30), at(12, 30))
    assert rules_documents.ended_part_ids(PARTS, at(13)) == {1}
    assert rules_documents.ended_part_ids(PARTS, at(17)) == {1, 2}
    assert rules_documents.first_to_end(PARTS).label == "Matin"
    assert rules_documents.first_to_end([]) is None


def test_refusals_say_when_certificates_open_and_who_must_sign():
    refusals = rules_documents.certificate_refusals
    early = refusals(PARTS, "Claire Martin", at(12))
    assert [str(r) for r in early] == [
        "Les attestations seront disponibles après la fin de la partie « Matin », "
        "le 12 mai 2026 à 12 h 30."
    ]
    assert early[0].render(lambda msgid: msgid, "en").endswith("May 12, 2026 à 12 h 30.")
    assert refusals(PARTS, "Claire Martin", at(12, 30)) == []
    assert refusals(PARTS, " ", at(18)) == [rules_documents.NO_SIGNATORY]
    assert len(refusals(PARTS, "", at(9))) == 2  # both at once
    assert refusals([], "Claire Martin", at(9)) == [rules_documents.NO_PART]
    assert str(rules_documents.clock(at(9, 5))) == "9 h 05"
