"""Invitations: an organiser's contacts and lists, personal invitations with a reply slip,
reminders, and the presence list (présents, excusés, représentés) for the minutes."""
