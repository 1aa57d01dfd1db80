"""Check-in, figures, sign-in sheets and certificates."""

import threading
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from eventsvc.attendance import documents, rules, service
from eventsvc.attendance.models import CheckIn
from eventsvc.database import begin_write
from eventsvc.extensions import db
from eventsvc.registrations.models import Registration

from .factories import move_to_the_past, part_ids, participant, pdf_text

# --- rules, as plain calls -------------------------------------------------------------

PARIS = UTC  # the rules only compare; the zone does not matter here


def t(hour, minute=0, day=9):
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


PARTS = [rules.PartTime(1, t(9, 30), t(12, 30)), rules.PartTime(2, t(14), t(17))]


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (t(8), 1),
        (t(9, 10), 1),
        (t(11), 1),
        (t(12, 45), 2),
        (t(13, 40), 2),
        (t(16), 2),
        (t(18), 2),
        (t(9, day=8), 1),
    ],
)
def test_the_part_under_way_is_preselected(now, expected):
    assert rules.current_part(PARTS, now) == expected


def test_hours_attended_follow_check_ins_and_declared_times():
    parts = [("Matin", t(9, 30), t(12, 30)), ("Après-midi", t(14), t(17))]
    assert rules.total_hours(rules.attended_periods(parts, None, None)) == Decimal(6)
    # « uniquement à partir de 11h15 », checked in the morning only: 12:30 - 11:15 = 1 h 15
    morning = rules.attended_periods(parts[:1], time(11, 15), None)
    assert rules.total_hours(morning) == Decimal("1.25")
    assert rules.format_hours(Decimal("1.25")) == "1 h 15"
    # « départ 16h30 »: 3 h + 2 h 30 = 5 h 30
    assert (
        rules.format_hours(rules.total_hours(rules.attended_periods(parts, None, time(16, 30))))
        == "5 h 30"
    )
    assert rules.attended_periods([], None, None) == []


def test_printed_lists_ignore_accents_and_case():
    names = [("Éloi", "Zoé"), ("durand", "Anne"), ("Le Bras", "Louise"), ("ÉMERY", "Paul")]
    ordered = sorted(names, key=lambda n: rules.name_order(*n))
    assert [n[0] for n in ordered] == ["durand", "Éloi", "ÉMERY", "Le Bras"]


# --- check-in ---------------------------------------------------------------------------


def test_full_day_is_checked_in_per_part_and_figures_follow(app, make_event):
    event = make_event()
    morning, afternoon = event.parts
    left_at_noon = participant(event, 1, last="Morvan")
    stayed = participant(event, 2, last="Le Gall")
    no_show = participant(event, 3, last="Benali")
    afternoon_only = participant(event, 4, last="Kergoat", full_day=False, part_ids=[afternoon.id])
    for who, part in [
        (left_at_noon, morning),
        (stayed, morning),
        (stayed, afternoon),
        (afternoon_only, afternoon),
    ]:
        assert service.check_in(who, part, by="orga@example.org") is True
    service.add_walk_in(event, afternoon, first_name="Jeanne", last_name="Le Roux")
    db.session.commit()

    figures = {f.part.label: f for f in service.figures(event, event.ends_at)}
    assert (figures["Matin"].expected, figures["Matin"].present, figures["Matin"].no_shows) == (
        3,
        2,
        1,
    )
    assert figures["Matin"].no_show_rate == pytest.approx(1 / 3)
    after = figures["Après-midi"]
    assert (after.expected, after.present, after.walk_ins, after.no_shows) == (4, 3, 1, 2)
    assert service.checked_in_part_ids(left_at_noon) == {morning.id}
    assert service.checked_in_part_ids(no_show) == set()


def test_undo_and_checking_twice(app, make_event):
    event = make_event()
    someone = participant(event, 1)
    part = event.parts[0]
    assert service.check_in(someone, part) is True
    assert service.check_in(someone, part) is False
    assert service.undo_check_in(someone, part) is True
    assert service.undo_check_in(someone, part) is False
    other = make_event(slug="autre")
    with pytest.raises(service.AttendanceError):
        service.check_in(someone, other.parts[0])


def test_two_phones_ticking_the_same_person_record_one_check_in(app, make_event):
    event = make_event()
    someone = participant(event, 1)
    part_id, registration_id = event.parts[0].id, someone.id
    barrier = threading.Barrier(2)
    results = []

    def phone():
        with app.app_context():
            barrier.wait(timeout=10)
            begin_write(db.session)
            from eventsvc.events.models import Part

            results.append(
                service.check_in(
                    db.session.get(Registration, registration_id), db.session.get(Part, part_id)
                )
            )
            db.session.commit()
            db.session.remove()

    threads = [threading.Thread(target=phone) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == [False, True]
    db.session.rollback()
    assert db.session.scalar(select(func.count(CheckIn.id))) == 1


# --- documents --------------------------------------------------------------------------


def test_sign_in_sheet_pdf_lists_people_by_name_with_real_text(app, make_event):
    event = make_event(title="Atelier « habitat »")
    for n, (first, last) in enumerate([("Zoé", "Éloi"), ("Anne", "Durand"), ("Louise", "Le Bras")]):
        participant(event, n, last=last, first=first)
    pages, texts = pdf_text(documents.sheet_pdf(event, event.parts[:1]))
    assert pages == 1
    text = texts[0]
    assert "Feuille d'émargement" in text and "Atelier « habitat »" in text
    assert "Salle du conseil" in text and "Codev Exemple" in text
    assert text.index("DURAND") < text.index("ÉLOI") < text.index("LE BRAS")
    assert "Signature" in text and "Covoiturage" in text
    assert "☑" not in text  # nobody declared how they come: nothing ticked
    assert "Page 1 / 1" in text
    assert "présent·e" not in text


def test_a_long_sheet_repeats_its_header_and_numbers_pages(app, make_event):
    event = make_event()
    for n in range(60):
        participant(event, n, last=f"Nom{n:02d}")
    pages, texts = pdf_text(documents.sheet_pdf(event, event.parts[:1]))
    assert pages >= 3
    for number, text in enumerate(texts, start=1):
        assert f"Page {number} / {pages}" in text
        if "NOM0" in text or "NOM1" in text or "NOM5" in text:  # a page with rows has the header
            assert "Prénom" in text and "Signature" in text
    assert all(f"NOM{n:02d}" in "".join(texts) for n in range(60))


def test_sheet_shows_check_ins_once_they_exist(app, make_event):
    event = make_event()
    seen = participant(event, 1, last="Morvan")
    participant(event, 2, last="Tanguy")
    service.check_in(seen, event.parts[0])
    db.session.commit()
    html = documents.sheet_html(event, event.parts[:1])
    assert html.count("présent·e") == 1
    assert html.index("MORVAN") < html.index("présent·e") < html.index("TANGUY")


def test_hostile_names_are_text_on_sheets(app, make_event):
    event = make_event()
    participant(event, 1, last="<script>alert(1)</script>", organisation='=HYPERLINK("x")')
    html = documents.sheet_html(event)
    assert "<script>alert" not in html and "&lt;SCRIPT&gt;" in html


def test_certificate_states_parts_and_hours_from_check_ins(app, make_event):
    event = make_event(organiser_role="Chargée de mission")
    event.organiser_name = "Claire Martin"
    late = participant(
        event,
        1,
        last="Quéré",
        first="Théo",
        arrival_time=time(10, 45),
        full_day=False,
        part_ids=[p.id for p in event.parts],
    )
    for part in event.parts:
        service.check_in(late, part)
    nobody = participant(event, 2)
    db.session.commit()
    move_to_the_past(event)  # a certificate states parts that have ended
    certificate = documents.certificate(late)
    # 10:45-12:30 + 14:00-17:00 = 1 h 45 + 3 h = 4 h 45
    assert certificate.total == "4 h 45"
    assert certificate.reference == f"ATT-{event.id:04d}-{late.public_id[:10].upper()}"
    pages, [text] = pdf_text(documents.certificates_pdf(event, [late]))
    assert "Attestation de présence" in text and "Théo QUÉRÉ" in text
    assert "4 h 45" in text and certificate.reference in text
    assert "Chargée de mission" in text and "10:45" in text
    assert "Je soussigné·e Claire Martin, Chargée de mission, atteste que" in text
    assert "1 h 45" in text and "3 h" in text  # each part's hours
    assert "Fait à Dinan-Exemple, le " in text
    assert documents.certificate(nobody) is None


def test_participant_downloads_their_certificate_only_after_the_event(app, make_event, client):
    from eventsvc.links import personal_token

    event = make_event()
    someone = participant(event, 1, last="Morvan")
    service.check_in(someone, event.parts[0])
    other = participant(event, 2, last="Tanguy")
    db.session.commit()
    path = f"/r/{personal_token(someone)}/attestation.pdf"
    assert client.get(path).status_code == 404  # not over yet
    for part in event.parts:
        part.starts_at -= timedelta(days=30)
        part.ends_at -= timedelta(days=30)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    _pages, [text] = pdf_text(response.data)
    assert "MORVAN" in text and "TANGUY" not in text
    assert "attestation" in client.get(f"/r/{personal_token(someone)}").get_data(as_text=True)
    assert client.get(f"/r/{personal_token(other)}/attestation.pdf").status_code == 404


def test_cli_writes_every_sheet_or_one_part(app, make_event, runner, tmp_path):
    event = make_event()
    participant(event, 1)
    out = tmp_path / "sheets.pdf"
    result = runner.invoke(args=["attendance", "sheet", "atelier", "-o", str(out)])
    assert result.exit_code == 0, result.output
    pages, texts = pdf_text(out.read_bytes())
    assert pages == 2 and "Matin" in texts[0] and "Après-midi" in texts[1]
    assert "A4 landscape" in result.output
    one = runner.invoke(
        args=[
            "attendance",
            "sheet",
            "atelier",
            "-o",
            str(out),
            "--part",
            str(part_ids(event)["Après-midi"]),
        ]
    )
    assert one.exit_code == 0 and pdf_text(out.read_bytes())[0] == 1
    bad = runner.invoke(args=["attendance", "sheet", "atelier", "-o", str(out), "--part", "999999"])
    assert bad.exit_code != 0 and "its parts" in bad.output
    assert runner.invoke(args=["attendance", "sheet", "nope", "-o", str(out)]).exit_code != 0
    early = runner.invoke(args=["attendance", "certificates", "atelier", "-o", str(out)])
    assert (
        early.exit_code != 0 and "disponibles après la fin de la partie « Matin »" in early.output
    )
    move_to_the_past(event)
    none = runner.invoke(args=["attendance", "certificates", "atelier", "-o", str(out)])
    assert none.exit_code != 0 and "nobody was checked in" in none.output
