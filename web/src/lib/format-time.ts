/** Calendar day of `date` in `timeZone`, as YYYY-MM-DD (en-CA formats dates that way). */
function dayIn(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/**
 * A sign-in time as the Movius portal shows it, in the organization's time zone:
 * "TODAY 02:18 PM", "YESTERDAY 09:05 AM", or "NOV 25, 2026 02:18 PM"; "" for never.
 * @example formatSignIn('2026-11-25T20:18:00Z', 'America/Chicago', new Date('2026-11-25T22:00:00Z')) // 'TODAY 02:18 PM'
 */
export function formatSignIn(iso: string | null | undefined, timeZone: string, now: Date = new Date()): string {
  if (!iso) return '';
  const date = new Date(iso);
  const time = new Intl.DateTimeFormat('en-US', { timeZone, hour: '2-digit', minute: '2-digit', hour12: true }).format(date);
  const day = dayIn(date, timeZone);
  if (day === dayIn(now, timeZone)) return `TODAY ${time}`;
  if (day === dayIn(new Date(now.getTime() - 86_400_000), timeZone)) return `YESTERDAY ${time}`;
  const calendar = new Intl.DateTimeFormat('en-US', { timeZone, month: 'short', day: 'numeric', year: 'numeric' }).format(date);
  return `${calendar.toUpperCase()} ${time}`;
}
