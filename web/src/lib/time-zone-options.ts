import { timeZoneLabel } from '../../../src/lib/time-zones';

export interface TimeZoneOption {
  value: string;
  label: string;
}

/**
 * Every IANA zone this browser knows, labelled as the server labels them ("US - Central (CDT) —
 * America/Chicago"), friendly names first, then alphabetical. `current` is always included,
 * even when the browser does not list it (UTC, for one, is missing from some lists).
 * @example timeZoneOptions('America/Chicago', new Date()).find((o) => o.value === 'Asia/Tokyo')?.label // 'Japan (JST) — Asia/Tokyo'
 */
export function timeZoneOptions(current: string | null, now: Date, zones: readonly string[] = supportedZones()): TimeZoneOption[] {
  const all = new Set(zones);
  all.add('UTC');
  if (current) all.add(current);
  const options = [...all].map((zone) => {
    const label = timeZoneLabel(zone, now);
    const friendly = !label.startsWith(`${zone} (`);
    return { value: zone, label: friendly && zone !== 'UTC' ? `${label} — ${zone}` : label, friendly };
  });
  options.sort((a, b) => Number(b.friendly) - Number(a.friendly) || a.label.localeCompare(b.label));
  return options.map(({ value, label }) => ({ value, label }));
}

function supportedZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: 'timeZone') => string[] };
  return intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : ['UTC'];
}
