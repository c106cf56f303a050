import { nextDay, startOfDayIn } from '../lib/zoned-day.js';

/** Offset of `timeZone` from UTC at `date`, in milliseconds. */
function zoneOffset(date: Date, timeZone: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(date).map((p) => [p.type, p.value]));
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return local - Math.floor(date.getTime() / 1000) * 1000;
}

const DAY_MS = 86_400_000;

/**
 * A wall-clock time in `timeZone` (YYYY-MM-DDTHH:mm, as a datetime-local input gives it; seconds
 * optional) as an ISO instant, or null when it is not such a time. Around a daylight-saving
 * switch it does what the clocks do (as Temporal's "compatible" choice): a time that occurs twice
 * (the hour repeated in autumn) is its first occurrence, and a time that never occurs (the hour
 * skipped in spring, or midnight where the clocks jump at midnight) is moved forward by the
 * jump, so 02:30 on a night that goes from 02:00 to 03:00 is 03:30.
 * @example wallTimeToInstant('2026-11-26T09:00', 'America/Chicago') // '2026-11-26T15:00:00.000Z'
 */
export function wallTimeToInstant(local: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const wall = new Date(0).setUTCFullYear(y, mo - 1, d) + ((h * 60 + mi) * 60 + s) * 1000;
  // The zone's offsets within a day either side; an instant whose local time is `wall` is wall - offset.
  const before = zoneOffset(new Date(wall - DAY_MS), timeZone);
  const offsets = [before, zoneOffset(new Date(wall), timeZone), zoneOffset(new Date(wall + DAY_MS), timeZone)];
  const instants = offsets.map((offset) => wall - offset).filter((t) => t + zoneOffset(new Date(t), timeZone) === wall);
  // None: the time falls in a skipped hour; read with the offset from before the jump, it lands after it.
  return new Date(instants.length > 0 ? Math.min(...instants) : wall - before).toISOString();
}

/**
 * The end of calendar day `day` (YYYY-MM-DD) in `timeZone`, as an ISO instant: its last second,
 * one second before the next day starts, so a day whose 23:00 hour repeats (America/Santiago in
 * April) ends after the second one.
 * @example endOfDayIn('2026-11-26', 'America/Chicago') // '2026-11-27T05:59:59.000Z'
 */
export function endOfDayIn(day: string, timeZone: string): string {
  return new Date(Date.parse(startOfDayIn(nextDay(day), timeZone)) - 1000).toISOString();
}

/**
 * `date` as a wall-clock time in `timeZone`, in the YYYY-MM-DDTHH:mm form of a datetime-local input.
 * @example wallTimeIn(new Date('2026-11-26T15:00:00Z'), 'America/Chicago') // '2026-11-26T09:00'
 */
export function wallTimeIn(date: Date, timeZone: string): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  }).formatToParts(date).map((part) => [part.type, part.value]));
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}
