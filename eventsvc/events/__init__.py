"""Events, their parts and extra questions."""
