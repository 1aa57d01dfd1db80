"""Former home of the organiser's view of an event's registrations, now
:mod:`registrations.queries`. These names stay importable from here while the restructure
(issue 14) is merged; new code imports ``queries``."""

from .queries import (  # noqa: F401
    FULL,
    PARTIAL,
    SORTS,
    STATUSES,
    Counts,
    Filters,
    Page,
    counts,
    iterate,
    page,
    query,
    status_counts,
)
