"""Invitations: an organiser's contacts and lists, personal invitations with a reply slip,
reminders, and the presence list (présents, excusés, représentés) for the minutes."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Wiring, from ``create_app``: an invited contact who signs up has replied yes; the delivery
    loop sends the automatic reminders every ``INVITATION_REMINDERS_EVERY`` seconds, and reads the
    calendar replies every ``INVITATION_REPLIES_EVERY`` seconds when IMAP is configured."""
    from .. import signals
    from ..mail import worker
    from . import emails, event_changes, mailbox, organiser_bodies, replies, sending

    signals.registration_created.connect(replies.registration_created)
    signals.registration_calendar_entry.connect(emails.calendar_entry_of)
    signals.event_rescheduled.connect(event_changes.announce_change)
    signals.event_cancelled.connect(event_changes.announce_cancellation)
    signals.checkin_panels.connect(organiser_bodies.quorum_panel)
    worker.add_periodic_job(app, sending.reminders_due, every="INVITATION_REMINDERS_EVERY")
    worker.add_periodic_job(
        app, mailbox.read_replies_if_configured, every="INVITATION_REPLIES_EVERY"
    )
