"""Personal data: the retention purge, a participant erasing their registration, the notice."""

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from eventsvc.attendance import service as attendance
from eventsvc.audit import service as audit
from eventsvc.audit.models import AuditEvent
from eventsvc.compensation import claim_operations, claims
from eventsvc.compensation.models import Claim, ClaimStatus, TravelDeclaration
from eventsvc.database import utcnow
from eventsvc.extensions import db
from eventsvc.mail.models import MessageStatus, OutboxMessage
from eventsvc.registrations import operations as registrations
from eventsvc.registrations import queries
from eventsvc.registrations.models import Answer, Registration, SignupImport
from eventsvc.retention import rules
from eventsvc.retention import service as retention

from .factories import (
    ORGANISER,
    app_config,  # noqa: F401 - the organisation's own scale file
    command,
    csrf_token,
    driver,
    import_example_table,
    person,
    post_form,
    study_day,
)

# -- pure rules ---------------------------------------------------------------------------------


def test_months_before_counts_calendar_months():
    moment = datetime(2026, 3, 31, 10, 15, tzinfo=UTC)
    assert rules.months_before(moment, 1) == datetime(2026, 2, 28, 10, 15, tzinfo=UTC)
    assert rules.months_before(moment, 12) == datetime(2025, 3, 31, 10, 15, tzinfo=UTC)
    assert rules.months_before(moment, 13) == datetime(2025, 2, 28, 10, 15, tzinfo=UTC)
    assert rules.months_before(moment, 0) == moment
    assert rules.years_before(date(2028, 2, 29), 10) == date(2018, 2, 28)
    with pytest.raises(ValueError):
        rules.months_before(moment, -1)


# -- the purge ----------------------------------------------------------------------------------


def old_event_with_people():
    """A compensated day of May 2024 (long over): a validated claim, a draft, a comment and
    answers, someone cancelled; emails, audit lines and an import upload."""
    import_example_table()
    may = study_day(date(2024, 5, 2), "mai")
    paid = person(may, "anne@example.org", declared=driver(km=None))
    draft = person(may, "yann@example.org", first="Yann", last="Kergoat", declared=driver())
    talkative = person(may, "lou@example.org", first="Lou", last="Bihan", present=("Matin",))
    talkative.comment = "Allergie aux arachides"
    talkative.organisation = "Mairie"
    gone = person(may, "paul@example.org", first="Paul", last="Le Goff", present=())
    registrations.cancel(gone)
    claims.compute_event(may, by=ORGANISER)
    db.session.commit()
    claim_operations.validate(claims.claim_of(paid), by=ORGANISER)
    audit.record(
        "registration.updated",
        actor_label=ORGANISER,
        registration=talkative,
        details={"changes": {"last_name": ["Bihen", "Bihan"]}},
    )
    db.session.add(
        SignupImport(event_id=may.id, filename="liste.csv", content=b"nom;courriel\nX;x@y.fr\n")
    )
    db.session.commit()
    return may, paid, draft, talkative, gone


def sent_copy_of(registration, days_ago: int) -> OutboxMessage:
    sent = utcnow() - timedelta(days=days_ago)
    message = OutboxMessage(
        key=f"copy:{registration.public_id}:{days_ago}",
        sender="no-reply@example.org",
        recipient=registration.email,
        subject="Inscription confirmée",
        raw=f"To: {registration.email}\r\n\r\nBonjour {registration.first_name}".encode(),
        status=MessageStatus.SENT,
        created_at=sent,
        sent_at=sent,
    )
    db.session.add(message)
    db.session.commit()
    return message


def test_purge_anonymises_old_registrations_and_keeps_counts_attendance_and_paid_claims(
    app, runner, make_event
):
    may, paid, draft, talkative, gone = old_event_with_people()
    for registration in (paid, talkative):
        sent_copy_of(registration, days_ago=900)
    upcoming = make_event()
    recent = registrations.register(upcoming, command(1), locale="fr").registration
    db.session.commit()
    recent_mail = sent_copy_of(recent, days_ago=1)
    check_ins_before = len(attendance.check_ins_of(may))
    statuses_before = sorted(r.status for r in db.session.scalars(select(Registration)))
    claim_before = claims.claim_of(paid)
    paid_total, paid_claim_id = claim_before.total, claim_before.id

    dry = runner.invoke(args=["retention", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "4  registrations anonymised" in dry.output and "nothing changed" in dry.output
    db.session.expire_all()
    assert db.session.get(Registration, paid.id).email == "anne@example.org"

    result = runner.invoke(args=["retention", "purge", "--yes"])
    assert result.exit_code == 0, result.output
    assert "4  registrations anonymised" in result.output
    assert "1  draft claims deleted" in result.output
    assert "1  CSV uploads deleted" in result.output
    db.session.expire_all()

    people = db.session.scalars(select(Registration).where(Registration.event_id == may.id))
    for registration in people:
        assert registration.anonymised_at is not None
        assert (registration.first_name, registration.last_name, registration.email) == ("", "", "")
        assert registration.email_typed == registration.organisation == registration.comment == ""
        assert registration.email_key == "anonymised:" + registration.public_id
        assert registration.created_at.time() == datetime.min.time()
    # counts and attendance figures stay, check-ins linked to the anonymised rows
    assert sorted(r.status for r in db.session.scalars(select(Registration))) == statuses_before
    assert len(attendance.check_ins_of(may)) == check_ins_before
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0
    assert db.session.scalar(select(func.count()).select_from(TravelDeclaration)) == 0
    assert db.session.scalar(select(func.count()).select_from(SignupImport)) == 0
    # the validated claim stays whole (its own copy of the payee), the draft is gone
    kept = db.session.get(Claim, paid_claim_id)
    assert kept.status == ClaimStatus.VALIDATED and kept.total == paid_total
    assert kept.payee_name == "Anne Morvan" and kept.payee_origin
    assert kept.person_key == "anne@example.org" and kept.anonymised_at is None
    assert db.session.scalar(select(Claim).where(Claim.registration_id == draft.id)) is None
    # old emails gone, the recent one kept; audit lines kept without their details
    left = db.session.scalars(select(OutboxMessage)).all()
    assert recent_mail.id in [m.id for m in left]
    assert {m.recipient for m in left} == {"personne1@example.org"}
    entries = db.session.scalars(select(AuditEvent).where(AuditEvent.event_id == may.id)).all()
    assert entries and all(entry.details == {} for entry in entries)
    # the upcoming event is untouched
    assert db.session.get(Registration, recent.id).email == "personne1@example.org"
    assert queries.find_by_token(_token_of(recent)) is not None

    again = runner.invoke(args=["retention", "purge", "--yes"])
    assert again.exit_code == 0 and "nothing to erase" in again.output, again.output
    # One line says the command line purged, with the counts it printed and no personal data;
    # the dry run and the run that found nothing left none.
    [purged] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "retention.purged"))
    assert purged.actor_label == audit.COMMAND_LINE
    assert purged.actor_id is None and purged.event_id is None
    assert purged.details["registrations"] == 4 and purged.details["draft_claims"] == 1
    assert "anne" not in str(purged.details).casefold()


def _token_of(registration):
    from eventsvc.links import personal_token

    return personal_token(registration)


def test_validated_claims_lose_the_payee_after_the_legal_retention(app):
    may, paid, *_ = old_event_with_people()
    claim_id = claims.claim_of(paid).id
    now = utcnow()
    # Ten years counted from validation: not yet.
    report = retention.purge(retention.Cutoffs.from_config(app.config, now))
    assert report.claims_anonymised == 0
    db.session.commit()
    later = now + timedelta(days=366 * 11)
    report = retention.purge(retention.Cutoffs.from_config(app.config, later), later)
    db.session.commit()
    assert report.claims_anonymised == 1
    db.session.expire_all()
    claim = db.session.get(Claim, claim_id)
    assert (claim.payee_name, claim.payee_origin, claim.declared) == ("", "", {})
    assert claim.person_key == f"anonymised:{claim_id}" and claim.lines and claim.total > 0
    assert retention.purge(retention.Cutoffs.from_config(app.config, later), later).counts() == {
        name: 0 for name in retention.PurgeReport().counts()
    }


# -- the participant's own erasure --------------------------------------------------------------


def test_a_participant_erases_their_registration_before_the_event(app, client, make_event):
    event = make_event(capacity=1)
    first = registrations.register(event, command(1, comment="à effacer"), locale="fr")
    second = registrations.register(event, command(2), locale="fr").registration
    db.session.commit()
    token, registration = first.token, first.registration
    assert registration.status == "confirmed" and second.status == "waitlisted"

    page = client.get(f"/r/{token}")
    assert f"/r/{token}/erase".encode() in page.data
    confirm = client.get(f"/r/{token}/erase")
    assert confirm.status_code == 200 and "Oui, effacer mon inscription" in confirm.text
    assert client.post(f"/r/{token}/erase").status_code == 400  # no CSRF token: refused
    response = post_form(client, f"/r/{token}/erase", {})
    assert response.status_code == 303 and response.location.endswith(f"/e/{event.slug}")

    db.session.expire_all()
    registration = db.session.get(Registration, registration.id)
    assert registration.status == "cancelled" and registration.anonymised_at is not None
    assert registration.email == registration.comment == registration.first_name == ""
    assert db.session.get(Registration, second.id).status == "confirmed"
    assert client.get(f"/r/{token}").status_code == 404
    # the CANCEL went out first (queued before the promotion), and stays queued until sent
    queued = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    mine = [m for m in queued if m.recipient == "personne1@example.org"]
    assert [m.key.split(":")[0] for m in mine] == ["cancelled"] and mine[0].status == "pending"
    assert mine[0].calendar_method == "CANCEL"
    theirs = [m for m in queued if m.recipient == "personne2@example.org"]
    assert mine[0].id < theirs[-1].id and theirs[-1].key.startswith("promoted:")
    log = audit.for_registration(registration)
    assert [entry.action for entry in log] == ["registration.erased"]


def test_no_erasure_from_the_link_once_the_event_has_started(app, client, make_event):
    event = make_event()
    result = registrations.register(event, command(1), locale="fr")
    db.session.commit()
    for part in event.parts:
        part.starts_at -= timedelta(days=15)
    db.session.commit()
    assert f"/r/{result.token}/erase" not in client.get(f"/r/{result.token}").text
    assert "ne peut plus être effacée" in client.get(f"/r/{result.token}/erase").text
    response = client.post(
        f"/r/{result.token}/erase",
        data={"csrf_token": csrf_token(client, "/login")},
        follow_redirects=True,
    )
    assert "ne peut plus être effacée" in response.text
    db.session.expire_all()
    assert db.session.get(Registration, result.registration.id).email == "personne1@example.org"


# -- the notice ---------------------------------------------------------------------------------


def test_the_privacy_notice_is_linked_from_every_page_and_configurable(app, client, make_event):
    event = make_event()
    form = client.get(f"/e/{event.slug}").text
    assert 'href="/confidentialite"' in form and "12 mois après l'événement" in form
    default = client.get("/confidentialite").text
    assert "mission d'intérêt public" in default and "CNIL" in default
    assert "écrivez à l'organisateur" in default
    assert 'href="/confidentialite"' in client.get("/login").text


def test_the_privacy_notice_says_what_the_deployment_configured(app, client):
    # (the language is cached for the app context tests share: this test asks English first)
    app.config.update(
        PRIVACY_CONTROLLER="Département Exemple, 1 place de la Mairie",
        PRIVACY_CONTACT="dpd@departement.example",
        PRIVACY_LEGAL_BASIS="contract",
        RETENTION_MONTHS=6,
    )
    page = client.get("/confidentialite?lang=en").text
    assert "Département Exemple, 1 place de la Mairie" in page
    assert "dpd@departement.example" in page and "6 months" in page
    assert "6.1.b" in page


def test_the_dashboard_shows_an_erased_registration_without_opening_it(app, organiser_client):
    event = organiser_client.event
    result = registrations.register(event, command(1), locale="fr")
    db.session.commit()
    retention.erase_registration(result.registration)
    db.session.commit()
    page = organiser_client.get(f"/dashboard/events/{event.id}/registrations").text
    assert "Données effacées" in page and "personne1@example.org" not in page
    url = f"/dashboard/events/{event.id}/registrations/{result.registration.id}"
    assert organiser_client.get(url).status_code == 404


def test_the_purge_erases_excuses_and_representatives_but_keeps_the_replies(
    app, make_event, make_organiser
):
    from eventsvc.invitations.models import Contact, Invitation

    event = make_event(slug="bureau")
    for part in event.parts:
        part.starts_at -= timedelta(days=800)
        part.ends_at -= timedelta(days=800)
    owner = make_organiser(events=[event])
    mayor, other = (
        Contact(owner=owner, last_name=name, email=f"{n}@example.org", email_key=f"{n}@example.org")
        for n, name in enumerate(("Le Maire", "Le Bras"))
    )
    replies = [
        Invitation(
            event=event,
            contact=mayor,
            public_id="a" * 32,
            token_digest="1" * 64,
            reply="no",
            message="Retenu par des obligations familiales",
        ),
        Invitation(
            event=event,
            contact=other,
            public_id="b" * 32,
            token_digest="2" * 64,
            reply="represented",
            representative_name="Adjointe Exemple",
            representative_function="Adjointe",
            representative_email="adj@example.org",
        ),
    ]
    db.session.add_all(replies)
    db.session.commit()
    report = retention.purge(retention.Cutoffs.from_config(app.config, utcnow()))
    db.session.commit()
    assert report.invitation_replies == 2
    excused, represented = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
    assert (excused.reply, excused.message) == ("no", "")
    assert represented.reply == "represented"
    assert (represented.representative_name, represented.representative_email) == ("", "")
    assert db.session.scalar(select(func.count(Contact.id))) == 2  # the address book stays
    again = retention.purge(retention.Cutoffs.from_config(app.config, utcnow()))
    assert again.invitation_replies == 0
