/**
 * `since` and `until` of the audit log: RFC 3339 date-times compared with `created_at`, which is
 * stored as text in one fixed form (`Date.prototype.toISOString`: 4-digit year, milliseconds, Z).
 * A bound is turned into that same form, so a text comparison is a time comparison on SQLite and
 * PostgreSQL alike and the (organization_id, created_at, id) index serves the range.
 */

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;
const FIRST = '0000-01-01T00:00:00.000Z';
const LAST = '9999-12-31T23:59:59.999Z';
const FIRST_MS = Date.parse(FIRST);
const LAST_MS = Date.parse(LAST);

/** An instant with more precision than the stored milliseconds: `ms` plus `rest`, the digits after the third. */
export interface Instant {
  ms: number;
  rest: string;
}

/**
 * An RFC 3339 date-time as an instant, or null when it is not one (wrong form, no offset, day 31
 * of a 30-day month, hour 24). A leap second (`23:59:60`) counts as the first instant of the next
 * minute, as POSIX time does.
 * @example parseDateTime('2026-11-25T08:00:00-06:00') // { ms: Date.parse('2026-11-25T14:00:00Z'), rest: '' }
 */
export function parseDateTime(text: string): Instant | null {
  const m = RFC3339.exec(text);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const fraction = m[7] ?? '';
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(2000, month, 0)).getUTCDate() || hour > 23 || minute > 59 || second > 60) return null;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return null;
  const offsetHours = m[10] === undefined ? 0 : Number(m[10]);
  const offsetMinutes = m[11] === undefined ? 0 : Number(m[11]);
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // Date.UTC would read years 0-99 as 1900-1999.
  date.setUTCHours(hour, minute, second, Number(fraction.slice(0, 3).padEnd(3, '0')));
  const sign = m[9] === '-' ? -1 : 1;
  return { ms: date.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000, rest: fraction.slice(3).replace(/0+$/, '') };
}

/** -1, 0 or 1 as `a` is before, at or after `b`. */
export function compareInstants(a: Instant, b: Instant): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  const width = Math.max(a.rest.length, b.rest.length);
  const [x, y] = [a.rest.padEnd(width, '0'), b.rest.padEnd(width, '0')];
  return x === y ? 0 : x < y ? -1 : 1;
}

/**
 * The stored-form text `t` such that, for every stored `created_at`, `created_at >= t` exactly when
 * the event is at or after `instant` (and so `created_at < t` exactly when it is before it):
 * digits past the millisecond round up, and instants outside years 0000-9999 are clamped (no
 * event is stored there; `null` means after every possible event).
 * @example storedBound({ ms: Date.parse('2026-11-25T14:00:00.000Z'), rest: '5' }) // '2026-11-25T14:00:00.001Z'
 */
export function storedBound(instant: Instant): string | null {
  const ms = instant.ms + (instant.rest === '' ? 0 : 1);
  if (ms <= FIRST_MS) return FIRST;
  if (ms > LAST_MS) return null;
  return new Date(ms).toISOString();
}
