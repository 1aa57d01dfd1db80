"""The day itself: check-in per part, sign-in sheets (feuilles d'émargement), certificates."""
