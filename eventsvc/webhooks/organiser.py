"""The organiser's webhook pages: their endpoints, a new one (its secret shown once), disable,
enable or delete one, an endpoint's recent deliveries and the replay of one. Thin: parse, one
operation inside ``writes()``, render or redirect. Another organiser's endpoint is a 404.

Registered on the dashboard blueprint by ``dashboard`` (``organiser_pages``)."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from ..web import OrganiserPages, actor, found, render, writes
from . import operations
from .forms import EVENT_TYPE_LABELS, ButtonForm, EndpointForm

pages = OrganiserPages("webhooks")


def _endpoint(endpoint_id: int):
    return found(operations.find_endpoint(actor(), endpoint_id))


@pages.route("/webhooks", methods=["GET"])
def webhooks():
    return render(
        "webhooks.html",
        endpoints=operations.endpoints_of(actor()),
        labels=EVENT_TYPE_LABELS,
        button=ButtonForm(),
    )


@pages.route("/webhooks/new", methods=["GET", "POST"])
def new_webhook():
    form = EndpointForm()
    if request.method == "GET":
        form.event_types.data = list(EVENT_TYPE_LABELS)
    if request.method == "POST" and form.validate_on_submit():
        with writes(form) as write:
            endpoint, secret = operations.add_endpoint(
                actor(), form.url.data, form.event_types.data, actor=actor()
            )
        if not write.failed:
            # Shown on this page only: never in a flash message, the session or a redirect.
            return render("webhook_secret.html", endpoint=endpoint, secret=secret)
    return render("webhook_form.html", form=form)


@pages.route("/webhooks/<int:endpoint_id>", methods=["GET"])
def webhook(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    return render(
        "webhook.html",
        endpoint=endpoint,
        deliveries=operations.recent_deliveries(endpoint),
        labels=EVENT_TYPE_LABELS,
        button=ButtonForm(),
    )


@pages.route("/webhooks/<int:endpoint_id>/active", methods=["POST"])
def toggle_webhook(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    if ButtonForm().validate_on_submit():
        with writes():
            operations.set_active(endpoint, not endpoint.active, actor=actor())
        flash(
            _("Point de réception activé.")
            if endpoint.active
            else _("Point de réception désactivé."),
            "success",
        )
    return redirect(url_for("dashboard.webhooks"), code=303)


@pages.route("/webhooks/<int:endpoint_id>/delete", methods=["POST"])
def delete_webhook(endpoint_id: int):
    endpoint = _endpoint(endpoint_id)
    if ButtonForm().validate_on_submit():
        with writes():
            operations.delete_endpoint(endpoint, actor=actor())
        flash(_("Point de réception supprimé."), "success")
    return redirect(url_for("dashboard.webhooks"), code=303)


@pages.route("/webhooks/<int:endpoint_id>/deliveries/<int:delivery_id>/replay", methods=["POST"])
def replay_webhook(endpoint_id: int, delivery_id: int):
    endpoint = _endpoint(endpoint_id)
    delivery = found(operations.find_delivery(endpoint, delivery_id))
    if ButtonForm().validate_on_submit():
        with writes():
            operations.replay(delivery, actor=actor())
        flash(_("Envoi remis dans la file : il part au prochain passage."), "success")
    return redirect(url_for("dashboard.webhook", endpoint_id=endpoint.id), code=303)
