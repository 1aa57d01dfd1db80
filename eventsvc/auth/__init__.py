"""Organiser accounts: login, logout, password change, and the ``users`` commands."""
