"""The sign-up form of the embed (``/e/<slug>/embed``): the public form, whose CSRF token is signed
rather than kept in the session.

In a frame on another site the browser sends no session cookie (``SameSite=Lax``), so Flask-WTF's
token, which lives in the session, could never match. This form's token is instead an
``itsdangerous`` signature, under the app's secret key, of the form's purpose (the salt) and of
the event's id, with its date: valid for ``EMBED_FORM_MAX_AGE`` seconds, for that event's
sign-up only. A bad one (expired, another event's, altered, missing) is an error of the form,
which comes back filled in with a new token and a message, never a 400 or a 500.

What it still protects against: a page of another site making a visitor's browser post to the
form unnoticed needs a token, and cannot read one from our pages (same-origin policy). It does not
stop a robot that fetches the page first, no more than the session's token would: the sign-up
asks no account, and the honeypot and the rate limit are there for robots.
"""

from __future__ import annotations

from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from wtforms import ValidationError
from wtforms.csrf.core import CSRF

from ..events.models import Event
from ..registrations.forms import SignupForm
from .signup_form import signup_form_class

PURPOSE = "eventsvc.embed-signup"

EXPIRED = _l(
    "La page est restée ouverte trop longtemps : vérifiez vos réponses, puis envoyez à nouveau "
    "le formulaire."
)
NOT_VERIFIED = _l(
    "Le formulaire n'a pas pu être vérifié : vérifiez vos réponses, puis envoyez-le à nouveau."
)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=PURPOSE)


def form_token(event_id: int) -> str:
    """The token of the embedded form of this event, dated now."""
    return _serializer().dumps({"event": event_id})


def check_form_token(token: str | None, event_id: int, max_age: int | None = None) -> None:
    """Nothing if ``token`` is one of :func:`form_token` for this event, still valid; otherwise
    :class:`ValidationError` with the message to show above the form."""
    if max_age is None:
        max_age = int(current_app.config["EMBED_FORM_MAX_AGE"])
    try:
        signed = _serializer().loads(token or "", max_age=max_age)
    except SignatureExpired:
        raise ValidationError(EXPIRED) from None
    except BadData:
        raise ValidationError(NOT_VERIFIED) from None
    if not isinstance(signed, dict) or signed.get("event") != event_id:
        raise ValidationError(NOT_VERIFIED)


class SignedToken(CSRF):
    """WTForms' CSRF interface over :func:`form_token`; the event comes from the form's meta
    (``csrf_context``, given by :func:`embedded_signup_form`), since fields are processed before
    :meth:`SignupForm.bound_to` sets ``form.event``."""

    def setup_form(self, form):
        self.event_id = form.meta.csrf_context
        return super().setup_form(form)

    def generate_csrf_token(self, csrf_token_field) -> str:
        return form_token(self.event_id)

    def validate_csrf_token(self, form, field) -> None:
        check_form_token(field.data, self.event_id)


class _SignedMeta:
    csrf_class = SignedToken


def embedded_signup_form(event: Event, **kwargs) -> SignupForm:
    """The form of ``/e/<slug>`` (same fields, questions and declaration), with the signed token."""
    form_class = _signed(signup_form_class(event))
    meta = {**kwargs.pop("meta", {}), "csrf_context": event.id}
    return form_class.bound_to(event, meta=meta, **kwargs)


@lru_cache(maxsize=256)
def _signed(form_class: type[SignupForm]) -> type[SignupForm]:
    """One signed class per class of the public form."""
    return type(
        f"Embedded{form_class.__name__}",
        (form_class,),
        {"Meta": _SignedMeta, "token_says_why": True},
    )
