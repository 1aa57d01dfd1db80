"""Every organiser and participant write leaves an audit line naming the actor and the action.

The lists cannot fall behind the application: every rule of ``app.url_map`` accepting POST and
every command of ``app.cli`` must appear in ``PAGES`` / ``COMMANDS``, either with a scenario or with
the reason it writes nothing worth a line. A scenario builds what the page needs with the
factories, performs the write as the right actor (an organiser logged in, the participant through
their personal link, the command line) and says which action(s) it must leave; the test then looks
for the new AuditEvent rows with that action and that actor.

Every write found without a line when this test was written (issue 14) now records one; there is
no list of exceptions: a new write without its line fails here.
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import click
import icalendar
import pytest
from flask import Flask
from sqlalchemy import func, select

from eventsvc.api.models import ApiToken
from eventsvc.attendance.mailing import start_sending
from eventsvc.audit import service as audit
from eventsvc.audit.models import AuditEvent
from eventsvc.compensation.declarations import DeclarationInput
from eventsvc.compensation.rules import TransportMode
from eventsvc.database import utcnow
from eventsvc.extensions import db
from eventsvc.invitations.itip_replies import invitation_uid, organiser_address
from eventsvc.jobs.runner import run_due
from eventsvc.webhooks import operations as webhooks
from eventsvc.webhooks.models import WebhookDelivery

from .factories import (
    FIXTURES,
    ORGANISER_PASSWORD,
    api_token,
    app_config,  # noqa: F401 - the organisation's own scale file
    batch_of,
    bearer,
    body_with_members,
    checked_in,
    checked_person,
    computed_claims,
    contact,
    contact_list,
    csrf_token,
    driver,
    event_form,
    happening_today,
    import_example_table,
    invitation_attachment,
    invited,
    joined_long_ago,
    login,
    meeting_invited,
    move_to_the_past,
    new_event,
    new_organiser,
    participant,
    person,
    reminders_before,
    sign_up_with_link,
    starting_in,
    study_day,
    under_way,
    valid,
    validated_claims,
)


class NotAudited(AssertionError):
    """The write happened but left no line with that action and that actor."""


@dataclass
class Expect:
    """The actions the write must leave, and who must be named: an organiser's account, or a
    label such as ``audit.PARTICIPANT`` or ``audit.COMMAND_LINE``."""

    actions: tuple[str, ...]
    actor: object


class World:
    """What scenarios use: the app, clients, and the audit mark taken just before the write."""

    def __init__(self, app: Flask):
        self.app = app
        self.mark = 0

    def take_mark(self) -> None:
        db.session.expire_all()
        self.mark = db.session.scalar(select(func.coalesce(func.max(AuditEvent.id), 0)))

    def organiser(self, *events, email="alice@example.org", admin=False):
        """A client logged in as a new organiser of ``events`` (returned as .user)."""
        user = new_organiser(email, events=events, admin=admin)
        client = self.app.test_client()
        login(client, email, ORGANISER_PASSWORD)
        client.user = user
        return client

    def post(self, client, url, data=None, *, page=None, status=(302, 303), **kwargs):
        """POST with the CSRF token of ``page`` (the form's own page, else the dashboard)."""
        token = csrf_token(client, page or url)
        self.take_mark()
        response = client.post(url, data={"csrf_token": token, **(data or {})}, **kwargs)
        assert response.status_code in status, (
            response.status_code,
            response.get_data(as_text=True)[:2000],
        )
        return response

    def post_json(self, client, url, payload, *, page):
        token = csrf_token(client, page)
        self.take_mark()
        response = client.post(
            url,
            data=json.dumps(payload),
            content_type="application/json",
            headers={"X-CSRFToken": token},
        )
        assert response.status_code == 200, response.get_data(as_text=True)
        return response

    def invoke(self, *args, input=None):
        self.take_mark()
        result = self.app.test_cli_runner().invoke(args=list(args), input=input)
        assert result.exit_code == 0, result.output
        return result


# --- what the pages need -------------------------------------------------------------------------


def event_with_organiser(w, **fields):
    event = new_event(**fields)
    return event, w.organiser(event)


def dash(event, rest=""):
    return f"/dashboard/events/{event.id}{rest}"


def compensated(w, *, admin=False):
    """A compensated study day in the past, Anne checked in with a declaration to check (her
    typed distance, absent from the table, already checked by the organiser: validatable)."""
    event = study_day(date(2024, 5, 2), "mai")
    anne = checked_person(event, "anne@example.org", declared=driver(km="120"))
    client = w.organiser(event, admin=admin)
    return event, client, anne


def claim_page(event, claim):
    return dash(event, f"/compensation/claims/{claim.id}")


def waiting_list(event):
    """Event of one place: person 1 confirmed, person 2 on the waiting list."""
    first, first_link = sign_up_with_link(event, 1)
    second, _ = sign_up_with_link(event, 2)
    assert second.status == "waitlisted"
    return first, first_link, second


# --- dashboard: events, parts, questions ---------------------------------------------------------


def new_event_page(w):
    event, client = event_with_organiser(w)
    w.post(
        client,
        "/dashboard/events/new",
        {
            "title": "Atelier mobilité",
            "day": (date.today() + timedelta(days=30)).isoformat(),
            "start": "09:00",
            "end": "16:30",
            "timezone": "Europe/Paris",
            "venue_name": "Médiathèque",
        },
    )
    return Expect(("event.created",), client.user)


def edit_event_page(w):
    event, client = event_with_organiser(w)
    w.post(client, dash(event, "/edit"), event_form(event, title="Nouveau titre"))
    return Expect(("event.updated",), client.user)


def duplicate_event_page(w):
    event, client = event_with_organiser(w)
    first_day = (date.today() + timedelta(days=60)).isoformat()
    w.post(client, dash(event, "/duplicate"), {"title": "Copie", "first_day": first_day})
    return Expect(("event.duplicated", "event.duplicated_from"), client.user)


def event_status_page(w):
    event, client = event_with_organiser(w)
    w.post(client, dash(event, "/status"), {"status": "closed"}, page="/dashboard/")
    return Expect(("event.status_changed",), client.user)


def cancel_event_page(w):
    event, client = event_with_organiser(w)
    w.post(client, dash(event, "/cancel"))
    return Expect(("event.cancelled",), client.user)


def add_organiser_page(w):
    event, client = event_with_organiser(w)
    new_organiser("collegue@example.org")
    w.post(client, dash(event, "/organisers"), {"email": "collegue@example.org"}, page=dash(event))
    return Expect(("event.organiser_added",), client.user)


def remove_organiser_page(w):
    event, client = event_with_organiser(w)
    colleague = new_organiser("collegue@example.org", events=[event])
    w.post(client, dash(event, f"/organisers/{colleague.id}/remove"), page=dash(event))
    return Expect(("event.organiser_removed",), client.user)


def part_data(event, **overrides):
    day = event.parts[0].local_start.date().isoformat()
    return {"label": "Accueil café", "day": day, "start": "09:00", "end": "09:30", **overrides}


def new_part_page(w):
    event, client = event_with_organiser(w)
    w.post(client, dash(event, "/parts/new"), part_data(event))
    return Expect(("part.added",), client.user)


def edit_part_page(w):
    event, client = event_with_organiser(w)
    morning = event.parts[0]
    data = part_data(event, label="Matinée", start="09:30", end="12:30", capacity="")
    w.post(client, dash(event, f"/parts/{morning.id}/edit"), data)
    return Expect(("part.updated",), client.user)


def move_part_page(w):
    event, client = event_with_organiser(w)
    morning = event.parts[0]
    w.post(
        client, dash(event, f"/parts/{morning.id}/move"), {"direction": "down"}, page=dash(event)
    )
    return Expect(("part.moved",), client.user)


def delete_part_page(w):
    event, client = event_with_organiser(w)
    afternoon = event.parts[1]
    w.post(client, dash(event, f"/parts/{afternoon.id}/delete"))
    return Expect(("part.deleted",), client.user)


QUESTIONS = [{"label": "Commune"}, {"label": "Fonction"}]


def new_question_page(w):
    event, client = event_with_organiser(w)
    w.post(client, dash(event, "/questions/new"), {"label": "Mes fonctions", "kind": "text"})
    return Expect(("question.added",), client.user)


def edit_question_page(w):
    event, client = event_with_organiser(w, questions=QUESTIONS)
    question = event.questions[0]
    data = {"label": "Votre commune", "kind": "text"}
    w.post(client, dash(event, f"/questions/{question.id}/edit"), data)
    return Expect(("question.updated",), client.user)


def move_question_page(w):
    event, client = event_with_organiser(w, questions=QUESTIONS)
    question = event.questions[1]
    url = dash(event, f"/questions/{question.id}/move")
    w.post(client, url, {"direction": "up"}, page=dash(event))
    return Expect(("question.moved",), client.user)


def delete_question_page(w):
    event, client = event_with_organiser(w, questions=QUESTIONS)
    question = event.questions[0]
    w.post(client, dash(event, f"/questions/{question.id}/delete"))
    return Expect(("question.deleted",), client.user)


# --- dashboard: registrations, imports -----------------------------------------------------------


def new_registration_page(w):
    event, client = event_with_organiser(w)
    data = {
        "first_name": "Bruno",
        "last_name": "Caradec",
        "email": "bruno@example.org",
        "locale": "fr",
        "full_day": "yes",
    }
    w.post(client, dash(event, "/registrations/new"), data)
    return Expect(("registration.added",), client.user)


def edit_registration_page(w):
    event, client = event_with_organiser(w)
    anne = participant(event, 1, first="Anne")
    data = {"first_name": "Anne", "last_name": "Morvan", "full_day": "yes", "comment": "Pris"}
    w.post(client, dash(event, f"/registrations/{anne.id}"), data)
    return Expect(("registration.updated",), client.user)


def cancel_registration_page(w):
    """The cancellation frees the place: the first on the waiting list is promoted."""
    event, client = event_with_organiser(w, capacity=1)
    first, _, _ = waiting_list(event)
    w.post(client, dash(event, f"/registrations/{first.id}/cancel"))
    return Expect(("registration.cancelled", "registration.promoted"), client.user)


def confirm_registration_page(w):
    event, client = event_with_organiser(w, capacity=1)
    _, _, second = waiting_list(event)
    url = dash(event, f"/registrations/{second.id}/confirm")
    w.post(client, url, page=dash(event, "/registrations"))
    return Expect(("registration.confirmed_from_waitlist",), client.user)


def resend_registration_page(w):
    event, client = event_with_organiser(w)
    anne = participant(event, 1, first="Anne")
    url = dash(event, f"/registrations/{anne.id}/resend")
    w.post(client, url, page=dash(event, "/registrations"))
    return Expect(("registration.resent",), client.user)


def bulk_registrations_page(w):
    """A confirmed bulk cancellation of the checked rows: one line per person and a summary."""
    event, client = event_with_organiser(w)
    people = [participant(event, n) for n in (1, 2)]
    data = {
        "action": "cancel",
        "scope": "selection",
        "ids": [str(r.id) for r in people],
        "confirmed": "y",
    }
    w.post(client, dash(event, "/registrations/bulk"), data, page=dash(event, "/registrations"))
    return Expect(("registration.cancelled", "registrations.bulk"), client.user)


SIGNUPS = (
    "Prénom,NOM,Organisation,Courriel,Je serai présent.e toute la journée,Commentaire libre\n"
    "Anne,Morvan,Métropole Exemple,anne.morvan@metropole.example.org,Oui,\n"
    "Paul,LE GALL,CCAS Exemple,paul.legall@ccas.example.org,Oui,\n"
).encode()


def large_export_page(extension):
    """An export larger than EXPORT_JOB_THRESHOLD: the job's start, then its file's line."""

    def scenario(w):
        event, client = event_with_organiser(w)
        participant(event, 1)
        participant(event, 2)
        w.app.config["EXPORT_JOB_THRESHOLD"] = 1
        url = dash(event, f"/registrations.{extension}")
        w.post(client, url, page=url)
        run_due()
        return Expect(("job.started", "registrations.exported"), client.user)

    return scenario


def messages_page(w):
    """The message's confirmed sending (after its preview): one line with how many were sent."""
    event, client = event_with_organiser(w)
    participant(event, 1)
    data = {
        "to": "confirmed",
        "subject": "Plan d'accès",
        "body": "Le **plan** est joint.",
        "step": "send",
        "expected": "1",
    }
    w.post(client, dash(event, "/messages"), data)
    return Expect(("message.sent",), client.user)


def import_preview_page(w):
    event, client = event_with_organiser(w)
    url = dash(event, "/import")
    token = csrf_token(client, url)
    uploaded = client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(SIGNUPS), "inscriptions.csv")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303, uploaded.get_data(as_text=True)
    preview = uploaded.headers["Location"]
    w.post(client, preview, {"action": "import"})
    return Expect(("import.committed", "registration.imported"), client.user)


# --- dashboard: the day --------------------------------------------------------------------------


def checkin_tap_page(w):
    event, client = event_with_organiser(w)
    happening_today(event)  # check-in opens on the day
    anne = participant(event, 1)
    morning = event.parts[0]
    url = dash(event, f"/checkin/{morning.id}/{anne.id}")
    w.post(client, url, {"present": "1"}, page=dash(event, "/checkin"))
    return Expect(("attendance.checked_in",), client.user)


def checkin_json_page(w):
    event, client = event_with_organiser(w)
    happening_today(event)  # check-in opens on the day
    anne = participant(event, 1)
    tap = {"part_id": event.parts[0].id, "registration_id": anne.id, "present": True}
    w.post_json(client, dash(event, "/checkin.json"), tap, page=dash(event, "/checkin"))
    return Expect(("attendance.checked_in",), client.user)


def checkin_walk_in_page(w):
    event, client = event_with_organiser(w)
    happening_today(event)  # check-in opens on the day
    morning = event.parts[0]
    data = {"request_id": "walk-in-0001", "first_name": "Jean", "last_name": "Sansinscription"}
    url = dash(event, f"/checkin/{morning.id}/walk-in")
    w.post(client, url, data, page=dash(event, "/checkin"))
    return Expect(("attendance.walk_in",), client.user)


SIGNED = [[[0.1, 0.5, 0], [0.2, 0.4, 16], [0.3, 0.6, 32], [0.5, 0.5, 300], [0.7, 0.3, 320]]]


def sign_json_page(w):
    event, client = event_with_organiser(w, signature_mode="participants")
    happening_today(event)  # check-in opens on the day
    anne = participant(event, 1)
    payload = {"part_id": event.parts[0].id, "registration_id": anne.id, "strokes": SIGNED}
    w.post_json(client, dash(event, "/sign.json"), payload, page=dash(event, "/checkin"))
    return Expect(("attendance.signed",), client.user)


def countersign_json_page(w):
    event, client = event_with_organiser(w, signature_mode="participants_and_trainers")
    happening_today(event)  # check-in opens on the day
    payload = {"part_id": event.parts[0].id, "name": "Paul Formateur", "strokes": SIGNED}
    w.post_json(client, dash(event, "/countersign.json"), payload, page=dash(event, "/checkin"))
    return Expect(("attendance.countersigned",), client.user)


def walk_in_json_page(w):
    event, client = event_with_organiser(w)
    happening_today(event)  # check-in opens on the day
    payload = {
        "part_id": event.parts[1].id,
        "first_name": "Nadia",
        "last_name": "Benali",
        "request_id": "a1b2c3d4e5f60718",
    }
    w.post_json(client, dash(event, "/walk-in.json"), payload, page=dash(event, "/checkin"))
    return Expect(("attendance.walk_in",), client.user)


def send_certificates_page(w):
    event, client = event_with_organiser(w)
    checked_in(participant(event, 1), event.parts[0])
    move_to_the_past(event)
    w.post(client, dash(event, "/certificates/send"))
    run_due()  # the job the click queued: its line names the organiser who started it
    return Expect(("job.started", "attendance.certificates_sent"), client.user)


# --- dashboard: invitations and contacts ---------------------------------------------------------


def invite_page(w):
    event, client = event_with_organiser(w)
    bureau = contact_list(client.user)
    contact(client.user, lists=[bureau])
    url = dash(event, "/invitations/invite")
    w.post(client, url, {"lists": [str(bureau.id)], "confirmed": "1"})
    return Expect(("invitations.sent",), client.user)


def remind_page(w):
    event, client = event_with_organiser(w)
    invited(event, client.user, contact(client.user))
    w.post(client, dash(event, "/invitations/remind"))
    return Expect(("invitations.reminded",), client.user)


def invitation_settings_page(w):
    event, client = event_with_organiser(w)
    data = {"invitation_only": "y", "reminder_days_before": "5"}
    w.post(client, dash(event, "/invitations/settings"), data, page=dash(event, "/invitations"))
    return Expect(("invitations.settings_changed",), client.user)


AGENDA = b"%PDF-1.4\n% ordre du jour\n"


def add_attachment_page(w):
    event, client = event_with_organiser(w)
    w.post(
        client,
        dash(event, "/invitations/attachments"),
        {"file": (io.BytesIO(AGENDA), "odj.pdf")},
        page=dash(event, "/invitations"),
        content_type="multipart/form-data",
    )
    return Expect(("invitations.attachment_added",), client.user)


def remove_attachment_page(w):
    event, client = event_with_organiser(w)
    attachment = invitation_attachment(event, "odj.pdf", AGENDA)
    w.post(
        client,
        dash(event, "/invitations/attachments/remove"),
        {"attachment_id": str(attachment.id)},
        page=dash(event, "/invitations"),
    )
    return Expect(("invitations.attachment_removed",), client.user)


CONTACT_FORM = {
    "civility": "M.",
    "first_name": "Hervé",
    "last_name": "Le Gall",
    "function": "Maire",
    "organisation": "Dinan-Exemple",
    "email": "herve.legall@dinan.example.fr",
}


def new_contact_page(w):
    client = w.organiser()
    w.post(client, "/dashboard/contacts/new", CONTACT_FORM)
    return Expect(("contact.saved",), client.user)


def edit_contact_page(w):
    client = w.organiser()
    someone = contact(client.user)
    w.post(client, f"/dashboard/contacts/{someone.id}", {**CONTACT_FORM, "function": "Adjoint"})
    return Expect(("contact.saved",), client.user)


def delete_contact_page(w):
    client = w.organiser()
    someone = contact(client.user)
    w.post(client, f"/dashboard/contacts/{someone.id}/delete")
    return Expect(("contact.deleted",), client.user)


def new_list_page(w):
    client = w.organiser()
    w.post(client, "/dashboard/contacts/lists", {"name": "Bureau"}, page="/dashboard/contacts")
    return Expect(("contacts.list_created",), client.user)


def delete_list_page(w):
    client = w.organiser()
    bureau = contact_list(client.user)
    url = f"/dashboard/contacts/lists/{bureau.id}/delete"
    w.post(client, url, page="/dashboard/contacts")
    return Expect(("contacts.list_deleted",), client.user)


def import_contacts_page(w):
    client = w.organiser()
    url = "/dashboard/contacts/import"
    token = csrf_token(client, url)
    with open(FIXTURES / "contacts_cp1252.csv", "rb") as handle:
        preview = client.post(
            url,
            data={"csrf_token": token, "list_name": "Réseau", "file": (handle, "c.csv")},
            content_type="multipart/form-data",
        )
    content = preview.get_data(as_text=True).split('name="content" value="')[1].split('"')[0]
    w.post(client, url, {"list_name": "Réseau", "content": content, "confirmed": "1"})
    return Expect(("contacts.imported",), client.user)


# --- dashboard: compensation ---------------------------------------------------------------------


def compute_claims_page(w):
    event, client, _ = compensated(w)
    base = dash(event, "/compensation")
    w.post(client, f"{base}/compute", page=base, status=(200,))  # its report
    return Expect(("compensation.computed",), client.user)


def recompute_claim_page(w):
    event, client, _ = compensated(w)
    [claim] = computed_claims(event)
    w.post(client, f"{claim_page(event, claim)}/recompute", page=claim_page(event, claim))
    return Expect(("compensation.computed",), client.user)


def claim_distance_page(w):
    event, client, _ = compensated(w)
    [claim] = computed_claims(event)
    page = claim_page(event, claim)
    w.post(client, f"{page}/distance", {"round_trip_km": "80"}, page=page)
    return Expect(("claim.distance_checked",), client.user)


def claim_transport_page(w):
    event, client, _ = compensated(w)
    [claim] = computed_claims(event)
    page = claim_page(event, claim)
    w.post(client, f"{page}/transport", {"amount": "12,50"}, page=page)
    return Expect(("claim.transport_receipt",), client.user)


def claim_childcare_aside_page(w):
    """Childcare the scale « fp » does not pay, set aside with a reason by the organiser."""
    event = study_day(date(2024, 5, 2), "mai")
    kids = DeclarationInput(
        origin="Dinan-Exemple",
        transport=TransportMode.OTHER,
        childcare_needed=True,
        childcare_hours=Decimal(3),
    )
    person(event, "garde@example.org", declared=kids)
    client = w.organiser(event)
    [claim] = computed_claims(event)
    page = claim_page(event, claim)
    w.post(client, f"{page}/childcare", {"reason": "Réglée à part"}, page=page)
    return Expect(("claim.childcare_set_aside",), client.user)


def claim_receipts_page(w):
    event, client, _ = compensated(w)
    [claim] = computed_claims(event)
    page = claim_page(event, claim)
    w.post(client, f"{page}/receipts", {"received": "1"}, page=page)
    return Expect(("claim.receipts_received",), client.user)


def correct_line_page(w):
    event, client, _ = compensated(w)
    [claim] = computed_claims(event)
    mileage = next(line for line in claim.lines if line.kind == "mileage")
    url = f"{claim_page(event, claim)}/lines/{mileage.id}"
    w.post(client, url, {"quantity": "100", "rate": str(mileage.rate), "reason": "Vérifié"})
    return Expect(("claim.line_corrected",), client.user)


def validate_claim_page(w):
    event, client, _ = compensated(w)
    [claim] = computed_claims(event)
    page = claim_page(event, claim)
    w.post(client, f"{page}/validate", {"accept_checks": "y"}, page=page)
    return Expect(("claim.validated",), client.user)


def validate_claims_page(w):
    event, client, _ = compensated(w)
    computed_claims(event)
    base = dash(event, "/compensation")
    w.post(client, f"{base}/validate", {"accept_checks": "y"}, page=base)
    return Expect(("claim.validated",), client.user)


def batches_page(w):
    event, client, _ = compensated(w)
    validated_claims(event)
    data = {"name": "T2", "start": "2024-04-01", "end": "2024-06-30"}
    w.post(client, "/dashboard/compensation/batches", data)
    return Expect(("batch.created",), client.user)


def batch_paid_page(w):
    event, client, _ = compensated(w)
    validated_claims(event)
    batch = batch_of("T2", date(2024, 4, 1), date(2024, 6, 30))
    url = f"/dashboard/compensation/batches/{batch.id}"
    w.post(client, f"{url}/paid", {"paid_on": "2024-07-15"}, page=url)
    return Expect(("batch.paid",), client.user)


def confirm_distance_table_page(w):
    _, client, _ = compensated(w, admin=True)
    url = "/dashboard/compensation/distances"
    token = csrf_token(client, url)
    data = (FIXTURES / "distancier_example.csv").read_bytes()
    preview = client.post(
        url,
        data={"csrf_token": token, "file": (io.BytesIO(data), "distancier.csv")},
        content_type="multipart/form-data",
    )
    html = preview.get_data(as_text=True)
    upload = html.split('name="upload" type="hidden" value="')[1].split('"')[0]
    w.post(client, f"{url}/confirm", {"upload": upload}, page=url)
    return Expect(("distances.replaced",), client.user)


# --- the participant's pages ---------------------------------------------------------------------


def submit_page(w):
    event = new_event()
    w.post(w.app.test_client(), f"/e/{event.slug}", valid())
    return Expect(("registration.signed_up",), audit.PARTICIPANT)


def embed_submit_page(w):
    """The form embedded in another site: its own signed token, posted from the frame."""
    event = new_event()
    w.post(w.app.test_client(), f"/e/{event.slug}/embed", valid())
    return Expect(("registration.signed_up",), audit.PARTICIPANT)


def change_page(w):
    event = new_event()
    _, link = sign_up_with_link(event, 1)
    afternoon = event.parts[1]
    data = {"first_name": "P1", "last_name": "Test", "full_day": "no", "parts": [str(afternoon.id)]}
    w.post(w.app.test_client(), link, data)
    return Expect(("registration.updated",), audit.PARTICIPANT)


def public_cancel_page(w):
    """The participant's own cancellation frees the place: the waiting list moves up."""
    event = new_event(capacity=1)
    _, link, _ = waiting_list(event)
    w.post(w.app.test_client(), f"{link}/cancel", page=link)
    return Expect(("registration.cancelled", "registration.promoted"), audit.PARTICIPANT)


def declare_page(w):
    event = study_day(date.today() + timedelta(days=14), "a-venir")
    import_example_table()
    _, link = sign_up_with_link(event, 1)
    data = {
        "travel-origin": "Broons-Exemple",
        "travel-transport": "car_driver",
        "travel-fiscal_horsepower": "6",
    }
    w.post(w.app.test_client(), f"{link}/declaration", data, page=link)
    return Expect(("declaration.saved",), audit.PARTICIPANT)


def erase_page(w):
    event = new_event()
    _, link = sign_up_with_link(event, 1)
    w.post(w.app.test_client(), f"{link}/erase", page=link)
    return Expect(("registration.erased",), audit.PARTICIPANT)


def invitation(w, **fields):
    event = new_event(**fields)
    alice = new_organiser("alice@example.org", events=[event])
    [sent] = invited(event, alice, contact(alice))
    return event, sent


def reply_yes_page(w):
    _, sent = invitation(w)
    w.post(w.app.test_client(), f"{sent.path}/participer", {"full_day": "yes"}, page=sent.path)
    # The line names the registration the yes created.
    return Expect(("invitation.replied",), audit.PARTICIPANT)


def reply_no_page(w):
    """A no after a yes cancels the registration the yes created, and the waiting list moves up:
    both wrote no line before."""
    event, sent = invitation(w, capacity=1)
    client = w.app.test_client()
    w.post(client, f"{sent.path}/participer", {"full_day": "yes"}, page=sent.path)
    sign_up_with_link(event, 2)  # on the waiting list
    w.post(client, f"{sent.path}/excuse", {"message": "Retenue"}, page=sent.path)
    return Expect(
        ("invitation.replied", "registration.cancelled", "registration.promoted"),
        audit.PARTICIPANT,
    )


def reply_represented_page(w):
    _, sent = invitation(w)
    data = {
        "rep_first_name": "Paul",
        "rep_last_name": "Adjoint",
        "rep_function": "Premier adjoint",
        "rep_email": "paul.adjoint@lehon.example.fr",
    }
    w.post(w.app.test_client(), f"{sent.path}/representation", data, page=sent.path)
    # The line names the representative's registration.
    return Expect(("invitation.replied",), audit.PARTICIPANT)


def unsubscribe_page(w):
    _, sent = invitation(w)
    url = f"{sent.path}/desinscription"
    w.post(w.app.test_client(), url, status=(200, 302, 303))
    return Expect(("contact.unsubscribed",), audit.PARTICIPANT)


# --- accounts ------------------------------------------------------------------------------------


def password_page(w):
    client = w.organiser()
    new = "une autre phrase de passe assez longue"
    data = {"current": ORGANISER_PASSWORD, "new": new, "confirm": new}
    w.post(client, "/account/password", data)
    return Expect(("account.password_changed",), client.user)


WEBHOOK_URL = "https://93.184.215.14/hooks"  # a public address written as such: no DNS


def webhook_of(user):
    endpoint, _secret = webhooks.add_endpoint(user, WEBHOOK_URL, ["registration.created"])
    db.session.add(
        WebhookDelivery(
            endpoint_id=endpoint.id, event_type="registration.created", payload={}, msg_id="msg_1"
        )
    )
    db.session.commit()
    return endpoint


def new_webhook_page(w):
    client = w.organiser()
    data = {"url": WEBHOOK_URL, "event_types": ["registration.created"]}
    w.post(client, "/dashboard/webhooks/new", data, status=(200,))
    return Expect(("webhook.added",), client.user)


def toggle_webhook_page(w):
    client = w.organiser()
    endpoint = webhook_of(client.user)
    w.post(client, f"/dashboard/webhooks/{endpoint.id}/active", page="/dashboard/webhooks")
    return Expect(("webhook.disabled",), client.user)


def delete_webhook_page(w):
    client = w.organiser()
    endpoint = webhook_of(client.user)
    w.post(client, f"/dashboard/webhooks/{endpoint.id}/delete", page="/dashboard/webhooks")
    return Expect(("webhook.deleted",), client.user)


def replay_webhook_page(w):
    client = w.organiser()
    endpoint = webhook_of(client.user)
    [delivery] = webhooks.recent_deliveries(endpoint)
    page = f"/dashboard/webhooks/{endpoint.id}"
    w.post(client, f"{page}/deliveries/{delivery.id}/replay", page=page)
    return Expect(("webhook.replayed",), client.user)


Scenario = Callable[[World], Expect]


# --- the REST API and its tokens (issue 20) -------------------------------------------------------


def api_tokens_page(w):
    client = w.organiser()
    w.post(client, "/dashboard/api-tokens", {"name": "CRM", "can_write": "y"}, status=(200,))
    return Expect(("api_token.created",), client.user)


def revoke_api_token_page(w):
    client = w.organiser()
    api_token(client.user)
    token = db.session.scalar(select(ApiToken))
    w.post(client, f"/dashboard/api-tokens/{token.id}/revoke", page="/dashboard/api-tokens")
    return Expect(("api_token.revoked",), client.user)


def api_write(w, event, alice, url, payload=None, status=(200, 201)):
    """A write of ``alice``'s tool, with a write token."""
    secret = api_token(alice, write=True)
    w.take_mark()
    response = w.app.test_client().post(url, json=payload, headers=bearer(secret))
    assert response.status_code in status, response.get_json()
    return response


def api_registration(w):
    event = new_event()
    alice = new_organiser("alice@example.org", events=[event])
    payload = {"first_name": "Léa", "last_name": "Bernard", "email": "lea@example.org"}
    api_write(w, event, alice, f"/api/v1/events/{event.id}/registrations", payload)
    return Expect(("registration.api_added",), alice)


def api_cancel(w):
    event = new_event()
    alice = new_organiser("alice@example.org", events=[event])
    person = participant(event, 1)
    api_write(w, event, alice, f"/api/v1/registrations/{person.public_id}/cancel")
    return Expect(("registration.cancelled",), alice)


def api_checkin(w):
    event = happening_today(new_event())
    alice = new_organiser("alice@example.org", events=[event])
    payload = {"registration_id": participant(event, 1).public_id, "part_id": event.parts[0].id}
    api_write(w, event, alice, f"/api/v1/events/{event.id}/check-ins", payload)
    return Expect(("attendance.checked_in",), alice)


PAGES: dict[str, Scenario | str] = {
    # Accounts: sessions, throttling and password hashes live in their own tables.
    "auth.login": "signs in: a session row and the throttle's counters; no action is recorded",
    "auth.logout": "ends the session; no action is recorded",
    "auth.password": password_page,
    "dashboard.new_event": new_event_page,
    "dashboard.edit_event": edit_event_page,
    "dashboard.duplicate_event": duplicate_event_page,
    "dashboard.event_status": event_status_page,
    "dashboard.cancel_event": cancel_event_page,
    "dashboard.add_organiser": add_organiser_page,
    "dashboard.remove_organiser": remove_organiser_page,
    "dashboard.new_part": new_part_page,
    "dashboard.edit_part": edit_part_page,
    "dashboard.move_part": move_part_page,
    "dashboard.delete_part": delete_part_page,
    "dashboard.new_question": new_question_page,
    "dashboard.edit_question": edit_question_page,
    "dashboard.move_question": move_question_page,
    "dashboard.delete_question": delete_question_page,
    "dashboard.new_registration": new_registration_page,
    "dashboard.edit_registration": edit_registration_page,
    "dashboard.cancel_registration": cancel_registration_page,
    "dashboard.confirm_registration": confirm_registration_page,
    "dashboard.resend_registration": resend_registration_page,
    "dashboard.bulk_registrations": bulk_registrations_page,
    "dashboard.messages": messages_page,
    "dashboard.export_csv": large_export_page("csv"),
    "dashboard.export_xlsx": large_export_page("xlsx"),
    "dashboard.import_upload": "stores the uploaded file for its preview; nothing of the event "
    "changes until dashboard.import_preview imports it",
    "dashboard.import_preview": import_preview_page,
    "dashboard.checkin_tap": checkin_tap_page,
    "dashboard.checkin_json": checkin_json_page,
    "dashboard.checkin_code_json": "looks a check-in code up (the person and the part); writes "
    "nothing: the confirm that follows is checkin.json or sign.json, audited there",
    "dashboard.checkin_code_form": "looks a typed check-in code up and leads to the person in "
    "the list; writes nothing (the tap that follows is audited)",
    "dashboard.checkin_walk_in": checkin_walk_in_page,
    "dashboard.walk_in_json": walk_in_json_page,
    "dashboard.sign_json": sign_json_page,
    "dashboard.countersign_json": countersign_json_page,
    "dashboard.send_certificates": send_certificates_page,
    "dashboard.invite": invite_page,
    "dashboard.remind": remind_page,
    "dashboard.invitation_settings": invitation_settings_page,
    "dashboard.add_attachment": add_attachment_page,
    "dashboard.remove_attachment": remove_attachment_page,
    "dashboard.new_contact": new_contact_page,
    "dashboard.edit_contact": edit_contact_page,
    "dashboard.delete_contact": delete_contact_page,
    "dashboard.new_list": new_list_page,
    "dashboard.delete_list": delete_list_page,
    "dashboard.import_contacts": import_contacts_page,
    "dashboard.compute_claims": compute_claims_page,
    "dashboard.recompute_claim": recompute_claim_page,
    "dashboard.claim_distance": claim_distance_page,
    "dashboard.claim_transport": claim_transport_page,
    "dashboard.claim_receipts": claim_receipts_page,
    "dashboard.claim_childcare_aside": claim_childcare_aside_page,
    "dashboard.correct_line": correct_line_page,
    "dashboard.validate_claim": validate_claim_page,
    "dashboard.validate_claims": validate_claims_page,
    "dashboard.batches": batches_page,
    "dashboard.batch_paid": batch_paid_page,
    "dashboard.distance_table": "previews the uploaded table only; "
    "dashboard.confirm_distance_table replaces it",
    "dashboard.confirm_distance_table": confirm_distance_table_page,
    "dashboard.api_tokens": api_tokens_page,
    "dashboard.revoke_api_token": revoke_api_token_page,
    "api.create_registration": api_registration,
    "api.cancel_registration": api_cancel,
    "api.create_checkin": api_checkin,
    "public.submit": submit_page,
    "public.embed_submit": embed_submit_page,
    "public.change": change_page,
    "public.cancel": public_cancel_page,
    "public.declare": declare_page,
    "public.erase": erase_page,
    "invitations.reply_yes": reply_yes_page,
    "invitations.reply_no": reply_no_page,
    "invitations.reply_represented": reply_represented_page,
    "invitations.unsubscribe": unsubscribe_page,
    "dashboard.new_webhook": new_webhook_page,
    "dashboard.toggle_webhook": toggle_webhook_page,
    "dashboard.delete_webhook": delete_webhook_page,
    "dashboard.replay_webhook": replay_webhook_page,
}


# --- signing on one's own phone (issue 17) -------------------------------------------------------


def _own_signing(w):
    from eventsvc.attendance import own_device

    event = under_way(new_event())
    event.signature_mode = "participants"
    db.session.commit()
    anne = participant(event, 1)
    return event.parts[0], anne, own_device


def own_sign_email_page(w):
    part, _anne, own_device = _own_signing(w)
    code = own_device.code_of(part)
    data = {"email": "personne1@example.org"}
    w.post(w.app.test_client(), f"/emargement/{code}", data, status=(200,))
    return Expect(("attendance.sign_link_sent",), audit.PARTICIPANT)


def own_sign_json_page(w):
    part, anne, own_device = _own_signing(w)
    page = f"/emargement/{own_device.code_of(part)}/s/{own_device.link_token(anne, part)}"
    w.post_json(w.app.test_client(), page + "/sign.json", {"strokes": SIGNED}, page=page)
    return Expect(("attendance.signed",), audit.PARTICIPANT)


PAGES.update(
    {"public.own_sign_email": own_sign_email_page, "public.own_sign_json": own_sign_json_page}
)


# --- bodies, pouvoirs (issue 18) -----------------------------------------------------------------


def _meeting(w, members=3):
    event, client = event_with_organiser(w)
    bureau, people = body_with_members(client.user, members)
    _meeting_row, sent = meeting_invited(event, client.user, bureau, people)
    return event, client, bureau, sent


def _excused_with_pouvoir(w, event, sent):
    member = w.app.test_client()
    w.post(member, f"{sent[0].path}/excuse", {"message": ""}, page=sent[0].path)
    w.post(
        member, f"{sent[0].path}/pouvoir", {"holder": str(sent[1].contact_id)}, page=sent[0].path
    )
    return member


def body_settings_page(w):
    client = w.organiser()
    bureau = contact_list(client.user)
    data = {"is_body": "y", "quorum_kind": "majority", "max_pouvoirs": "1", "notice_days": "3"}
    w.post(client, f"/dashboard/contacts/lists/{bureau.id}/body", data)
    return Expect(("body.saved",), client.user)


def body_member_page(w):
    client = w.organiser()
    bureau, people = body_with_members(client.user, 1)
    url = f"/dashboard/contacts/lists/{bureau.id}/members/{people[0].id}"
    w.post(client, url, {"function": "Président", "in_office": "y"})
    return Expect(("body.member_saved",), client.user)


def meeting_page(w):
    event, client = event_with_organiser(w)
    bureau, _ = body_with_members(client.user, 1)
    w.post(client, dash(event, "/meeting"), {"body": str(bureau.id)})
    return Expect(("meeting.changed",), client.user)


def paper_pouvoir_page(w):
    event, client, _, sent = _meeting(w)
    member = w.app.test_client()
    w.post(member, f"{sent[0].path}/excuse", {"message": ""}, page=sent[0].path)
    data = {"giver": str(sent[0].id), "holder": str(sent[1].contact_id)}
    w.post(client, dash(event, "/meeting/pouvoirs"), data, page=dash(event, "/meeting"))
    return Expect(("pouvoir.given",), client.user)


def revoke_paper_pouvoir_page(w):
    event, client, _, sent = _meeting(w)
    _excused_with_pouvoir(w, event, sent)
    data = {"giver": str(sent[0].id)}
    w.post(client, dash(event, "/meeting/pouvoirs/revoke"), data, page=dash(event, "/meeting"))
    return Expect(("pouvoir.revoked",), client.user)


def give_pouvoir_page(w):
    event, _, _, sent = _meeting(w)
    _excused_with_pouvoir(w, event, sent)
    return Expect(("pouvoir.given",), audit.PARTICIPANT)


def revoke_pouvoir_page(w):
    event, _, _, sent = _meeting(w)
    member = _excused_with_pouvoir(w, event, sent)
    w.post(member, f"{sent[0].path}/pouvoir/revoquer", page=sent[0].path)
    return Expect(("pouvoir.revoked",), audit.PARTICIPANT)


PAGES.update(
    {
        "dashboard.body_settings": body_settings_page,
        "dashboard.body_member": body_member_page,
        "dashboard.meeting": meeting_page,
        "dashboard.paper_pouvoir": paper_pouvoir_page,
        "dashboard.revoke_paper_pouvoir": revoke_paper_pouvoir_page,
        "invitations.give_pouvoir": give_pouvoir_page,
        "invitations.revoke_pouvoir": revoke_pouvoir_page,
    }
)


# --- the command line ----------------------------------------------------------------------------


def cli_event_command(w):
    study_day(date(2024, 5, 2), "mai")
    w.invoke("compensation", "event", "mai", "--lunch-provided")
    return Expect(("event.updated",), audit.COMMAND_LINE)


def cli_distances_import(w):
    w.invoke(
        "compensation", "distances", "import", str(FIXTURES / "distancier_example.csv"), "--yes"
    )
    return Expect(("distances.replaced",), audit.COMMAND_LINE)


def may_with_anne():
    event = study_day(date(2024, 5, 2), "mai")
    checked_person(event, "anne@example.org", declared=driver(km="120"))
    return event


def cli_claims_compute(w):
    may_with_anne()
    w.invoke("compensation", "claims", "compute", "mai", "--yes")
    return Expect(("compensation.computed",), audit.COMMAND_LINE)


def cli_claims_correct(w):
    [claim] = computed_claims(may_with_anne())
    mileage = next(line for line in claim.lines if line.kind == "mileage")
    w.invoke(
        "compensation", "claims", "correct", str(mileage.id), "--quantity", "100",
        "--reason", "Vérifié", "--yes",
    )  # fmt: skip
    return Expect(("claim.line_corrected",), audit.COMMAND_LINE)


def cli_claims_receipts(w):
    [claim] = computed_claims(may_with_anne())
    w.invoke("compensation", "claims", "receipts", str(claim.id), "--yes")
    return Expect(("claim.receipts_received",), audit.COMMAND_LINE)


def cli_claims_distance(w):
    [claim] = computed_claims(may_with_anne())
    w.invoke("compensation", "claims", "distance", str(claim.id), "110", "--yes")
    return Expect(("claim.distance_checked",), audit.COMMAND_LINE)


def cli_claims_transport(w):
    [claim] = computed_claims(may_with_anne())
    w.invoke("compensation", "claims", "transport", str(claim.id), "12,40", "--yes")
    return Expect(("claim.transport_receipt",), audit.COMMAND_LINE)


def cli_claims_validate(w):
    [claim] = computed_claims(may_with_anne())
    w.invoke("compensation", "claims", "validate", "mai", str(claim.id), "--accept-checks", "--yes")
    return Expect(("claim.validated",), audit.COMMAND_LINE)


def cli_batch_create(w):
    validated_claims(may_with_anne())
    w.invoke(
        "compensation", "batch", "create", "T2", "--from", "2024-04-01", "--to", "2024-06-30",
        "--yes",
    )  # fmt: skip
    return Expect(("batch.created",), audit.COMMAND_LINE)


def cli_batch_paid(w):
    validated_claims(may_with_anne())
    batch = batch_of("T2", date(2024, 4, 1), date(2024, 6, 30))
    w.invoke("compensation", "batch", "paid", str(batch.id), "--on", "2024-07-15", "--yes")
    return Expect(("batch.paid",), audit.COMMAND_LINE)


PASSWORD_TWICE = f"{ORGANISER_PASSWORD}\n{ORGANISER_PASSWORD}\n"


def cli_users_create(w):
    w.invoke("users", "create", "bob@example.org", "--password-stdin", input=PASSWORD_TWICE)
    return Expect(("account.created",), audit.COMMAND_LINE)


def cli_users_set_password(w):
    new_organiser("bob@example.org")
    w.invoke("users", "set-password", "bob@example.org", "--password-stdin", input=PASSWORD_TWICE)
    return Expect(("account.password_set",), audit.COMMAND_LINE)


def cli_users_set_admin(w):
    new_organiser("bob@example.org")
    w.invoke("users", "set-admin", "bob@example.org")
    return Expect(("account.admin_granted",), audit.COMMAND_LINE)


def cli_users_unlock(w):
    new_organiser("bob@example.org")
    w.invoke("users", "unlock", "bob@example.org")
    return Expect(("account.unlocked",), audit.COMMAND_LINE)


def cli_users_add_to_event(w):
    new_event()
    new_organiser("bob@example.org")
    w.invoke("users", "add-to-event", "bob@example.org", "atelier")
    return Expect(("event.organiser_added",), audit.COMMAND_LINE)


def cli_import_signups(w):
    new_event()
    w.invoke("import-signups", "atelier", str(FIXTURES / "signups_sample.csv"), "--yes")
    return Expect(("import.committed", "registration.imported"), audit.COMMAND_LINE)


def cli_contacts_import(w):
    new_organiser("alice@example.org")
    path = str(FIXTURES / "contacts_bom.csv")
    w.invoke("contacts", "import", "Bureau", path, "--owner", "alice@example.org", "--yes")
    return Expect(("contacts.imported",), audit.COMMAND_LINE)


def cli_invitations_send(w):
    event = new_event()
    alice = new_organiser("alice@example.org", events=[event])
    contact(alice, lists=[contact_list(alice)])
    w.invoke("invitations", "send", "atelier", "Bureau", "--owner", "alice@example.org", "--yes")
    return Expect(("invitations.sent",), audit.COMMAND_LINE)


def cli_invitations_remind(w):
    event = new_event()
    alice = new_organiser("alice@example.org", events=[event])
    invited(event, alice, contact(alice))
    w.invoke("invitations", "remind", "atelier", "--yes")
    return Expect(("invitations.reminded",), audit.COMMAND_LINE)


def cli_invitations_remind_due(w):
    """Registration closes in a day, automatic reminders 2 days before: due now."""
    event = new_event(registration_closes_at=utcnow() + timedelta(days=1))
    alice = new_organiser("alice@example.org", events=[event])
    invited(event, alice, contact(alice))
    reminders_before(event, days=2)
    w.invoke("invitations", "remind-due")
    return Expect(("invitations.reminded",), audit.COMMAND_LINE)


def cli_invitations_read_replies(w):
    """Élodie clicked Refuser in her calendar: the REPLY saved as a file."""
    event = new_event()
    alice = new_organiser("alice@example.org", events=[event])
    [invitation] = invited(event, alice, contact(alice))
    calendar = icalendar.Calendar()
    calendar.add("method", "REPLY")
    vevent = icalendar.Event()
    vevent.add("uid", invitation_uid(invitation.public_id))
    vevent.add("dtstamp", utcnow())
    vevent.add("sequence", 0)
    vevent["organizer"] = icalendar.vCalAddress(f"mailto:{organiser_address(w.app.config)}")
    attendee = icalendar.vCalAddress(f"mailto:{invitation.contact.email}")
    attendee.params["PARTSTAT"] = "DECLINED"
    vevent.add("attendee", attendee, encode=0)
    calendar.add_component(vevent)
    data = b"Content-Type: text/calendar; method=REPLY\r\n\r\n" + calendar.to_ical()
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "reply.eml"
        path.write_bytes(data)
        w.invoke("invitations", "read-replies", "--from-file", str(path))
    return Expect(("invitation.calendar_replied", "invitation.replied"), audit.PARTICIPANT)


def cli_reminders_send_due(w):
    """The morning starts in 10 hours and Anne signed up a month ago: her reminder is due."""
    event = new_event()
    starting_in(event, 10)
    joined_long_ago(participant(event, 1))
    w.invoke("reminders", "send-due")
    return Expect(("reminders.sent",), audit.COMMAND_LINE)


def cli_jobs_run(w):
    """A job queued by an organiser's click, run by cron: its lines still name the organiser."""
    event, client = event_with_organiser(w)
    checked_in(participant(event, 1), event.parts[0])
    move_to_the_past(event)
    with w.app.test_request_context():
        start_sending(event, actor=client.user)
    db.session.commit()
    w.invoke("jobs", "run")
    return Expect(("attendance.certificates_sent",), client.user)


def cli_messages_send(w):
    event = new_event()
    participant(event, 1)
    w.invoke(
        "messages", "send", "atelier", "--to", "confirmed", "--subject", "Plan d'accès",
        "--body-file", "-", "--yes", input="Le **plan** est joint.",
    )  # fmt: skip
    return Expect(("message.sent",), audit.COMMAND_LINE)


def cli_retention_purge(w):
    """An event that ended long before the retention period, with one person to erase."""
    event = new_event()
    participant(event, 1)
    move_to_the_past(event, days=800)
    w.invoke("retention", "purge", "--yes")
    return Expect(("retention.purged",), audit.COMMAND_LINE)


def cli_api_tokens_create(w):
    new_organiser("alice@example.org")
    w.invoke("api-tokens", "create", "alice@example.org", "--name", "CRM", "--write")
    return Expect(("api_token.created",), audit.COMMAND_LINE)


def cli_api_tokens_revoke(w):
    api_token(new_organiser("alice@example.org"))
    w.invoke("api-tokens", "revoke", str(db.session.scalar(select(ApiToken.id))))
    return Expect(("api_token.revoked",), audit.COMMAND_LINE)


def cli_webhooks_add(w):
    new_organiser("alice@example.org")
    w.invoke("webhooks", "add", "alice@example.org", WEBHOOK_URL, "--event", "claim.validated")
    return Expect(("webhook.added",), audit.COMMAND_LINE)


READ_ONLY = "reads only"

COMMANDS: dict[str, Scenario | str] = {
    "db": "Flask-Migrate: the schema, not the organisation's data",
    "demo": "seeds the demonstration event and account of `make run` on a fresh instance",
    "attendance sheet": READ_ONLY + " (writes a PDF file)",
    "attendance certificates": READ_ONLY + " (writes a PDF file)",
    "attendance verify-proof": READ_ONLY + " (checks a proof file, prints its digest)",
    "mail send": "delivers queued messages: only the outbox rows' delivery state changes",
    "mail worker": "delivers queued messages: only the outbox rows' delivery state changes",
    "mail status": READ_ONLY,
    "mail retry": "queues failed messages again: only the outbox rows' delivery state changes",
    "compensation scales": READ_ONLY,
    "compensation quote": READ_ONLY,
    "compensation event": cli_event_command,
    "compensation distances import": cli_distances_import,
    "compensation distances list": READ_ONLY,
    "compensation distances lookup": READ_ONLY,
    "compensation claims compute": cli_claims_compute,
    "compensation claims list": READ_ONLY,
    "compensation claims show": READ_ONLY,
    "compensation claims correct": cli_claims_correct,
    "compensation claims receipts": cli_claims_receipts,
    "compensation claims distance": cli_claims_distance,
    "compensation claims transport": cli_claims_transport,
    "compensation claims validate": cli_claims_validate,
    "compensation claims history": READ_ONLY,
    "compensation batch create": cli_batch_create,
    "compensation batch list": READ_ONLY,
    "compensation batch export": READ_ONLY + " (writes the file for finance)",
    "compensation batch paid": cli_batch_paid,
    "users create": cli_users_create,
    "users list": READ_ONLY,
    "users set-password": cli_users_set_password,
    "users set-admin": cli_users_set_admin,
    "users unlock": cli_users_unlock,
    "users add-to-event": cli_users_add_to_event,
    "import-signups": cli_import_signups,
    "contacts import": cli_contacts_import,
    "invitations send": cli_invitations_send,
    "invitations remind": cli_invitations_remind,
    "invitations remind-due": cli_invitations_remind_due,
    "invitations read-replies": cli_invitations_read_replies,
    "reminders send-due": cli_reminders_send_due,
    "jobs run": cli_jobs_run,
    "messages send": cli_messages_send,
    "retention purge": cli_retention_purge,
    "api-tokens create": cli_api_tokens_create,
    "api-tokens list": READ_ONLY,
    "api-tokens revoke": cli_api_tokens_revoke,
    "webhooks add": cli_webhooks_add,
    "webhooks list": READ_ONLY,
    "webhooks deliver": "delivers queued webhooks: only the deliveries' state changes",
}

# --- the lists against the application -----------------------------------------------------------


def post_endpoints(app: Flask) -> set[str]:
    """Every endpoint accepting POST, whatever its blueprint (dashboard, public, invitations,
    compensation, auth... and any added later)."""
    return {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}


def commands(group: click.Group, path=()) -> set[str]:
    """Every leaf command's path; a group only listed as a whole (``db``) stops the walk."""
    found = set()
    for name, command in group.commands.items():
        here = (*path, name)
        key = " ".join(here)
        if isinstance(command, click.Group) and key not in COMMANDS:
            found |= commands(command, here)
        else:
            found.add(key)
    return found


def test_every_post_endpoint_has_a_scenario_or_a_reason(app):
    endpoints = post_endpoints(app)
    missing = sorted(endpoints - PAGES.keys())
    assert not missing, f"POST endpoints without an audit scenario nor a reason: {missing}"
    gone = sorted(PAGES.keys() - endpoints)
    assert not gone, f"listed but no longer a POST endpoint: {gone}"


def test_every_command_has_a_scenario_or_a_reason(app):
    found = commands(app.cli)
    missing = sorted(found - COMMANDS.keys())
    assert not missing, f"commands without an audit scenario nor a reason: {missing}"
    gone = sorted(COMMANDS.keys() - found)
    assert not gone, f"listed but no longer a command: {gone}"


def test_every_reason_is_written_out():
    for key, entry in {**PAGES, **COMMANDS}.items():
        assert callable(entry) or (isinstance(entry, str) and len(entry) > 8), key


# --- the scenarios -------------------------------------------------------------------------------


def _params(table: dict[str, Scenario | str]):
    for key, entry in table.items():
        if not callable(entry):
            continue
        yield pytest.param(entry, id=key.replace(" ", "-"))


def check(w: World, expect: Expect) -> None:
    db.session.expire_all()
    new = list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.id > w.mark).order_by(AuditEvent.id))
    )
    recorded = [(e.action, e.actor_id, e.actor_label) for e in new]
    for action in expect.actions:
        lines = [e for e in new if e.action == action]
        if not lines:
            raise NotAudited(f"no new audit line {action!r}; recorded: {recorded}")
        if isinstance(expect.actor, str):
            named = [e for e in lines if e.actor_label == expect.actor and e.actor_id is None]
        else:
            named = [e for e in lines if e.actor_id == expect.actor.id]
        if not named:
            raise NotAudited(f"{action!r} does not name {expect.actor}: {recorded}")


@pytest.mark.parametrize("scenario", list(_params(PAGES)))
def test_a_page_that_writes_leaves_an_audit_line(app, scenario):
    w = World(app)
    check(w, scenario(w))


@pytest.mark.parametrize("scenario", list(_params(COMMANDS)))
def test_a_command_that_writes_leaves_an_audit_line(app, scenario):
    w = World(app)
    check(w, scenario(w))
