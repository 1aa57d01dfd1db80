"""Durable outbox: every email is written in the transaction that causes it, then delivered.

This package knows nothing of events or registrations: it stores and delivers ready-made messages.
"""
