import type { Invalidation, VerificationCache } from './verification-cache.js';

/**
 * What one notification says, as JSON text: `{"kind":"user","user_id":…}` or
 * `{"kind":"organization","organization_id":…}`, plus `origin`. Kept far below NOTIFY's 8000
 * bytes. A user change keeps the `user_id` field the first version sent alone, so an instance
 * still running that version drops the user's entries as before, and clears everything on a kind
 * it does not know (no `user_id`): correctness over hit rate, both ways, during a rolling upgrade.
 */

/** @example invalidationPayload({ kind: 'user', userId: 'u1' }, 'abc') // '{"kind":"user","user_id":"u1","origin":"abc"}' */
export function invalidationPayload(change: Invalidation, origin: string): string {
  return change.kind === 'user'
    ? JSON.stringify({ kind: 'user', user_id: change.userId, origin })
    : JSON.stringify({ kind: 'organization', organization_id: change.organizationId, origin });
}

/**
 * The change a payload names; null for anything unreadable or of a kind this version does not
 * know, which the receiver answers by clearing its whole cache.
 * @example parseInvalidation('{"user_id":"u1"}') // { kind: 'user', userId: 'u1' } (first version, no kind)
 */
export function parseInvalidation(payload: string | undefined): Invalidation | null {
  let message: unknown;
  try {
    message = JSON.parse(payload ?? '');
  } catch {
    return null;
  }
  if (typeof message !== 'object' || message === null) return null;
  const { kind, user_id: userId, organization_id: organizationId } = message as Record<string, unknown>;
  if ((kind === 'user' || kind === undefined) && typeof userId === 'string') return { kind: 'user', userId };
  if (kind === 'organization' && typeof organizationId === 'string') return { kind: 'organization', organizationId };
  return null;
}

/** Drops from the cache what a change affects; null (an unknown payload) drops everything. */
export function applyInvalidation(cache: VerificationCache, change: Invalidation | null): void {
  if (change === null) cache.clear();
  else if (change.kind === 'user') cache.invalidateUser(change.userId);
  else cache.invalidateOrganization(change.organizationId);
}
