"""Signing on one's own phone (issue 17): the public pages /emargement (type the part's code),
/emargement/<code> (find oneself by email: a short-lived link is sent, the same answer whether
or not the address is registered) and /emargement/<code>/s/<token> (the pad), whose JSON post
records the signature and the check-in through ``attendance.own_device``."""

from __future__ import annotations

from flask import abort, current_app, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..attendance import own_device, rules_proof, signing
from ..extensions import limiter, personal_link_limit
from ..links import external_url
from ..security import no_store
from ..web import writes
from .public import bp

MAX_BODY = 200_000  # bytes, as at the desk


def _limit():
    """The sign-ups' budget per client address: an email typed here sends a message too."""
    return limiter.shared_limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], scope="signup")


def _part(code: str):
    part = own_device.part_by_code(code)
    if part is None:
        abort(404)
    return part


def sign_url(registration, part) -> str:
    """The link that signs for this person and part (emailed, or the personal page's button)."""
    return external_url(
        "public.own_sign_pad",
        code=own_device.code_of(part),
        token=own_device.link_token(registration, part),
    )


def _page(part, status=200, **values):
    opens, closes = own_device.window_of(part)
    return (
        render_template(
            "public/own_sign.html",
            part=part,
            event=part.event,
            code=own_device.code_of(part),
            opens=opens,
            closes=closes,
            moment=own_device.moment_of(part),
            **values,
        ),
        status,
    )


@bp.get("/emargement")
@personal_link_limit()  # codes and links are not to be guessed
@no_store
def own_sign_start():
    """Type the code shown at the door."""
    typed = request.args.get("code", "")
    if typed:
        part = own_device.part_by_code(typed)
        if part is not None:
            return redirect(url_for("public.own_sign", code=own_device.code_of(part)))
    return render_template("public/own_sign_start.html", typed=typed, unknown=bool(typed))


@bp.get("/emargement/<code>")
@personal_link_limit()  # codes and links are not to be guessed
@no_store
def own_sign(code: str):
    return _page(_part(code))


@bp.post("/emargement/<code>")
@_limit()
@no_store
def own_sign_email(code: str):
    """Whether or not the address is a confirmed registration of the part, the same answer."""
    part = _part(code)
    if own_device.moment_of(part) != "open":
        return _page(part)
    email = request.form.get("email", "")[:320]
    registration = own_device.by_email(part, email)
    with writes() as write:
        if registration is not None:
            own_device.send_link(registration, part, sign_url(registration, part))
    return _page(part, sent=not write.failed)


@bp.get("/emargement/<code>/s/<token>")
@personal_link_limit()  # codes and links are not to be guessed
@no_store
def own_sign_pad(code: str, token: str):
    part = _part(code)
    registration = own_device.registration_of_token(token, part)
    if registration is None:
        return _page(part, status=403, bad_link=True)
    signed = part.id in signing.signed_part_ids(registration)
    return _page(part, registration=registration, token=token, signed=signed)


@bp.post("/emargement/<code>/s/<token>/sign.json")
@personal_link_limit()  # codes and links are not to be guessed
@no_store
def own_sign_json(code: str, token: str):
    """{"strokes", "duration_ms"} → the person's signature and check-in."""
    part = _part(code)
    registration = own_device.registration_of_token(token, part)
    if registration is None:
        return jsonify(ok=False, error=_("Ce lien a expiré ou n'est pas valable.")), 403
    data = request.get_json(silent=True) if (request.content_length or 0) <= MAX_BODY else None
    if not isinstance(data, dict):
        return jsonify(ok=False, error=_("La signature n'a pas pu être lue.")), 400
    try:
        strokes = rules_proof.clean_strokes(data.get("strokes"))
    except rules_proof.StrokesError:
        return jsonify(ok=False, error=_("La signature est vide ou illisible.")), 400
    with writes(flash_error=False) as write:
        own_device.sign(
            registration,
            part,
            strokes,
            duration_ms=rules_proof.clean_duration(data.get("duration_ms")),
            client_address=request.remote_addr or "",
            user_agent=request.user_agent.string or "",
        )
    if write.failed:
        error = write.error
        if isinstance(error, own_device.OutsideWindow):
            message = _("La signature de cette partie n'est pas ouverte en ce moment.")
        else:
            message = _("Votre inscription ne permet pas de signer pour cette partie.")
        return jsonify(ok=False, error=message), 409
    return jsonify(
        ok=True,
        message=_(
            "Merci %(name)s : votre signature est enregistrée — %(part)s",
            name=registration.display_name,
            part=part.label,
        ),
    )
