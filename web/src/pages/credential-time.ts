/** Offset of `timeZone` from UTC at `date`, in milliseconds. */
function zoneOffset(date: Date, timeZone: string): number {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-US', {
    timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
  }).formatToParts(date).map((p) => [p.type, p.value]));
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return local - Math.floor(date.getTime() / 1000) * 1000;
}

/**
 * A wall-clock time in `timeZone` (YYYY-MM-DDTHH:mm, as a datetime-local input gives it; seconds
 * optional) as an ISO instant, or null when it is not such a time.
 * @example wallTimeToInstant('2026-11-26T09:00', 'America/Chicago') // '2026-11-26T15:00:00.000Z'
 */
export function wallTimeToInstant(local: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!match) return null;
  const [y, mo, d, h, mi, s] = match.slice(1).map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const first = wall - zoneOffset(new Date(wall), timeZone);
  return new Date(wall - zoneOffset(new Date(first), timeZone)).toISOString();
}

/** The end (23:59:59) of calendar day `day` (YYYY-MM-DD) in `timeZone`, as an ISO instant. */
export function endOfDayIn(day: string, timeZone: string): string {
  return wallTimeToInstant(`${day}T23:59:59`, timeZone)!;
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
