import { timeZoneLabel } from '../lib/time-zones.js';
import type { Organization } from '../modules/organizations/organization.repository.js';

/** The portal's banner above every table: "All the information displayed in US - Central (CDT)". */
export function timeZoneBanner(org: Pick<Organization, 'timeZone'>, now: Date): string {
  return `All the information displayed in ${timeZoneLabel(org.timeZone, now)}`;
}

function calendarDay(at: Date, zone: string): string {
  // en-CA formats dates as YYYY-MM-DD, which compares as text.
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(at);
}

/**
 * A stored UTC timestamp as the Movius portal shows it in the organization's zone: "TODAY 02:18 PM"
 * for today, else "Mar 02, 2026 02:18 PM"; "-" when there is none.
 * @example formatInZone('2026-07-01T19:18:00.000Z', 'America/Chicago', now) // 'TODAY 02:18 PM' on that day
 */
export function formatInZone(timestamp: string | null, zone: string, now: Date): string {
  if (timestamp === null) return '-';
  const at = new Date(timestamp);
  const time = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: '2-digit', minute: '2-digit', hour12: true }).format(at);
  if (calendarDay(at, zone) === calendarDay(now, zone)) return `TODAY ${time}`;
  const day = new Intl.DateTimeFormat('en-US', { timeZone: zone, year: 'numeric', month: 'short', day: '2-digit' }).format(at);
  return `${day} ${time}`;
}
