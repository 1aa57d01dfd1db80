"""Personal data: how long it is kept, and erasing it (retention purge, a participant's request)."""
