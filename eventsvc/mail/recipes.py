"""Messages queued as a recipe, composed by the worker when it delivers them.

A recipe is a small JSON record of what to send (which registration, which message, the calendar
SEQUENCE and days it is about...): queuing it costs one insert, where composing the message (the
templates, the calendar, MIME and header folding) costs milliseconds the sign-up would spend
holding its event's lock. The outbox row keeps the recipe and no body; the worker composes the
message after claiming it, sends it, and never stores it (no personal link at rest).

This package knows nothing of registrations: the domain that queues a recipe registers, at wiring
time, the function that turns it into a message (``register("registration", compose)``). That
function returns None when there is nothing to send any more (the registration was erased): the
message is then marked dropped, never sent.
"""

from __future__ import annotations

from collections.abc import Callable
from email.message import EmailMessage

Composer = Callable[[dict], EmailMessage | None]

_composers: dict[str, Composer] = {}

# The recipe's field naming its composer.
NAME = "recipe"


class UnknownRecipe(LookupError):
    """No composer registered for this recipe (a domain not wired in this process)."""


def register(name: str, composer: Composer) -> None:
    """Have the worker compose recipes named ``name`` with ``composer`` (idempotent)."""
    _composers[name] = composer


def compose(recipe: dict) -> EmailMessage | None:
    """The message the recipe describes, or None when it is no longer to be sent."""
    try:
        composer = _composers[recipe[NAME]]
    except KeyError as error:
        raise UnknownRecipe(recipe.get(NAME)) from error
    return composer(recipe)
