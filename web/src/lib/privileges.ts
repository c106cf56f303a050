/**
 * Whether the signed-in administrator's privileges (GET /v1/session) allow `needed`. As on the
 * server, "Can manage account" (`account:manage`) implies every other privilege. The UI only
 * hides what would be refused; the server stays the authority.
 * @example can(['account:manage'], 'audit:read') // true
 */
export function can(held: readonly string[], needed: string): boolean {
  return held.includes(needed) || held.includes('account:manage');
}
