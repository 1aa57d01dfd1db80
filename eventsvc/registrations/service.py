"""Former home of the sign-up operations and reads, now :mod:`registrations.operations` and
:mod:`registrations.queries`. These names stay importable from here for the code written against
them while the restructure (issue 14) is merged; new code imports the new modules."""

from .operations import (  # noqa: F401
    AlreadyRegistered,
    ChangeCommand,
    ChangeResult,
    NoRoom,
    RegistrationCancelled,
    RegistrationClosed,
    RegistrationError,
    SignupCommand,
    SignupResult,
    announce_event_cancellation,
    announce_event_change,
    cancel,
    change,
    confirm_from_waitlist,
    promote_waitlisted,
    register,
    resend_personal_link,
)
from .queries import (  # noqa: F401
    confirmed_count,
    find_by_token,
    part_counts,
    part_places_left,
    places_left,
    waiting_list,
    waitlist_position,
)
