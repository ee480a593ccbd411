// Occurrences of every VEVENT as ical.js (Thunderbird's iCalendar library) expands them.
// Usage: node icaljs_instants.mjs <path of ical.js>  < {"calendars": [ics, ...], "start": iso, "end": iso}
// Prints, per calendar, {uid: [[start, end], ...]}: UTC times as ISO 8601 with Z, dates as YYYY-MM-DD.
// Each calendar's VTIMEZONEs are registered and read as written (the zone database is not used).
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const ICAL = (await import(pathToFileURL(process.argv[2]).href)).default;
const request = JSON.parse(readFileSync(0, "utf8"));
const windowEnd = Date.parse(request.end);
const LIMIT = 5000; // occurrences walked per event

function shown(time) {
  if (time.isDate) return time.toString().slice(0, 10);
  if (time.zone === ICAL.Timezone.localTimezone) throw new Error(`a floating time: ${time}`);
  return time.toJSDate().toISOString().replace(".000Z", "Z");
}

function before(time) {
  if (time.isDate) return time.toString().slice(0, 10) < request.end.slice(0, 10);
  return time.toJSDate().getTime() < windowEnd;
}

const results = [];
for (const text of request.calendars) {
  ICAL.TimezoneService.reset();
  const calendar = new ICAL.Component(ICAL.parse(text));
  for (const zone of calendar.getAllSubcomponents("vtimezone")) {
    ICAL.TimezoneService.register(new ICAL.Timezone(zone));
  }
  const found = {};
  for (const component of calendar.getAllSubcomponents("vevent")) {
    const event = new ICAL.Event(component);
    const occurrences = [];
    if (!event.isRecurring()) {
      // as Thunderbird reads a single event: its DTSTART and DTEND (getOccurrenceDetails would add
      // their difference to the start on the clock, which is wrong across a change of offset)
      if (before(event.startDate)) occurrences.push([shown(event.startDate), shown(event.endDate)]);
      found[event.uid] = occurrences;
      continue;
    }
    const iterator = event.iterator();
    for (let n = 0, next; n < LIMIT && (next = iterator.next()); n++) {
      const details = event.getOccurrenceDetails(next);
      if (!before(details.startDate)) break;
      occurrences.push([shown(details.startDate), shown(details.endDate)]);
    }
    found[event.uid] = occurrences;
  }
  results.push(found);
}
process.stdout.write(JSON.stringify(results));
