"""The public sign-up form of an event: the registration's fields (``registrations.forms``) and,
when the event offers compensation, the travel and childcare declaration (``travel-*`` fields,
``compensation.forms``). Composed here, above both domains, so that registrations knows nothing
of compensation."""

from __future__ import annotations

from functools import lru_cache

from ..compensation import declarations
from ..compensation.declarations import DeclarationInput
from ..compensation.forms import declaration_field
from ..compensation.rules import PaidCosts
from ..events.models import Event
from ..registrations.forms import SignupForm


def signup_form(event: Event, **kwargs) -> SignupForm:
    """The form of ``/e/<slug>``: one field per extra question, and the declaration when the
    event offers compensation, asking only about the costs its scale pays."""
    return signup_form_class(event).bound_to(event, **kwargs)


def signup_form_class(event: Event) -> type[SignupForm]:
    """The class of :func:`signup_form` for this event (the embed derives its own from it)."""
    form_class = SignupForm.class_for(event)
    if event.compensation_offered:
        form_class = _with_declaration(form_class, declarations.paid_costs_of(event))
    return form_class


def declaration_input(form: SignupForm) -> DeclarationInput | None:
    """The declaration typed in this form; None when the form has no such section."""
    travel = getattr(form, "travel", None)
    return None if travel is None else travel.form.to_input()


@lru_cache(maxsize=256)
def _with_declaration(form_class: type[SignupForm], costs: PaidCosts | None) -> type[SignupForm]:
    """One class per set of questions and of paid costs, as ``registrations.forms`` builds them."""
    return type(
        f"Declared{form_class.__name__}", (form_class,), {"travel": declaration_field(costs)}
    )
