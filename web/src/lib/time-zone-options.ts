import { timeZoneLabel } from '../../../src/lib/time-zones.js';

export interface TimeZoneOption {
  value: string;
  label: string;
}

/** "UTC+09:00", "UTC-05:00" or "UTC+00:00" at `at` (every browser formats `longOffset` the same way). */
export function utcOffset(zone: string, at: Date): string {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  // Some engines print a zero offset as plain "GMT".
  return name === 'GMT' ? 'UTC+00:00' : name.replace(/^GMT/, 'UTC');
}

/**
 * Every IANA zone this browser knows, for a searchable select: the server's friendly name where
 * it has one, the IANA name and the current offset ("US - Central — America/Chicago (UTC-06:00)"),
 * friendly names first, then alphabetical. `current` is always included, even when the browser
 * does not list it (UTC, for one, is missing from some lists).
 * @example timeZoneOptions('America/Chicago', new Date('2026-01-15')).find((o) => o.value === 'Asia/Tokyo')?.label // 'Japan — Asia/Tokyo (UTC+09:00)'
 */
export function timeZoneOptions(current: string | null, now: Date, zones: readonly string[] = supportedZones()): TimeZoneOption[] {
  const all = new Set(zones);
  all.add('UTC');
  if (current) all.add(current);
  const options = [...all].map((zone) => {
    // The server's label is "<friendly name> (<abbreviation>)", or the zone itself when it has no friendly name.
    const friendly = timeZoneLabel(zone, now).replace(/ \([^)]*\)$/, '');
    const named = friendly !== zone;
    const offset = utcOffset(zone, now);
    return { value: zone, label: named ? `${friendly} — ${zone} (${offset})` : `${zone} (${offset})`, named };
  });
  options.sort((a, b) => Number(b.named) - Number(a.named) || a.label.localeCompare(b.label));
  return options.map(({ value, label }) => ({ value, label }));
}

function supportedZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: 'timeZone') => string[] };
  return intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : ['UTC'];
}
