"""The organiser's page to write to participants: compose (audience, subject, text), preview the
email exactly as it is sent with the number of people, then send; and the messages sent.

One URL, three steps posted by the form's buttons (``step``): ``preview`` shows the composed
email (for a sample person, in the chosen language) and how many people it goes to; ``send``
queues it, checking that number has not changed; ``edit`` goes back to the form. Registered on
the dashboard's blueprint by ``dashboard/__init__.py``."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from ..events.lookups import organiser_event
from ..events.models import Event
from ..mail.compose import as_received
from ..registrations.notifications import sample_registration
from ..web import OrganiserPages, actor, message_text, render, writes
from . import emails, operations, queries
from .forms import MessageForm

pages = OrganiserPages("messaging")

PREVIEW, SEND, EDIT = "preview", "send", "edit"
SHOWN_NAMES = 20


@pages.route("/events/<int:event_id>/messages", methods=["GET", "POST"])
def messages(event_id: int):
    event = organiser_event(event_id)
    form = MessageForm.for_event(event)
    step = request.form.get("step", PREVIEW)
    if request.method == "GET":
        if request.args.get("to") == "filter":
            form.to.data = "filter"
            form.carry_filter(request.args)
    elif form.validate_on_submit() and step != EDIT:
        audience = form.audience()
        if step == SEND:
            with writes(form) as write:
                sent = operations.send_message(
                    event,
                    audience,
                    form.subject.data,
                    form.body.data,
                    actor=actor(),
                    expected=form.expected_count(),
                )
            if not write.failed and sent.job is not None:
                return redirect(url_for(".job", job_id=sent.job.id), code=303)
            if not write.failed:
                flash(
                    ngettext(
                        "Message envoyé à %(num)d personne.",
                        "Message envoyé à %(num)d personnes.",
                        sent.message.recipients,
                    ),
                    "success",
                )
                return redirect(url_for(".messages", event_id=event.id), code=303)
        preview = _preview(event, form, audience)
        if preview is not None:
            return preview
    return render(
        "messages.html",
        event=event,
        form=form,
        sent=queries.sent(event),
        filter_words=operations.describe(
            event, queries.Audience(queries.FILTER, filters=form.filters())
        ),
    )


def _preview(event: Event, form: MessageForm, audience: queries.Audience):
    """The confirmation step, or None when the audience is refused (its message is next to the
    field) so that the form shows again."""
    try:
        operations.check_audience(event, audience)
    except operations.MessagingError as error:
        field = form[error.field or "to"]
        field.errors = [*field.errors, message_text(error.message)]
        return None
    people = queries.recipients(event, audience)
    if not people:
        form.to.errors = [
            *form.to.errors,
            _("Personne ne correspond à ce choix : choisissez d'autres destinataires."),
        ]
        return None
    form.expected.data = str(len(people))
    sample = sample_registration(event, form.preview_locale.data)
    received = as_received(emails.composed(event, sample, form.subject.data, form.body.data))
    return render(
        "message_preview.html",
        event=event,
        form=form,
        count=len(people),
        audience=operations.describe(event, audience),
        shown=people[:SHOWN_NAMES],
        received=received,
    )
