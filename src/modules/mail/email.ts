import type { Executor } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/ids.js';
import { findOutboxJobByDedupeKey, insertOutboxJobOnce, type OutboxJob } from './outbox.repository.js';

/** What an email job's payload holds until it is sent. `text` may carry a one-time secret. */
export interface EmailPayload {
  to: string;
  subject: string;
  text: string;
}

export interface EmailRequest extends EmailPayload {
  organizationId: string | null;
  /**
   * One logical message, one key (e.g. `admin-invite:<token id>`): a retried request or a
   * replayed command enqueues nothing the second time.
   */
  dedupeKey: string;
}

/**
 * Queues an email in the caller's transaction, so it is sent if and only if the change that
 * caused it commits. The worker delivers it later, at least once.
 * @example await db.transaction().execute(async (trx) => { …; await enqueueEmail(trx, clock, { organizationId, to, subject, text, dedupeKey: `admin-invite:${tokenId}` }); });
 * @returns the job id, and whether this call created it (false: the dedupe key was already queued)
 */
export async function enqueueEmail(trx: Executor, clock: Clock, request: EmailRequest): Promise<{ id: string; created: boolean }> {
  const now = clock.now();
  const id = newId(now);
  const payload: EmailPayload = { to: request.to, subject: request.subject, text: request.text };
  const created = await insertOutboxJobOnce(trx, {
    id,
    organization_id: request.organizationId,
    kind: 'email',
    dedupe_key: request.dedupeKey,
    payload: JSON.stringify(payload),
    status: 'pending',
    next_attempt_at: now.toISOString(),
    created_at: now.toISOString(),
  });
  if (created) return { id, created };
  const existing = await findOutboxJobByDedupeKey(trx, request.dedupeKey);
  // The conflicting row is visible here: ON CONFLICT only skips once the other row has committed.
  return { id: existing!.id, created: false };
}

/**
 * The Message-ID of a job's email (RFC 5322 §3.6.4). Derived from the job id, so every retry of
 * one job carries the same id and a receiver (or a person) can recognise a duplicate delivery.
 * @example messageIdFor('0193…') // '<0193…@apiusers>'
 */
export function messageIdFor(outboxId: string): string {
  return `<${outboxId}@apiusers>`;
}

/**
 * Reads an email job's payload, refusing one that is not a pending email (scrubbed or foreign).
 * @example const { to, subject, text } = emailPayloadOf(job);
 * @throws Error naming the job when the payload is not a complete email
 */
export function emailPayloadOf(job: OutboxJob): EmailPayload {
  const { to, subject, text } = job.payload;
  if (job.kind !== 'email' || typeof to !== 'string' || typeof subject !== 'string' || typeof text !== 'string') {
    throw new Error(`outbox job ${job.id} does not hold an email payload`);
  }
  return { to, subject, text };
}

/**
 * The payload kept after delivery: enough for an operator to see what went where, without the
 * body, which may carry a one-time link or a password.
 * @example scrubbedEmailPayload(payload) // '{"scrubbed":true,"to":"a@b.example","subject":"Your invitation"}'
 */
export function scrubbedEmailPayload(payload: EmailPayload): string {
  return JSON.stringify({ scrubbed: true, to: payload.to, subject: payload.subject });
}
