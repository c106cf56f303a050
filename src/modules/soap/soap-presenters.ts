import type { ApplicationRef } from '../api-users/api-user.repository.js';

/**
 * REST JSON -> the object the `soap` package serializes against the XSD: arrays become a list
 * element with repeated items (`applications` -> `<application>`…), and nulls are left out (the
 * XSD marks those elements minOccurs="0": absent means null).
 */
export function withoutNulls<T extends Record<string, unknown>>(value: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined) continue;
    out[key] = item !== null && typeof item === 'object' && !Array.isArray(item) ? withoutNulls(item as Record<string, unknown>) : item;
  }
  return out;
}

export const applicationList = (applications: readonly ApplicationRef[]) => ({ application: applications.map((a) => ({ id: a.id, key: a.key, name: a.name })) });

/** An ApiUser as presentApiUser shows it, for the XSD type tns:ApiUser. */
export function soapApiUser(user: { applications: readonly ApplicationRef[] } & Record<string, unknown>): Record<string, unknown> {
  return withoutNulls({ ...user, applications: applicationList(user.applications) });
}

/** A directory page (listDirectoryPage) for ListApiUsersResponse. */
export function soapDirectoryPage(page: { data: Array<{ applications: ApplicationRef[] } & Record<string, unknown>>; next_cursor: string | null; time_zone: string; time_zone_label: string }) {
  return withoutNulls({
    api_users: { api_user: page.data.map((entry) => withoutNulls({ ...entry, applications: applicationList(entry.applications) })) },
    next_cursor: page.next_cursor,
    time_zone: page.time_zone,
    time_zone_label: page.time_zone_label,
  });
}
