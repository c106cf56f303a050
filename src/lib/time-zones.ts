/**
 * Time-zone labels as the Movius portal shows them ("US - Central (CDT)"). Zones without a
 * friendly name fall back to the IANA name.
 */
const FRIENDLY: Record<string, string> = {
  'America/New_York': 'US - Eastern',
  'America/Chicago': 'US - Central',
  'America/Denver': 'US - Mountain',
  'America/Phoenix': 'US - Arizona',
  'America/Los_Angeles': 'US - Pacific',
  'America/Anchorage': 'US - Alaska',
  'Pacific/Honolulu': 'US - Hawaii',
  'Europe/London': 'UK - London',
  'Europe/Paris': 'Europe - Central',
  'Europe/Berlin': 'Europe - Central',
  'Asia/Kolkata': 'India',
  'Asia/Tokyo': 'Japan',
  'Australia/Sydney': 'Australia - Eastern',
  UTC: 'UTC',
};

/** @example isTimeZone('America/Chicago') // true */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

/**
 * CLDR gives each English locale short names only for its own zones: en-US says "GMT+1" where
 * en-GB says "BST", en-IN "IST", en-AU "AEST". Asked in turn, the first real abbreviation wins.
 */
const ABBREVIATION_LOCALES = ['en-US', 'en-GB', 'en-IN', 'en-AU'];

/** Building an Intl.DateTimeFormat costs tens of microseconds; each (locale, zone) is built once. */
const formatters = new Map<string, Intl.DateTimeFormat>();

function shortNameFormatter(locale: string, zone: string): Intl.DateTimeFormat {
  const key = `${locale} ${zone}`;
  let formatter = formatters.get(key);
  if (!formatter) formatters.set(key, (formatter = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' })));
  return formatter;
}

/** Short name of the zone at an instant: "CDT" in summer, "CST" in winter; "GMT+9" when none exists. */
export function zoneAbbreviation(zone: string, at: Date): string {
  let offsetName: string | undefined;
  for (const locale of ABBREVIATION_LOCALES) {
    const name = shortNameFormatter(locale, zone)
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName')?.value;
    if (name && !/^GMT[+-]/.test(name)) return name;
    offsetName ??= name;
  }
  return offsetName ?? zone;
}

/**
 * @example timeZoneLabel('America/Chicago', new Date('2026-07-01')) // 'US - Central (CDT)'
 */
export function timeZoneLabel(zone: string, at: Date): string {
  // The label changes only at a daylight-saving switch, which falls on a whole minute.
  const minute = Math.floor(at.getTime() / 60_000);
  const cached = labels.get(zone);
  if (cached && cached.minute === minute) return cached.label;
  const label = `${FRIENDLY[zone] ?? zone} (${zoneAbbreviation(zone, at)})`;
  labels.set(zone, { minute, label });
  return label;
}

const labels = new Map<string, { minute: number; label: string }>();
