"""The invitations domain's refusals."""

from __future__ import annotations

from ..common.errors import DomainError


class InvitationError(DomainError):
    """A refusal with a message for the organiser or the invitee."""
