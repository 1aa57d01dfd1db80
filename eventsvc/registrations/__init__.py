"""Sign-ups: the public form, the personal link, capacity and the waiting list."""
