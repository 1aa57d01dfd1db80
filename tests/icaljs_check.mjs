// Parse an iCalendar file from stdin with ical.js (Mozilla's parser) and print what it read as
// JSON, so the Python tests compare it with what they expect.
import ICAL from "ical.js";

let text = "";
for await (const chunk of process.stdin) text += chunk;
const calendar = new ICAL.Component(ICAL.parse(text));
// Use the file's own VTIMEZONE to place times, which checks it as well.
for (const vtimezone of calendar.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtimezone));
}
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const attendee = vevent.getFirstProperty("attendee");
  const organizer = vevent.getFirstProperty("organizer");
  return {
    uid: event.uid,
    sequence: event.sequence,
    summary: event.summary,
    location: event.location,
    description: event.description,
    status: vevent.getFirstPropertyValue("status"),
    start: event.startDate.toString(),
    end: event.endDate.toString(),
    tzid: event.startDate.zone && event.startDate.zone.tzid,
    startUtc: event.startDate.toUnixTime(),
    organizer: organizer && organizer.getFirstValue(),
    organizerCn: organizer && organizer.getParameter("cn"),
    attendee: attendee && attendee.getFirstValue(),
    attendeeParams: attendee && {
      cn: attendee.getParameter("cn"),
      role: attendee.getParameter("role"),
      partstat: attendee.getParameter("partstat"),
      rsvp: attendee.getParameter("rsvp"),
    },
  };
});
process.stdout.write(JSON.stringify({
  method: calendar.getFirstPropertyValue("method"),
  version: calendar.getFirstPropertyValue("version"),
  timezones: calendar.getAllSubcomponents("vtimezone").map((tz) => tz.getFirstPropertyValue("tzid")),
  events,
}));
