"""The participant's emails: text and HTML in their language, with the calendar when it applies.

Structure (RFC 6047, as Outlook, Gmail and Thunderbird expect an invitation)::

    multipart/mixed
      multipart/alternative
        text/plain
        multipart/related                (RFC 2387; only when the message carries a QR code)
          text/html                      (<img src="cid:..."> names the image below)
          image/png; Content-ID          (the personal link's QR code, shown inline)
        text/calendar; method=REQUEST|CANCEL
      application/ics; name=invite.ics   (the same calendar, for clients that only show files)
"""

from __future__ import annotations

from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import lru_cache

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..common import qr_codes
from ..database import utcnow
from . import headers, outbox


@dataclass(frozen=True)
class Kind:
    name: str
    subject: object  # lazy string with %(title)s
    headline: object
    template: str = "registration"  # templates/email/<template>.txt and .html


KINDS = {
    kind.name: kind
    for kind in (
        Kind(
            "confirmed",
            _l("Inscription confirmée : %(title)s"),
            _l("Votre inscription est confirmée."),
        ),
        Kind(
            "waitlisted",
            _l("Liste d'attente : %(title)s"),
            _l(
                "L'événement est complet : vous êtes sur liste d'attente, en position "
                "%(position)s. Nous vous écrirons si une place se libère."
            ),
        ),
        Kind(
            "promoted",
            _l("Une place s'est libérée : %(title)s"),
            _l("Une place s'est libérée : votre inscription est maintenant confirmée."),
        ),
        Kind(
            "changed",
            _l("Inscription modifiée : %(title)s"),
            _l("Vos changements sont enregistrés. Votre agenda est mis à jour avec ce message."),
        ),
        Kind(
            "days_dropped",
            _l("Mise à jour de votre agenda : %(title)s"),
            _l("Vous ne venez plus à ces dates : elles sont retirées de votre agenda."),
        ),
        Kind(
            "cancelled",
            _l("Inscription annulée : %(title)s"),
            _l("Votre inscription est annulée. Elle est retirée de votre agenda."),
        ),
        Kind(
            "already_registered",
            _l("Votre lien personnel : %(title)s"),
            _l(
                "Vous avez demandé à vous inscrire à nouveau : vous étiez déjà inscrit·e. Voici "
                "votre lien personnel pour voir, modifier ou annuler votre inscription."
            ),
        ),
        Kind(
            "resent",
            _l("Votre inscription et votre lien personnel : %(title)s"),
            _l(
                "Votre inscription est confirmée. À la demande de l'organisateur, voici à "
                "nouveau votre lien personnel."
            ),
        ),
        Kind(
            "resent_waitlisted",
            _l("Votre inscription et votre lien personnel : %(title)s"),
            _l(
                "Vous êtes sur liste d'attente, en position %(position)s. À la demande de "
                "l'organisateur, voici à nouveau votre lien personnel."
            ),
        ),
        Kind(
            "event_changed",
            _l("Changement d'horaire ou de lieu : %(title)s"),
            _l(
                "L'organisateur a modifié l'événement. Votre agenda est mis à jour avec ce "
                "message : vérifiez la date, l'heure et le lieu ci-dessous."
            ),
        ),
        Kind(
            "event_cancelled",
            _l("Événement annulé : %(title)s"),
            _l("L'organisateur a annulé l'événement. Il est retiré de votre agenda."),
        ),
        Kind(
            "reminder",
            _l("Rappel : %(title)s"),
            _l("Nous vous attendons bientôt. Voici un rappel des informations pratiques."),
            template="reminder",
        ),
        Kind(
            "pouvoir_lapsed",
            _l("Votre pouvoir est à redonner : %(title)s"),
            _l(
                "Le membre à qui vous aviez donné pouvoir sera lui aussi absent : votre pouvoir "
                "ne vaut plus. Choisissez un autre membre sur votre page de réponse."
            ),
            template="pouvoir_lapsed",
        ),
    )
}


@dataclass(frozen=True)
class Composed:
    message: EmailMessage
    calendar_method: str | None


def address(name: str, email: str) -> headers.Mailbox:
    """A recipient; its name is cleaned when the header is written (``mail.headers``)."""
    return headers.Mailbox(name or "", email)


def new_message(
    *, subject: str, to: headers.Mailbox, event, text: str, html: str, message_id: str | None = None
) -> EmailMessage:
    """The headers every email about an event carries, and its text and HTML bodies. Add any
    other part, then call :func:`finish`.

    Names and the subject go through :mod:`eventsvc.mail.headers` (7-bit, parsed back); the bodies
    are quoted-printable or base64, so that the message is 7-bit unless an address needs SMTPUTF8.
    """
    message = EmailMessage(policy=headers.SEVEN_BIT)
    sender = headers.parse_mailbox(current_app.config["MAIL_FROM"])
    headers.set_text(message, "Subject", subject)
    headers.set_address(message, "From", sender)
    headers.set_address(message, "To", to)
    if current_app.config.get("MAIL_REPLY_TO"):
        headers.set_address(
            message, "Reply-To", headers.parse_mailbox(current_app.config["MAIL_REPLY_TO"])
        )
    elif event.organiser_email:
        organiser = address(event.organiser_name, event.organiser_email)
        headers.set_address(message, "Reply-To", organiser)
    message["Date"] = format_datetime(utcnow())
    message["Message-ID"] = message_id or make_msgid(domain=headers.message_id_domain(sender.email))
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, subtype="plain", charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message


def to_person(person, event, template: str, subject, **values) -> EmailMessage:
    """An email to one person (a registration: ``display_name``, ``email``, ``locale``) in their
    language, its text and HTML from ``email/<template>.txt|html``; ``subject`` is a lazy
    string, translated in that language. Add any other part, then :func:`finish`."""
    with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        subject_text = str(subject)
        text = render_template(f"email/{template}.txt", event=event, **values)
        html = render_template(f"email/{template}.html", event=event, **values)
    return new_message(
        subject=subject_text,
        to=address(person.display_name, person.email),
        event=event,
        text=text,
        html=html,
    )


def new_message_id() -> str:
    """A Message-ID in the sender's domain, for a message composed later (a recipe's)."""
    return make_msgid(domain=headers.message_id_domain(_sender().email))


def sender_address() -> str:
    """The envelope sender (``MAIL_FROM``'s address)."""
    return _sender().email


def _sender() -> headers.Mailbox:
    return _parsed_sender(current_app.config["MAIL_FROM"])


@lru_cache(maxsize=8)
def _parsed_sender(value: str) -> headers.Mailbox:
    return headers.parse_mailbox(value)


def subject(kind: str, *, locale: str, title: str) -> str:
    """The subject of a message of ``kind`` about the event ``title``, as :func:`compose` writes
    it (before folding)."""
    with force_locale(locale):
        return headers.clean(str(KINDS[kind].subject) % {"title": title}, headers.SUBJECT_LIMIT)


def content_id() -> str:
    """A new Content-ID, ``<...@domain>`` of the sender like the Message-ID; the HTML names it
    ``cid:`` followed by the part between the angle brackets (RFC 2392)."""
    sender = headers.parse_mailbox(current_app.config["MAIL_FROM"])
    return make_msgid(domain=headers.message_id_domain(sender.email))


def add_inline_image(message: EmailMessage, png: bytes, *, cid: str, filename: str) -> None:
    """Show a PNG inside the HTML part: the HTML becomes a multipart/related with the image,
    base64 encoded (7-bit, as strict relays want)."""
    html = message.get_body(("html",))
    html.add_related(
        png, maintype="image", subtype="png", cid=cid, disposition="inline", filename=filename
    )


def finish(message: EmailMessage, locale: str) -> EmailMessage:
    """Headers that must come last: setting a body or adding an attachment moves or drops the
    message's ``Content-*`` headers."""
    message["Content-Language"] = locale
    return message


def compose(
    kind: str,
    *,
    to_name: str,
    to_email: str,
    locale: str,
    context: dict,
    calendar: bytes | None = None,
    calendar_method: str | None = None,
    qr_text: str | None = None,
    message_id: str | None = None,
) -> Composed:
    """``qr_text``: what to show as a QR code in the HTML (the participant's check-in code, to
    present at the welcome desk). ``message_id``: the one given when it was queued (a recipe);
    a new one otherwise."""
    spec = KINDS[kind]
    cid = content_id() if qr_text else None
    with force_locale(locale):
        subject = str(spec.subject) % {"title": context["event"].title}
        headline = str(spec.headline) % {"position": context.get("position") or ""}
        qr_cid = cid.strip("<>") if cid else None  # the HTML says cid:<this>
        values = dict(
            context, kind=kind, headline=headline, locale=locale, qr_cid=qr_cid, qr_text=qr_text
        )
        text = render_template(f"email/{spec.template}.txt", **values)
        html = render_template(f"email/{spec.template}.html", **values)

    message = new_message(
        subject=subject,
        to=address(to_name, to_email),
        event=context["event"],
        text=text,
        html=html,
        message_id=message_id,
    )
    if qr_text:
        add_inline_image(message, qr_codes.png(qr_text), cid=cid, filename="qr-code.png")
    if calendar is not None:
        message.add_alternative(
            calendar,
            maintype="text",
            subtype="calendar",
            params={"method": calendar_method, "charset": "UTF-8"},
        )
        message.add_attachment(
            calendar, maintype="application", subtype="ics", filename="invite.ics"
        )
    return Composed(finish(message, locale), calendar_method)


@dataclass(frozen=True)
class Received:
    """What a person's mail program shows of a message: for the organiser's previews."""

    subject: str
    to: str
    text: str
    html: str


def as_received(message: EmailMessage) -> Received:
    """The message serialised as it is queued and parsed back, as a mail program reads it: the
    preview shows exactly what is sent."""
    parsed = message_from_bytes(outbox.serialise(message), policy=policy.default)
    text = parsed.get_body(("plain",))
    html = parsed.get_body(("html",))
    return Received(
        subject=str(parsed["Subject"]),
        to=str(parsed["To"]),
        text=text.get_content() if text is not None else "",
        html=html.get_content() if html is not None else "",
    )
