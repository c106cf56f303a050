import type { Executor } from '../../db/database.js';

/** Credentials the maintenance watches: what an integration signs in with. */
const WATCHED_KINDS = ['api_key', 'password'] as const;

/** A credential with the API user it belongs to, as the maintenance and the idle list see it. */
export interface WatchedCredential {
  id: string;
  kind: string;
  name: string;
  hint: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
  /** last_used_at, or created_at when it was never used. */
  idleSince: string;
  user: { id: string; username: string; firstName: string; lastName: string; email: string | null; status: string };
}

function credentialsWithUsers(db: Executor, organizationId: string) {
  return db
    .selectFrom('credentials as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .select((eb) => [
      'c.id', 'c.kind', 'c.name', 'c.hint', 'c.expires_at', 'c.last_used_at', 'c.created_at',
      eb.fn.coalesce('c.last_used_at', 'c.created_at').as('idle_since'),
      'u.id as user_id', 'u.username', 'u.first_name', 'u.last_name', 'u.email', 'u.status',
    ])
    .where('c.organization_id', '=', organizationId)
    .where('u.kind', '=', 'api')
    .where('c.revoked_at', 'is', null);
}

type WatchedRow = Awaited<ReturnType<ReturnType<typeof credentialsWithUsers>['execute']>>[number];

function toWatchedCredential(row: WatchedRow): WatchedCredential {
  return {
    id: row.id, kind: row.kind, name: row.name, hint: row.hint, expiresAt: row.expires_at, lastUsedAt: row.last_used_at, createdAt: row.created_at,
    idleSince: row.idle_since,
    user: { id: row.user_id, username: row.username ?? '', firstName: row.first_name, lastName: row.last_name, email: row.email === '' ? null : row.email, status: row.status },
  };
}

/** Live, not replaced credentials of enabled API users expiring in (now, until]. */
export async function listExpiringCredentials(db: Executor, organizationId: string, now: string, until: string): Promise<WatchedCredential[]> {
  const rows = await credentialsWithUsers(db, organizationId)
    .where('u.status', '=', 'enabled')
    .where('c.kind', 'in', WATCHED_KINDS)
    // A rolled key expires on purpose when its grace period ends: no reminder for it.
    .where('c.replaced_by', 'is', null)
    .where('c.expires_at', '>', now)
    .where('c.expires_at', '<=', until)
    .orderBy('c.expires_at').orderBy('c.id')
    .execute();
  return rows.map(toWatchedCredential);
}

export interface IdleCredentialQuery {
  organizationId: string;
  /** Idle: last used (or created, if never used) before this time. */
  idleBefore: string;
  /** Expired credentials are not listed: they cannot be used anyway. */
  now: string;
  /** Only enabled API users, password and API keys: what the maintenance acts on. */
  watchedOnly?: boolean;
  /** Keyset: rows after this (idle_since, id). */
  after?: [string, string] | undefined;
  limit?: number;
}

/** Live credentials of API users unused since `idleBefore`, longest idle first. */
export async function listIdleCredentials(db: Executor, q: IdleCredentialQuery): Promise<WatchedCredential[]> {
  let query = credentialsWithUsers(db, q.organizationId)
    .where((eb) => eb(eb.fn.coalesce('c.last_used_at', 'c.created_at'), '<', q.idleBefore))
    .where((eb) => eb.or([eb('c.expires_at', 'is', null), eb('c.expires_at', '>', q.now)]));
  if (q.watchedOnly) query = query.where('u.status', '=', 'enabled').where('c.kind', 'in', WATCHED_KINDS);
  if (q.after) {
    const [since, id] = q.after;
    query = query.where((eb) => {
      const idleSince = eb.fn.coalesce('c.last_used_at', 'c.created_at');
      return eb.or([eb(idleSince, '>', since), eb.and([eb(idleSince, '=', since), eb('c.id', '>', id)])]);
    });
  }
  const ordered = query.orderBy('idle_since').orderBy('c.id');
  const rows = await (q.limit !== undefined ? ordered.limit(q.limit) : ordered).execute();
  return rows.map(toWatchedCredential);
}

/** Revokes the credential if it is still live and still unused since `lastUsedAt`. */
export async function revokeIdleCredential(db: Executor, id: string, lastUsedAt: string | null, at: string): Promise<boolean> {
  const result = await db
    .updateTable('credentials')
    .set({ revoked_at: at })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .where('last_used_at', lastUsedAt === null ? 'is' : '=', lastUsedAt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
