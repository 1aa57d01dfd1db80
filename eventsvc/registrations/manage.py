"""Former home of the audited actions on registrations, now :mod:`registrations.operations_manage`
(and the 404 lookup :func:`registrations.lookups.organiser_registration`). These names stay
importable from here while the restructure (issue 14) is merged; new code imports the new
modules."""

from .lookups import organiser_registration as get_registration_or_404  # noqa: F401
from .operations_manage import (  # noqa: F401
    Identity,
    add_by_hand,
    cancel,
    cancel_by_participant,
    change_by_participant,
    confirm_from_waitlist,
    edit,
    sign_up,
)
