import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { pino } from 'pino';
import { startTestApp, type TestApp } from '../../../test/support/test-app.js';
import { createManualClock } from '../../lib/clock.js';
import { enqueueEmail, type EmailRequest } from './email.js';
import { createMailTransport, createSmtpTransport } from './mail-transport.js';
import { MAX_ATTEMPTS, retryDelayMs, startOutboxWorker } from './outbox-worker.js';
import { claimDueOutboxJobs, findOutboxJobById, listOutboxJobs } from './outbox.repository.js';

const SECRET_TEXT = 'Your password is: tangerine-orbit-lantern-42';
const START = '2026-03-02T09:00:00.000Z';

function email(dedupeKey: string): EmailRequest {
  return { organizationId: null, to: 'melanie.allen@acme.example', subject: 'Your API user', text: SECRET_TEXT, dedupeKey };
}

/** A logger writing into an array, to check what an operator would read. */
function capturingLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
  return { logger, lines };
}

/** A TCP port nothing listens on: connecting is refused at once, like an SMTP server that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('transactional outbox', () => {
  let t: TestApp;
  let clock: ReturnType<typeof createManualClock>;
  beforeEach(async () => {
    clock = createManualClock(START);
    t = await startTestApp({ clock });
  });
  afterEach(() => t.close());

  it('enqueue in a transaction that rolls back -> no job; in one that commits -> one job', async () => {
    await assert.rejects(
      t.deps.db.transaction().execute(async (trx) => {
        await enqueueEmail(trx, clock, email('rolled-back'));
        throw new Error('the change that caused the email failed');
      }),
      /the change that caused the email failed/,
    );
    assert.deepEqual(await listOutboxJobs(t.deps.db, { limit: 10 }), []);

    await t.deps.db.transaction().execute((trx) => enqueueEmail(trx, clock, email('committed')));
    const jobs = await listOutboxJobs(t.deps.db, { limit: 10 });
    assert.deepEqual(jobs.map((j) => [j.dedupeKey, j.status, j.attempts, j.nextAttemptAt]), [['committed', 'pending', 0, START]]);
  });

  it('enqueue twice with one dedupe key -> one job, and the transaction stays usable', async () => {
    const first = await t.deps.db.transaction().execute((trx) => enqueueEmail(trx, clock, email('invite:1')));
    // Same key again, then another email, in one transaction: on PostgreSQL a failed INSERT
    // would abort the transaction and lose the second email.
    const [again, other] = await t.deps.db.transaction().execute(async (trx) => [
      await enqueueEmail(trx, clock, email('invite:1')),
      await enqueueEmail(trx, clock, email('invite:2')),
    ]);
    assert.deepEqual(first.created, true);
    assert.deepEqual(again, { id: first.id, created: false });
    assert.equal(other!.created, true);
    const jobs = await listOutboxJobs(t.deps.db, { limit: 10 });
    assert.deepEqual(jobs.map((j) => j.dedupeKey).sort(), ['invite:1', 'invite:2']);
  });

  it('two workers claim at the same time -> each job is claimed exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 25; i++) ids.push((await enqueueEmail(t.deps.db, clock, email(`bulk:${i}`))).id);
    const now = clock.now().toISOString();
    const claim = () => claimDueOutboxJobs(t.deps.db, { now, leaseUntil: '2026-03-02T09:05:00.000Z', limit: 50 });
    const [a, b] = await Promise.all([claim(), claim()]);
    const claimedA = a.map((j) => j.id);
    const claimedB = b.map((j) => j.id);
    assert.deepEqual(claimedA.filter((id) => claimedB.includes(id)), [], 'no job claimed by both');
    assert.deepEqual([...claimedA, ...claimedB].sort(), [...ids].sort(), 'every due job claimed');
    assert.deepEqual(await claim(), [], 'leased jobs are not claimed again');
  });

  it('two workers drain at the same time -> every email delivered once', async () => {
    for (let i = 0; i < 25; i++) await enqueueEmail(t.deps.db, clock, email(`drain:${i}`));
    const transport = createMailTransport(t.deps);
    const silent = pino({ level: 'silent' });
    const workers = [startOutboxWorker(t.deps, transport, silent, { poll: false }), startOutboxWorker(t.deps, transport, silent, { poll: false })];
    const sent = await Promise.all(workers.map((w) => w.drain()));
    await Promise.all(workers.map((w) => w.stop()));
    assert.equal(sent[0]! + sent[1]!, 25);
    const jobs = await listOutboxJobs(t.deps.db, { limit: 100 });
    assert.deepEqual(new Set(jobs.map((j) => j.status)), new Set(['sent']));
  });

  it('retry delay: exponential from 2 s with jitter, capped at 15 min', () => {
    assert.deepEqual([retryDelayMs(1, 0), retryDelayMs(1, 1)], [1_000, 2_000]);
    assert.deepEqual([retryDelayMs(4, 0), retryDelayMs(4, 1)], [8_000, 16_000]);
    assert.deepEqual([retryDelayMs(30, 0), retryDelayMs(30, 1)], [450_000, 900_000]);
  });

  it('SMTP down on every attempt -> backoff grows, job dead after MAX_ATTEMPTS, logs without the body', async () => {
    const { id } = await enqueueEmail(t.deps.db, clock, email('never-delivered'));
    const { logger, lines } = capturingLogger();
    const worker = startOutboxWorker(t.deps, createSmtpTransport(`smtp://127.0.0.1:${await closedPort()}`), logger, { poll: false });
    const delays: number[] = [];
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      assert.equal(await worker.drain(), 0);
      const job = (await findOutboxJobById(t.deps.db, id))!;
      assert.equal(job.attempts, attempt);
      assert.match(job.lastError ?? '', /ECONNREFUSED/);
      if (attempt === MAX_ATTEMPTS) {
        assert.equal(job.status, 'dead');
        break;
      }
      assert.equal(job.status, 'pending');
      assert.equal(job.lockedUntil, null, 'the lease is released for the next attempt');
      const delay = Date.parse(job.nextAttemptAt) - clock.now().getTime();
      const base = Math.min(2_000 * 2 ** (attempt - 1), 15 * 60_000);
      assert.ok(delay >= base / 2 && delay <= base, `attempt ${attempt}: delay ${delay} ms outside [${base / 2}, ${base}]`);
      delays.push(delay);
      // Not due yet: a drain now must not try again.
      clock.advance(delay - 1);
      assert.equal(await worker.drain(), 0);
      assert.equal((await findOutboxJobById(t.deps.db, id))!.attempts, attempt);
      clock.advance(1);
    }
    assert.ok(delays[8]! > 100 * delays[0]!, `delays grow: ${delays.join(', ')}`);
    clock.advance(24 * 3600_000);
    assert.equal(await worker.drain(), 0);
    assert.equal((await findOutboxJobById(t.deps.db, id))!.attempts, MAX_ATTEMPTS, 'a dead job is not tried again');
    await worker.stop();

    assert.ok(lines.some((l) => l.includes(id) && l.includes('ECONNREFUSED')), 'failures are logged with the job id');
    assert.ok(!lines.some((l) => l.includes('tangerine-orbit-lantern')), 'the body never reaches the log');
  });

  it('sent job -> payload scrubbed of the body, keeps recipient and subject', async () => {
    const { id } = await enqueueEmail(t.deps.db, clock, email('scrub'));
    assert.ok((await findOutboxJobById(t.deps.db, id))!.payload.text === SECRET_TEXT, 'the body is there until sent');
    const worker = startOutboxWorker(t.deps, createMailTransport(t.deps), pino({ level: 'silent' }), { poll: false });
    assert.equal(await worker.drain(), 1);
    await worker.stop();
    const raw = await t.deps.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    assert.equal(raw.status, 'sent');
    assert.equal(raw.sent_at, START);
    assert.deepEqual(JSON.parse(raw.payload), { scrubbed: true, to: 'melanie.allen@acme.example', subject: 'Your API user' });
    assert.ok(!JSON.stringify(raw).includes('tangerine-orbit-lantern'));
  });
});
