"""Messages from the organiser to the people signed up to an event: the audience (all confirmed,
the waiting list, one part's attendees, the registrations page's filter), the email around the
organiser's text, the sending through the outbox and the list of what was sent."""
