"""The audit log: who changed what, when, on which event or registration."""
