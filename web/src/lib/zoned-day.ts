/** Calendar days in a time zone, for filters by date ("From 2026-11-25 To 2026-11-26" in the organization's zone). */

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Calendar day of `date` in `timeZone`, as YYYY-MM-DD. */
export function dayIn(date: Date, timeZone: string): string {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' })
    .formatToParts(date).map((part) => [part.type, part.value]));
  return `${p.year!.padStart(4, '0')}-${p.month}-${p.day}`;
}

/** Midnight UTC of a calendar day; days past the month's end roll over (setUTCFullYear, not Date.UTC, which reads years 0-99 as 19xx). */
function utcDay(y: number, m: number, d: number): Date {
  const date = new Date(0);
  date.setUTCFullYear(y, m - 1, d);
  return date;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Whether `day` is a real YYYY-MM-DD calendar day (what a date input gives when complete). */
export function isDay(day: string): boolean {
  const m = DAY.exec(day);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = utcDay(y, mo, d);
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

/**
 * The day after `day` (YYYY-MM-DD).
 * @example nextDay('2026-12-31') // '2027-01-01'
 */
export function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const date = utcDay(y, m, d + 1);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/**
 * The first instant of calendar day `day` in `timeZone`, as an ISO instant: the earliest time
 * whose local date is that day. Where the clocks jump at midnight (America/Santiago in September:
 * 00:00 becomes 01:00) that is the jump, not an hour of the day before.
 * @example startOfDayIn('2026-11-25', 'America/Chicago') // '2026-11-25T06:00:00.000Z'
 */
export function startOfDayIn(day: string, timeZone: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const midnight = utcDay(y, m, d);
  // Local midnight is within UTC-12..UTC+14 of UTC midnight: search that window, to the second.
  let lo = Math.floor(midnight.getTime() / 1000) - 15 * 3600; // local time there is still the day before
  let hi = Math.floor(midnight.getTime() / 1000) + 13 * 3600; // and there already `day`
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (dayIn(new Date(mid * 1000), timeZone) >= day) hi = mid;
    else lo = mid;
  }
  return new Date(hi * 1000).toISOString();
}

/**
 * `since` (inclusive) and `until` (exclusive) for the days From..To (both included) in `timeZone`;
 * an empty or invalid day leaves its side open. `until` is the start of the day after To.
 * @example dayRangeIn('2026-11-25', '2026-11-25', 'America/Chicago') // { since: '2026-11-25T06:00:00.000Z', until: '2026-11-26T06:00:00.000Z' }
 */
export function dayRangeIn(from: string, to: string, timeZone: string): { since?: string; until?: string } {
  return {
    ...(isDay(from) ? { since: startOfDayIn(from, timeZone) } : {}),
    ...(isDay(to) ? { until: startOfDayIn(nextDay(to), timeZone) } : {}),
  };
}
