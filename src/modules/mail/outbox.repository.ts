import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { OutboxTable } from '../../db/schema.js';

export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxRow = Omit<Insertable<OutboxTable>, 'attempts' | 'locked_until' | 'last_error' | 'sent_at'>;

/** One job of the transactional outbox; `payload` is the kind's JSON, already parsed. */
export interface OutboxJob {
  id: string;
  organizationId: string | null;
  kind: OutboxRow['kind'];
  dedupeKey: string;
  payload: Record<string, unknown>;
  status: OutboxRow['status'];
  attempts: number;
  nextAttemptAt: string;
  /** While in the future, one worker owns the job; the value doubles as that worker's fencing token. */
  lockedUntil: string | null;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
}

/** Longest `last_error` kept: enough to diagnose, too short to hoard a server's chatter. */
export const LAST_ERROR_MAX_LENGTH = 500;

function toOutboxJob(row: OutboxRow): OutboxJob {
  return {
    id: row.id,
    organizationId: row.organization_id,
    kind: row.kind,
    dedupeKey: row.dedupe_key,
    payload: JSON.parse(row.payload) as Record<string, unknown>,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lockedUntil: row.locked_until,
    lastError: row.last_error,
    sentAt: row.sent_at,
    createdAt: row.created_at,
  };
}

/**
 * Inserts a job unless one with the same dedupe key exists. ON CONFLICT DO NOTHING (same syntax
 * on SQLite and PostgreSQL) rather than catching the unique violation: on PostgreSQL a failed
 * statement aborts the caller's transaction, and a concurrent enqueue of the same key simply
 * waits for the other transaction and then does nothing.
 * @example const created = await insertOutboxJobOnce(trx, { id, organization_id, kind: 'email', dedupe_key, payload, status: 'pending', next_attempt_at: now, created_at: now });
 * @returns false when a job with this dedupe key already existed
 */
export async function insertOutboxJobOnce(db: Executor, row: NewOutboxRow): Promise<boolean> {
  const result = await db
    .insertInto('outbox')
    .values(row)
    .onConflict((oc) => oc.column('dedupe_key').doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** @example const job = await findOutboxJobByDedupeKey(db, 'admin-invite:0193…'); */
export async function findOutboxJobByDedupeKey(db: Executor, dedupeKey: string): Promise<OutboxJob | null> {
  const row = await db.selectFrom('outbox').selectAll().where('dedupe_key', '=', dedupeKey).executeTakeFirst();
  return row ? toOutboxJob(row) : null;
}

/** @example const job = await findOutboxJobById(db, id); */
export async function findOutboxJobById(db: Executor, id: string): Promise<OutboxJob | null> {
  const row = await db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toOutboxJob(row) : null;
}

export interface ClaimQuery {
  /** Jobs due at or before this time, whose lease (if any) ended by then. */
  now: string;
  /** The new lease end written on each claimed job. */
  leaseUntil: string;
  limit: number;
}

/**
 * Claims up to `limit` due jobs for one worker. Candidates are read first, then each is taken by
 * an UPDATE that repeats the due/unlocked conditions: when two workers race for a row, the
 * second UPDATE (on PostgreSQL it waits for the first's row lock and re-checks the WHERE on the
 * new version) matches nothing, so each job goes to exactly one worker. Portable, unlike
 * FOR UPDATE SKIP LOCKED, which SQLite lacks.
 * @example const jobs = await claimDueOutboxJobs(db, { now, leaseUntil, limit: 10 });
 */
export async function claimDueOutboxJobs(db: Executor, q: ClaimQuery): Promise<OutboxJob[]> {
  const candidates = await db
    .selectFrom('outbox')
    .select('id')
    .where('status', '=', 'pending')
    .where('next_attempt_at', '<=', q.now)
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', q.now)]))
    .orderBy('next_attempt_at')
    .orderBy('id')
    .limit(q.limit)
    .execute();
  const claimed: OutboxJob[] = [];
  for (const { id } of candidates) {
    const row = await db
      .updateTable('outbox')
      .set({ locked_until: q.leaseUntil })
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', q.now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', q.now)]))
      .returningAll()
      .executeTakeFirst();
    if (row) claimed.push(toOutboxJob(row));
  }
  return claimed;
}

/**
 * Marks a delivered job sent and replaces its payload by a scrubbed copy: the body may carry a
 * one-time link or a password, which must not outlive the delivery in the table.
 * @example await markOutboxJobSent(db, job.id, { sentAt: now, scrubbedPayload: JSON.stringify({ scrubbed: true, to, subject }) });
 */
export async function markOutboxJobSent(db: Executor, id: string, change: { sentAt: string; scrubbedPayload: string }): Promise<void> {
  await db
    .updateTable('outbox')
    .set({ status: 'sent', sent_at: change.sentAt, payload: change.scrubbedPayload, locked_until: null, last_error: null })
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .execute();
}

function truncateError(message: string): string {
  return message.length > LAST_ERROR_MAX_LENGTH ? message.slice(0, LAST_ERROR_MAX_LENGTH) : message;
}

export interface FailedAttempt {
  /** The lease the worker claimed the job with: a worker whose lease lapsed changes nothing. */
  lockedUntil: string;
  lastError: string;
}

/**
 * Counts a failed attempt and releases the job until `nextAttemptAt`.
 * @example await scheduleOutboxRetry(db, job.id, { lockedUntil: job.lockedUntil, lastError: 'ECONNREFUSED', nextAttemptAt });
 * @returns false when the lease was lost (another worker owns the job now)
 */
export async function scheduleOutboxRetry(db: Executor, id: string, attempt: FailedAttempt & { nextAttemptAt: string }): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set((eb) => ({
      attempts: eb('attempts', '+', 1),
      next_attempt_at: attempt.nextAttemptAt,
      last_error: truncateError(attempt.lastError),
      locked_until: null,
    }))
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('locked_until', '=', attempt.lockedUntil)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Counts the last allowed attempt and gives the job up: it stays in the table, status 'dead',
 * for an operator to read and re-enqueue.
 * @example await markOutboxJobDead(db, job.id, { lockedUntil: job.lockedUntil, lastError: '550 mailbox unavailable' });
 * @returns false when the lease was lost
 */
export async function markOutboxJobDead(db: Executor, id: string, attempt: FailedAttempt): Promise<boolean> {
  const result = await db
    .updateTable('outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), status: 'dead', last_error: truncateError(attempt.lastError), locked_until: null }))
    .where('id', '=', id)
    .where('status', '=', 'pending')
    .where('locked_until', '=', attempt.lockedUntil)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface OutboxListQuery {
  status?: OutboxRow['status'] | undefined;
  organizationId?: string | undefined;
  limit: number;
}

/**
 * Jobs oldest first, for tests and operators (what is stuck, what died, why).
 * @example const dead = await listOutboxJobs(db, { status: 'dead', limit: 100 });
 */
export async function listOutboxJobs(db: Executor, q: OutboxListQuery): Promise<OutboxJob[]> {
  let query = db.selectFrom('outbox').selectAll();
  if (q.status) query = query.where('status', '=', q.status);
  if (q.organizationId) query = query.where('organization_id', '=', q.organizationId);
  const rows = await query.orderBy('created_at').orderBy('id').limit(q.limit).execute();
  return rows.map(toOutboxJob);
}
