import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { Registry } from 'prom-client';
import type { Db } from '../../src/db/database.js';
import type { DB } from '../../src/db/schema.js';
import { createManualClock, type Clock } from '../../src/lib/clock.js';
import { ApiUserRateLimiter } from '../../src/modules/api-auth/rate-limiter.js';
import { SharedWindowCounts } from '../../src/modules/api-auth/shared-rate-windows.js';
import { createTestDatabase, postgresUrl, type TestDatabase } from '../support/test-app.js';

/** What the sync logged, by level. */
function recordingLog() {
  const lines: Array<{ level: 'warn' | 'info'; message: string }> = [];
  return {
    lines,
    warn: (_object: object, message: string) => void lines.push({ level: 'warn', message }),
    info: (_object: object, message: string) => void lines.push({ level: 'info', message }),
  };
}

/**
 * One service instance's limiter, counting into `db` shared with the others. The timer is slow
 * (10 s) unless a test says otherwise, so only the syncs a test asks for, and the early ones, run.
 */
function instance(db: Db, clock: Clock, options: { syncIntervalMs?: number; metrics?: Registry } = {}) {
  const log = recordingLog();
  const counts = new SharedWindowCounts({ db, clock, syncIntervalMs: options.syncIntervalMs ?? 10_000, log, metrics: options.metrics });
  return { counts, limiter: new ApiUserRateLimiter(counts), log };
}

describe(`shared rate-limit windows: several instances on one database (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  let test: TestDatabase;
  let db: Db;
  before(async () => {
    test = await createTestDatabase();
    db = test.database.db;
  });
  after(() => test.drop());

  const rows = (userId: string) => db.selectFrom('api_user_rate_windows').selectAll().where('user_id', '=', userId).orderBy('window_start').execute();

  it('each instance decides alone between syncs; a sync adds its count to the shared row and learns the total', async () => {
    const clock = createManualClock('2026-03-02T15:04:10Z');
    const now = clock.now().getTime();
    const a = instance(db, clock);
    const b = instance(db, clock);
    for (let i = 0; i < 30; i++) a.limiter.consume('user-1', 'low', now);
    await a.counts.sync();
    for (let i = 0; i < 20; i++) b.limiter.consume('user-1', 'low', now);
    await b.counts.sync();
    assert.deepEqual((await rows('user-1')).map((r) => [r.window_start, r.tier, Number(r.count)]), [['2026-03-02T15:04:00.000Z', 'low', 50]]);
    assert.equal(b.limiter.peek('user-1', 'low', now).remaining, 10, 'B knows A\'s 30 and its own 20');
    assert.equal(a.limiter.peek('user-1', 'low', now).remaining, 30, 'A has not synced since B sent its count');
    a.limiter.consume('user-1', 'low', now);
    await a.counts.sync();
    assert.equal(a.limiter.peek('user-1', 'low', now).remaining, 9, 'A learnt the total with its next sync');
    assert.equal(Number((await rows('user-1'))[0]!.count), 51);
    await a.counts.close();
    await b.counts.close();
  });

  it('an instance that spends a quarter of what was left shares it at once, without waiting for the timer', async () => {
    const clock = createManualClock('2026-03-02T15:04:10Z');
    const now = clock.now().getTime();
    const a = instance(db, clock);
    for (let i = 0; i < 14; i++) a.limiter.consume('user-2', 'low', now);
    await sleep(50);
    assert.deepEqual(await rows('user-2'), [], '14 of 60: nothing sent before the timer');
    a.limiter.consume('user-2', 'low', now);
    const deadline = Date.now() + 2_000;
    while ((await rows('user-2')).length === 0 && Date.now() < deadline) await sleep(5);
    assert.equal(Number((await rows('user-2'))[0]?.count), 15, 'the 15th request (60 / 4) started a sync');
    await a.counts.close();
  });

  it('two instances taking turns: never refused before the quota, and refused soon after it on both', async (ctx) => {
    const clock = createManualClock('2026-03-02T15:04:10Z');
    const now = clock.now().getTime();
    const a = instance(db, clock);
    const b = instance(db, clock);
    let allowed = 0;
    let calls = 0;
    const refusedBy = new Set<string>();
    for (let call = 1; refusedBy.size < 2 && call <= 200; call++) {
      calls = call;
      const [name, at] = call % 2 === 1 ? ['A', a] as const : ['B', b] as const;
      const state = at.limiter.consume('user-3', 'low', now);
      if (state.allowed) {
        assert.equal(refusedBy.has(name), false, `call ${call}: ${name} allowed a request after refusing one in the same window`);
        allowed += 1;
      } else {
        assert.ok(call > 60, `call ${call} refused before the quota was spent`);
        assert.equal(state.remaining, 0);
        refusedBy.add(name);
      }
      // A request every millisecond or so, as a busy client's would come: syncs run in between.
      await sleep(1);
    }
    ctx.diagnostic(`allowed ${allowed} of a quota of 60 across two instances`);
    // docs/credentials.md: the excess is at most the sum over instances of ⌈left / 4⌉ + rate × a
    // statement's round trip; with a quota of 60, below 2 × 15. Without sharing it would be 60.
    assert.ok(allowed >= 60 && allowed < 60 + 2 * 15, `allowed ${allowed}`);
    await Promise.all([a.counts.sync(), b.counts.sync()]);
    const total = Number((await rows('user-3'))[0]!.count);
    assert.equal(total, calls, 'every request counted once, refused ones included');
    await a.counts.close();
    await b.counts.close();
  });

  it('minutes: a past window is not sent, and the sync deletes windows older than the previous minute', async () => {
    const clock = createManualClock('2026-03-02T15:04:10Z');
    const a = instance(db, clock);
    const consume = (n: number) => {
      for (let i = 0; i < n; i++) a.limiter.consume('user-4', 'medium', clock.now().getTime());
    };
    consume(3);
    await a.counts.sync();
    clock.set('2026-03-02T15:05:10Z');
    consume(2);
    await a.counts.sync();
    const starts = async () => (await rows('user-4')).map((r) => `${r.window_start.slice(11, 16)}=${r.count}`);
    assert.deepEqual(await starts(), ['15:04=3', '15:05=2'], 'the previous minute is kept (a lagging clock may still count in it)');
    assert.deepEqual(a.limiter.peek('user-4', 'medium', clock.now().getTime()), { allowed: true, limit: 300, remaining: 298, resetSeconds: 50 });
    consume(4);
    clock.set('2026-03-02T15:06:01Z');
    consume(1);
    await a.counts.sync();
    assert.deepEqual(await starts(), ['15:05=2', '15:06=1'], '15:05\'s last 4 were not sent once the minute was over; 15:04 was deleted');
    await a.counts.close();
  });

  it('close() sends the counts still pending', async () => {
    const clock = createManualClock('2026-03-02T15:04:10Z');
    const a = instance(db, clock);
    for (let i = 0; i < 5; i++) a.limiter.consume('user-5', 'high', clock.now().getTime());
    await a.counts.close();
    assert.deepEqual((await rows('user-5')).map((r) => [r.tier, Number(r.count)]), [['high', 5]]);
  });

  it('the timer syncs every RATE_LIMIT_SYNC_MS, and /metrics counts the syncs', async () => {
    const clock = createManualClock('2026-03-02T15:04:10Z');
    const metrics = new Registry();
    const a = instance(db, clock, { syncIntervalMs: 50, metrics });
    a.limiter.consume('user-6', 'high', clock.now().getTime());
    const deadline = Date.now() + 2_000;
    while ((await rows('user-6')).length === 0 && Date.now() < deadline) await sleep(10);
    assert.equal(Number((await rows('user-6'))[0]?.count), 1);
    const text = await metrics.metrics();
    assert.match(text, /^apiusers_rate_limit_sync_duration_seconds_count [1-9]/m);
    assert.match(text, /^apiusers_rate_limit_sync_failures_total 0$/m);
    await a.counts.close();
  });
});

describe('shared rate-limit windows when PostgreSQL cannot be reached', () => {
  it('requests are still limited on the instance\'s own count, a sync never throws, one warning per outage', async () => {
    // Nothing listens on port 1: every connection attempt is refused at once.
    const unreachable: Db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: 'postgres://apiusers@127.0.0.1:1/none', max: 1 }) }) });
    const clock = createManualClock('2026-03-02T15:04:10Z');
    const now = clock.now().getTime();
    const metrics = new Registry();
    const a = instance(unreachable, clock, { metrics });
    const states = [];
    for (let i = 0; i < 61; i++) {
      states.push(a.limiter.consume('user-7', 'low', now));
      await nextTurn();
    }
    assert.ok(states.slice(0, 60).every((s) => s.allowed), 'the first 60 pass');
    assert.deepEqual(states[60], { allowed: false, limit: 60, remaining: 0, resetSeconds: 50 });
    await a.counts.sync();
    await a.counts.sync();
    assert.deepEqual(a.log.lines.map((l) => l.level), ['warn'], a.log.lines.map((l) => l.message).join('\n'));
    assert.match(a.log.lines[0]!.message, /rate-limit sync with PostgreSQL failed; limiting API users on this instance's counts/);
    const failures = Number(/^apiusers_rate_limit_sync_failures_total (\d+)$/m.exec(await metrics.metrics())?.[1]);
    assert.ok(failures >= 3, `failures ${failures}`);
    const closing = Date.now();
    await a.counts.close();
    assert.ok(Date.now() - closing < 3_000, 'closing does not wait on a database that is not there');
    await unreachable.destroy();
  });
});
