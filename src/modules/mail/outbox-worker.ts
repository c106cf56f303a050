import type { FastifyBaseLogger } from 'fastify';
import type { AppDeps } from '../../http/deps.js';
import { emailPayloadOf, messageIdFor, scrubbedEmailPayload } from './email.js';
import type { MailTransport } from './mail-transport.js';
import { claimDueOutboxJobs, markOutboxJobDead, markOutboxJobSent, scheduleOutboxRetry, type OutboxJob } from './outbox.repository.js';

/** Attempts before a job is given up ('dead'): with the backoff below, about 1.5 hours of trying. */
export const MAX_ATTEMPTS = 12;
const FIRST_RETRY_MS = 2_000;
const MAX_RETRY_MS = 15 * 60_000;
/** Jobs claimed per round; they are sent concurrently, so one round lasts about one send. */
const BATCH_SIZE = 10;
/*
 * How long a claimed job stays with its worker. Longer than one bounded SMTP attempt (see
 * mail-transport.ts), so a live worker keeps its jobs; short enough that a crashed worker's jobs
 * are picked up by another instance within minutes.
 */
const LEASE_MS = 5 * 60_000;

export type WorkerLogger = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;

export interface OutboxWorker {
  /** Stops polling and waits for the round in progress. */
  stop(): Promise<void>;
  /** Delivers every job due now; resolves with how many were sent. */
  drain(): Promise<number>;
}

/**
 * Delay before the next attempt after `attempts` failures: exponential from 2 s, capped at
 * 15 min, with "equal jitter" (half fixed, half random) so instances that failed together do not
 * retry together, while the delay never drops to zero.
 * @example retryDelayMs(1, Math.random()) // 1000..2000
 */
export function retryDelayMs(attempts: number, jitter: number): number {
  const base = Math.min(FIRST_RETRY_MS * 2 ** Math.max(attempts - 1, 0), MAX_RETRY_MS);
  return Math.round(base / 2 + (base / 2) * jitter);
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Starts the outbox worker: every OUTBOX_POLL_MS it claims due jobs, sends them and records the
 * outcome. At-least-once: a job is marked sent only after the transport resolved, so a crash in
 * between sends it again (with the same Message-ID). Several instances may run it at once.
 * `poll: false` gives a worker that only sends on `drain()` (tests, the CLI).
 * @example const worker = startOutboxWorker(deps, createMailTransport(deps), app.log); app.addHook('onClose', () => worker.stop());
 */
export function startOutboxWorker(
  deps: Pick<AppDeps, 'db' | 'clock' | 'config'>,
  transport: MailTransport,
  logger: WorkerLogger,
  options: { poll?: boolean } = {},
): OutboxWorker {
  const inFlight = new Set<Promise<unknown>>();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function recordFailure(job: OutboxJob, error: unknown): Promise<void> {
    const attempts = job.attempts + 1;
    const lastError = describeError(error);
    const now = deps.clock.now();
    // Logged without the payload: the body may hold a one-time link or a password.
    const facts = { outbox_id: job.id, attempts, error: lastError };
    if (attempts >= MAX_ATTEMPTS) {
      await markOutboxJobDead(deps.db, job.id, { lockedUntil: job.lockedUntil!, lastError });
      logger.error(facts, 'email given up after the last attempt');
      return;
    }
    // Jitter only spreads retries out; it guards nothing, so Math.random is enough here.
    const nextAttemptAt = new Date(now.getTime() + retryDelayMs(attempts, Math.random())).toISOString();
    await scheduleOutboxRetry(deps.db, job.id, { lockedUntil: job.lockedUntil!, lastError, nextAttemptAt });
    logger.warn({ ...facts, next_attempt_at: nextAttemptAt }, 'email not sent; will retry');
  }

  async function deliver(job: OutboxJob): Promise<boolean> {
    let payload;
    try {
      payload = emailPayloadOf(job);
      await transport.send({
        outboxId: job.id, organizationId: job.organizationId, messageId: messageIdFor(job.id), from: deps.config.mailFrom, ...payload,
      });
    } catch (error) {
      await recordFailure(job, error);
      return false;
    }
    await markOutboxJobSent(deps.db, job.id, { sentAt: deps.clock.now().toISOString(), scrubbedPayload: scrubbedEmailPayload(payload) });
    return true;
  }

  async function drainDue(): Promise<number> {
    // Jobs due when the drain started: a job that fails now is due later, so the drain ends.
    const dueBy = deps.clock.now().toISOString();
    let sent = 0;
    for (;;) {
      const leaseUntil = new Date(deps.clock.now().getTime() + LEASE_MS).toISOString();
      const jobs = await claimDueOutboxJobs(deps.db, { now: dueBy, leaseUntil, limit: BATCH_SIZE });
      if (jobs.length === 0) return sent;
      const outcomes = await Promise.allSettled(jobs.map(deliver));
      for (const [i, outcome] of outcomes.entries()) {
        if (outcome.status === 'fulfilled') {
          if (outcome.value) sent += 1;
        } else {
          // The database failed while recording the outcome; the lease expires and the job is retried.
          logger.error({ outbox_id: jobs[i]!.id, error: describeError(outcome.reason) }, 'could not record an email outcome');
        }
      }
    }
  }

  function track<T>(work: Promise<T>): Promise<T> {
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work)).catch(() => undefined);
    return work;
  }

  async function poll(): Promise<void> {
    try {
      await track(drainDue());
    } catch (error) {
      logger.error({ error: describeError(error) }, 'outbox poll failed; trying again at the next interval');
    }
    if (!stopped) schedule();
  }

  function schedule(): void {
    timer = setTimeout(() => void poll(), deps.config.outboxPollMs);
    // The HTTP server keeps the process alive; a forgotten worker must not.
    timer.unref();
  }

  if (options.poll ?? true) schedule();

  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await Promise.allSettled([...inFlight]);
    },
    drain: () => track(drainDue()),
  };
}
