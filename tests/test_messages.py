"""Writing to participants (issue 16): the organiser's texts in the confirmation and the
invitation, their previews, and messages to an audience, through a real SMTP server.

The Markdown subset is checked by function calls; everything else goes through the pages or the
command, then the outbox and the SMTP server, and is read back as a mail program would."""

from __future__ import annotations

import re
from html import unescape

import pytest
from sqlalchemy import select

from eventsvc.audit import service as audit
from eventsvc.audit.models import AuditEvent
from eventsvc.audit.sentences import Line, sentence
from eventsvc.common.markdown_text import to_html, to_plain
from eventsvc.extensions import db
from eventsvc.links import checkin_code, personal_url
from eventsvc.mail.worker import deliver_once
from eventsvc.messaging.models import Message
from eventsvc.registrations import notifications
from eventsvc.registrations.models import RegistrationStatus

from .factories import (
    ORGANISER_PASSWORD,
    contact,
    csrf_token,
    error_for,
    event_form,
    invited,
    login,
    new_event,
    new_organiser,
    part_ids,
    participant,
    post_form,
    sign_up,
)
from .smtp_server import smtp_settings

INJECTIONS = "\n\n".join(
    [
        "Bonjour <script>alert('x')</script> **à tous**",
        '<img src="x" onerror="alert(1)">',
        "[cliquez](javascript:alert(1)) [encore](JaVaScRiPt:alert(2)) [data](data:text/html,x)",
        '<div onclick="alert(3)">\nbloc HTML\n</div>',
        '<a href="javascript:alert(4)">lien</a> [le site](https://example.org/atelier)',
    ]
)


@pytest.fixture
def app_config(app_config, smtp_server):
    return {**app_config, **smtp_settings(smtp_server)}


def received_by(smtp_server, email):
    return [received.message for received in smtp_server.mailbox.to(email)]


def parts_of(message) -> tuple[str, str]:
    return (
        message.get_body(("plain",)).get_content(),
        message.get_body(("html",)).get_content(),
    )


def assert_inert(html: str) -> None:
    """Nothing typed became markup: no script, no image, no handler, no javascript: link."""
    lowered = html.lower()
    # The only image is eventsvc's own QR code of the personal link (cid:, from the server).
    images = re.findall(r"<img\b[^>]*>", lowered)
    assert all('src="cid:' in image and "qr" in image for image in images), images
    assert "<script" not in lowered and "<div onclick" not in lowered
    assert not re.search(r"<[^>]+\son[a-z]+=", lowered)
    assert 'href="javascript:' not in lowered and 'href="data:' not in lowered
    assert "&lt;script&gt;" in html


def preview_of(html: str) -> tuple[str, str, str]:
    """(subject, text part, HTML part) as the preview page shows them."""
    subject = re.search(r"<dt>(?:Objet|Subject)</dt><dd>(.*?)</dd>", html, re.S).group(1)
    text = re.search(r"<pre>(.*?)</pre>", html, re.S).group(1)
    srcdoc = re.search(r'srcdoc="(.*?)"', html, re.S).group(1)
    return unescape(subject), unescape(text), unescape(srcdoc)


def without_cid(html: str) -> str:
    """The QR code's Content-ID is drawn anew for every message composed."""
    return re.sub(r"cid:[^\"]+", "cid:…", html)


def organiser_of(app, event, email="claire@example.org"):
    user = new_organiser(email, events=[event])
    client = app.test_client()
    login(client, email, ORGANISER_PASSWORD)
    client.user = user
    return client


# --- the Markdown subset (function calls) -------------------------------------------------------


def test_injections_are_rendered_inert_in_html_and_text():
    html = to_html(INJECTIONS)
    assert_inert(html)
    assert "<strong>à tous</strong>" in html
    assert '<a href="https://example.org/atelier">le site</a>' in html
    text = to_plain(INJECTIONS)
    assert "<script>alert('x')</script>" in text  # shown as typed in a text/plain part
    assert "le site (https://example.org/atelier)" in text
    assert "**" not in text


def test_the_subset_paragraphs_lists_links_and_line_breaks():
    source = (
        "Bonjour,\nà bientôt.\n\n- un *café*\n- le [plan](https://example.org/plan)\n\n"
        "1. arriver\n2. signer\n\nÉcrivez-nous : <mailto:codev@example.org>\n\n# pas un titre"
    )
    assert to_plain(source) == (
        "Bonjour,\nà bientôt.\n\n- un café\n- le plan (https://example.org/plan)\n\n"
        "1. arriver\n2. signer\n\nÉcrivez-nous : mailto:codev@example.org\n\n# pas un titre"
    )
    html = to_html(source)
    assert "<p>Bonjour,<br>\nà bientôt.</p>" in html
    assert "<li>un <em>café</em></li>" in html and "<ol>" in html
    assert '<a href="mailto:codev@example.org">' in html
    assert "<h1>" not in html
    assert to_html("") == "" and to_plain(None) == ""
    bare = "Le plan : https://example.org/plan et javascript:alert(1)"
    assert to_html(bare) == (
        '<p>Le plan : <a href="https://example.org/plan">https://example.org/plan</a> et '
        "javascript:alert(1)</p>\n"
    )
    assert to_plain(bare) == bare


# --- the confirmation and the invitation ---------------------------------------------------------


def test_the_confirmation_carries_the_organisers_text_inert(app, smtp_server):
    event = new_event(confirmation_text=INJECTIONS)
    sign_up(event, 1)
    deliver_once()
    [message] = received_by(smtp_server, "personne1@example.org")
    text, html = parts_of(message)
    assert_inert(html)
    assert "<strong>à tous</strong>" in html
    assert "le site (https://example.org/atelier)" in text
    # The text comes before the personal link, after what eventsvc says.
    assert text.index("le site") < text.index("Votre lien personnel")


def test_an_email_that_is_not_a_confirmation_has_no_organiser_text(app, smtp_server):
    event = new_event(capacity=1, confirmation_text="Apportez **votre badge**.")
    sign_up(event, 1)
    sign_up(event, 2)  # waiting list
    deliver_once()
    [confirmed] = received_by(smtp_server, "personne1@example.org")
    [waiting] = received_by(smtp_server, "personne2@example.org")
    assert "Apportez votre badge." in parts_of(confirmed)[0]
    assert "badge" not in parts_of(waiting)[0]


def test_the_invitation_carries_its_text_inert(app, smtp_server):
    event = new_event(invitation_text=INJECTIONS)
    owner = new_organiser("claire@example.org", events=[event])
    invited(event, owner, contact(owner))
    deliver_once()
    [message] = received_by(smtp_server, "elodie.riviere@lehon.example.fr")
    text, html = parts_of(message)
    assert_inert(html)
    assert "le site (https://example.org/atelier)" in text


def test_the_event_form_saves_the_texts_and_refuses_them_too_long(app):
    event = new_event()
    client = organiser_of(app, event)
    url = f"/dashboard/events/{event.id}/edit"
    page = post_form(client, url, event_form(event, confirmation_text="x" * 4001))
    assert page.status_code == 200
    assert "4000 caractères au plus" in error_for(page.get_data(as_text=True), "confirmation_text")
    response = post_form(
        client,
        url,
        event_form(event, confirmation_text="Apportez **un stylo**.", invitation_text=""),
    )
    assert response.status_code == 303
    db.session.expire_all()
    assert (event.confirmation_text, event.invitation_text) == ("Apportez **un stylo**.", None)
    assert "Apportez **un stylo**." in client.get(url).get_data(as_text=True)


def test_the_confirmation_preview_is_what_is_sent(app, smtp_server):
    event = new_event(confirmation_text=INJECTIONS)
    client = organiser_of(app, event)
    page = client.get(f"/dashboard/events/{event.id}/emails/confirmation")
    assert page.status_code == 200
    subject, text, html = preview_of(page.get_data(as_text=True))
    assert_inert(html)
    camille = participant(event, 1, first="Camille", last="Exemple")
    notifications.registered(camille, None)
    db.session.commit()
    deliver_once()
    [message] = received_by(smtp_server, "personne1@example.org")
    sample_person = notifications.sample_registration(event, "fr")
    sample = personal_url(sample_person)
    sent_text, sent_html = parts_of(message)
    link = personal_url(camille)
    # The sample's check-in code is its own (the preview's person is never saved).
    code, sample_code = checkin_code(camille), checkin_code(sample_person)
    assert message["Subject"] == subject
    assert sent_text.replace(link, sample).replace(code, sample_code) == text
    sent_html = sent_html.replace(link, sample).replace(code, sample_code)
    assert without_cid(sent_html) == without_cid(html)


def test_the_invitation_preview_and_the_english_confirmation(app):
    event = new_event(invitation_text="Ordre du jour : **budget**.")
    client = organiser_of(app, event)
    page = client.get(f"/dashboard/events/{event.id}/emails/invitation").get_data(as_text=True)
    subject, text, html = preview_of(page)
    assert subject == "Invitation : Atelier participatif"
    assert "Ordre du jour : budget." in text and "<strong>budget</strong>" in html
    english = client.get(f"/dashboard/events/{event.id}/emails/confirmation?locale=en")
    assert "Hello Camille Exemple," in preview_of(english.get_data(as_text=True))[1]


# --- messages to participants --------------------------------------------------------------------


def messages_url(event) -> str:
    return f"/dashboard/events/{event.id}/messages"


def compose(client, event, page=None, **fields):
    """Post the message form's preview step (with the fields of ``page``'s form, if any)."""
    data = {"to": "confirmed", "subject": "Plan d'accès", "body": "Le **plan** est joint."}
    data.update(fields)
    token = csrf_token(client, page or messages_url(event))
    return client.post(messages_url(event), data={"csrf_token": token, **data})


def send_from_preview(client, event, preview_html: str):
    """Press « Envoyer » on the preview page: its hidden fields posted again."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', preview_html))
    fields = {name: unescape(value) for name, value in fields.items()}
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', preview_html).group(1)
    return client.post(messages_url(event), data={**fields, "csrf_token": token, "step": "send"})


def test_a_message_to_the_filter_reaches_exactly_that_filter(app, smtp_server):
    event = new_event()
    other = new_event(slug="autre")
    participant(event, 1, last="Durand")
    participant(event, 2, last="Martin")
    participant(event, 3, last="Durand", organisation="")
    gone = participant(event, 4, last="Durand")
    gone.status = RegistrationStatus.CANCELLED
    participant(other, 5, last="Durand")
    db.session.commit()
    client = organiser_of(app, event)
    listing = client.get(f"/dashboard/events/{event.id}/registrations?q=durand&status=confirmed")
    link = re.search(r'href="([^"]*/messages\?[^"]*)">Écrire à ces personnes', listing.text)
    write_page = unescape(link.group(1))
    assert "to=filter" in write_page and "q=durand" in write_page
    form_page = client.get(write_page).get_data(as_text=True)
    assert "recherche « durand »" in form_page
    hidden = dict(re.findall(r'name="(filter_[a-z]+)" type="hidden" value="([^"]*)"', form_page))
    preview = compose(client, event, page=write_page, to="filter", **hidden)
    html = preview.get_data(as_text=True)
    assert "Ce message partira à 2 personnes" in html
    assert "confirmées, recherche « durand »" in html
    response = send_from_preview(client, event, html)
    assert response.status_code == 303
    deliver_once()
    reached = sorted(r for m in smtp_server.mailbox.messages for r in m.rcpt_tos)
    assert reached == ["personne1@example.org", "personne3@example.org"]
    [message] = db.session.scalars(select(Message)).all()
    assert (message.recipients, message.author_id) == (2, client.user.id)
    listing = client.get(messages_url(event)).get_data(as_text=True)
    assert "Plan d&#39;accès" in listing and "recherche « durand »" in listing


def test_the_message_preview_is_what_is_sent(app, smtp_server):
    event = new_event()
    camille = participant(event, 1, first="Camille", last="Exemple")
    client = organiser_of(app, event)
    html = compose(client, event, body=INJECTIONS).get_data(as_text=True)
    subject, text, shown_html = preview_of(html)
    assert subject == "Plan d'accès"
    assert_inert(shown_html)
    assert send_from_preview(client, event, html).status_code == 303
    deliver_once()
    [message] = received_by(smtp_server, "personne1@example.org")
    sent_text, sent_html = parts_of(message)
    sample = personal_url(notifications.sample_registration(event, "fr"))
    link = personal_url(camille)
    assert message["Subject"] == subject
    assert sent_text.replace(link, sample) == text
    assert sent_html.replace(link, sample) == shown_html
    assert_inert(sent_html)
    assert "le site (https://example.org/atelier)" in sent_text


def test_each_person_gets_what_eventsvc_writes_in_their_language(app, smtp_server):
    event = new_event()
    participant(event, 1, first="Léa")
    english = participant(event, 2, first="Ann")
    english.locale = "en"
    db.session.commit()
    client = organiser_of(app, event)
    html = compose(client, event, body="Salle **B12**.").get_data(as_text=True)
    send_from_preview(client, event, html)
    deliver_once()
    [french] = received_by(smtp_server, "personne1@example.org")
    [ann] = received_by(smtp_server, "personne2@example.org")
    french_text, ann_text = (parts_of(m)[0].replace("\r\n", "\n") for m in (french, ann))
    assert french_text.startswith("Bonjour Léa Durand,\n\nSalle B12.")
    assert ann_text.startswith("Hello Ann Durand,\n\nSalle B12.")
    assert "Your personal link" in parts_of(ann)[0]
    assert ann["Content-Language"] == "en"


def test_the_waiting_list_and_one_parts_attendees(app, smtp_server):
    event = new_event(capacity=2)
    parts = part_ids(event)
    participant(event, 1)  # full day: attends both parts
    participant(event, 2, full_day=False, part_ids=[parts["Après-midi"]])
    participant(event, 3)  # waiting list
    db.session.commit()
    client = organiser_of(app, event)
    html = compose(client, event, to="waitlisted").get_data(as_text=True)
    assert "Ce message partira à 1 personne : la liste d&#39;attente." in html
    send_from_preview(client, event, html)
    html = compose(client, event, to="part", part_id=str(parts["Matin"])).get_data(as_text=True)
    assert "qui viennent à « Matin" in html
    send_from_preview(client, event, html)
    deliver_once()
    reached = sorted(r for m in smtp_server.mailbox.messages for r in m.rcpt_tos)
    assert reached == ["personne1@example.org", "personne3@example.org"]


def test_nobody_to_write_to_and_a_changed_count_send_nothing(app, smtp_server):
    event = new_event()
    participant(event, 1)
    client = organiser_of(app, event)
    empty = compose(client, event, to="waitlisted").get_data(as_text=True)
    assert "Personne ne correspond à ce choix" in error_for(empty, "to")
    missing = compose(client, event, subject="", body="").get_data(as_text=True)
    assert error_for(missing, "subject") == "Donnez un objet au message."
    assert error_for(missing, "body") == "Écrivez le message."
    html = compose(client, event).get_data(as_text=True)
    participant(event, 2)  # signs up between the preview and the sending
    again = send_from_preview(client, event, html)
    assert again.status_code == 200
    assert "Le nombre de destinataires a changé" in again.get_data(as_text=True)
    assert "Ce message partira à 2 personnes" in again.get_data(as_text=True)
    assert db.session.scalars(select(Message)).all() == []
    deliver_once()
    assert smtp_server.mailbox.messages == []


def test_another_organisers_event_is_not_found(app):
    mine, theirs = new_event(), new_event(slug="autre")
    participant(theirs, 1)
    client = organiser_of(app, mine)
    for path in ("/messages", "/emails/confirmation", "/emails/invitation"):
        assert client.get(f"/dashboard/events/{theirs.id}{path}").status_code == 404
    token = csrf_token(client, messages_url(mine))
    response = client.post(
        messages_url(theirs),
        data={"csrf_token": token, "to": "confirmed", "subject": "x", "body": "y"},
    )
    assert response.status_code == 404
    assert db.session.scalars(select(Message)).all() == []


# --- the command line and the journal ------------------------------------------------------------


def test_the_command_asks_then_sends(app, runner, smtp_server, tmp_path):
    event = new_event()
    participant(event, 1)
    participant(event, 2, full_day=False, part_ids=[part_ids(event)["Après-midi"]])
    body = tmp_path / "message.md"
    body.write_text("Le **plan** : [ici](https://example.org/plan)", encoding="utf-8")
    args = ["messages", "send", "atelier", "--to", "confirmed", "--subject", "Plan d'accès"]
    args += ["--body-file", str(body)]
    refused = runner.invoke(args=args, input="n\n")
    assert refused.exit_code == 0, refused.output
    assert "2 personnes : les personnes confirmées." in refused.output
    assert "Rien n'a été envoyé." in refused.output
    assert db.session.scalars(select(Message)).all() == []

    morning = str(part_ids(event)["Matin"])
    sent = runner.invoke(args=[*args, "--part", morning], input="y\n")
    assert sent.exit_code == 0, sent.output
    assert "1 personne : les personnes confirmées qui viennent à « Matin" in sent.output
    assert "Message envoyé à 1 personne." in sent.output

    scripted = runner.invoke(args=[*args, "--yes"])
    assert "Message envoyé à 2 personnes." in scripted.output
    deliver_once()
    assert len(received_by(smtp_server, "personne1@example.org")) == 2
    assert len(received_by(smtp_server, "personne2@example.org")) == 1
    lines = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "message.sent"))
    assert [(line.actor_label, line.details["sent"]) for line in lines] == [
        (audit.COMMAND_LINE, 1),
        (audit.COMMAND_LINE, 2),
    ]
    assert runner.invoke(args=[*args[:2], "nulle-part", *args[3:], "--yes"]).exit_code != 0
    unknown_part = runner.invoke(args=[*args, "--part", "999999", "--yes"])
    assert "Cette partie n'existe pas" in unknown_part.output


def test_the_journal_says_what_was_sent(app):
    line = Line(
        "message.sent",
        {"subject": "Plan d'accès", "audience": "la liste d'attente", "sent": 3, "unsent": 0},
        "claire@example.org",
    )
    assert sentence(line, "fr", audit.ACTION_LABELS).render() == (
        "Message « Plan d'accès » envoyé à 3 personne(s) (la liste d'attente) ; 0 non "
        "envoyé(s), par claire@example.org"
    )
