"""Calendar invitations and the participant's emails, handed to the outbox."""
