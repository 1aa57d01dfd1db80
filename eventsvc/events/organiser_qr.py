"""The event's public link as a QR code, to download for posters and slides: a PNG of about
1,000 pixels at 300 dpi, and an SVG that scales without loss. Like every dashboard page, only the
event's organisers get them (another organiser's event id is a 404) and no cache keeps them."""

from __future__ import annotations

from flask_babel import gettext as _

from ..common import qr_codes
from ..links import external_url
from ..security import download
from ..web import OrganiserPages
from .lookups import organiser_event
from .models import Event

pages = OrganiserPages("events: QR codes")


def public_link(event: Event) -> str:
    return external_url("public.event_page", slug=event.slug)


@pages.route("/events/<int:event_id>/qr-code.png")
def public_qr_png(event_id: int):
    event = organiser_event(event_id)
    png = qr_codes.print_png(public_link(event))
    return download(png, mimetype="image/png", filename=f"qr-code-{event.slug}.png")


@pages.route("/events/<int:event_id>/qr-code.svg")
def public_qr_svg(event_id: int):
    event = organiser_event(event_id)
    title = _("QR code de la page publique : %(title)s", title=event.title)
    svg = qr_codes.svg(public_link(event), title=title)
    return download(svg, mimetype="image/svg+xml", filename=f"qr-code-{event.slug}.svg")
