"""The sign-up form embedded in another site's page (``/e/<slug>/embed``) and its follow-up pages.

The event's page without the site's header and footer (``embedded`` in ``base.html``), framed
only by ``EMBED_ORIGINS`` (``embedding.py``). In a frame on another site the browser sends no
cookie, so nothing here uses the session: the form's token is signed (``embed_form.py``), no
message is flashed (each outcome has its own page), the language travels in the address
(``?lang=``), and the rate limit counts client addresses, with the page's form
(``signup.signup_limit``).

After a sign-up, the confirmation shows in the frame (``/r/<token>/embed``: short, with the
personal link to open in a tab), or, when the organiser chose so (``Event.embed_opens_new_tab``),
the form is sent to a new tab, where the personal page opens as after ``/e/<slug>``.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ..embedding import embeddable, language_args
from ..events import lookups
from ..events.models import Event
from ..extensions import csrf, personal_link_limit
from ..registrations import queries
from ..registrations.lookups import personal_registration
from ..security import no_store
from .embed_form import embedded_signup_form
from .public import bp
from .signup import invitation_only, render_event, sign_up_from, signup_limit


def _render_embed(event: Event, form, status: int = 200):
    # From the frame, the form goes to a new tab when the organiser chose so; once there (the
    # page of a POST), it stays in that tab.
    new_tab = event.embed_opens_new_tab and request.method == "GET"
    return render_event(
        event,
        form,
        status,
        form_action=url_for(".embed_submit", slug=event.slug, **language_args()),
        form_target="_blank" if new_tab else None,
    )


@bp.get("/e/<slug>/embed")
@embeddable
def embed(slug: str):
    event = lookups.public_event(slug)
    if event.invitation_only:
        return invitation_only(event)
    return _render_embed(event, embedded_signup_form(event))


@bp.post("/e/<slug>/embed")
@embeddable
@csrf.exempt  # the form's own signed token (embed_form.py): no session to check it against
@signup_limit()
def embed_submit(slug: str):
    event = lookups.public_event(slug)
    if event.invitation_only:
        return invitation_only(event), 403
    form = embedded_signup_form(event)
    if not form.validate_on_submit():
        return _render_embed(event, form)
    outcome = sign_up_from(event, form)
    if outcome.already:
        return redirect(url_for(".embed_already", slug=slug, **language_args()), code=303)
    if outcome.token is None:
        return _render_embed(event, form)
    if event.embed_opens_new_tab:
        return redirect(url_for(".personal", token=outcome.token, **language_args()), code=303)
    return redirect(
        url_for(".embed_confirmation", token=outcome.token, **language_args()), code=303
    )


@bp.get("/e/<slug>/embed/deja-inscrit")
@embeddable
def embed_already(slug: str):
    """The answer to a second sign-up with the same address: its own page, since a flashed
    message would need the session."""
    event = lookups.public_event(slug)
    return render_template("public/embed_done.html", event=event, registration=None)


@bp.get("/r/<token>/embed")
@embeddable
@personal_link_limit()
@no_store
def embed_confirmation(token: str):
    """The confirmation in the frame: the registration's status and the personal link, to open
    in a tab (the personal page's forms use the session, which the frame does not have)."""
    registration = personal_registration(token)
    return render_template(
        "public/embed_done.html",
        event=registration.event,
        registration=registration,
        position=queries.waitlist_position(registration),
        token=token,
    )
