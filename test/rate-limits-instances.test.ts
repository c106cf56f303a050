import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { buildApp } from '../src/http/app.js';
import type { AppDeps } from '../src/http/deps.js';
import { createManualClock } from '../src/lib/clock.js';
import { LocalInvalidationBus, PostgresInvalidationBus, type InvalidationBus } from '../src/modules/api-auth/invalidation-bus.js';
import { VerificationCache } from '../src/modules/api-auth/verification-cache.js';
import { as, setupOrganization, type TestSession } from './support/sessions.js';
import { postgresUrl, withSchemaLock, type TestApp } from './support/test-app.js';

const skip = postgresUrl() ? false : 'several instances share one database only on PostgreSQL (DATABASE_URL=postgres://…); SQLite counts in its one process';
const SYNC_MS = 50;

/**
 * A clock both instances share, standing at 5 s into a minute: windows are whole minutes of the
 * clock, so a test moves to the next window by setting it instead of sleeping a minute.
 */
function minuteClock() {
  const minute = Math.floor(Date.now() / 60_000) * 60_000;
  return createManualClock(new Date(minute + 5_000));
}

interface Instance extends TestApp {
  port: number;
  /** Log lines, when the instance was started with `logs`. */
  logs: Array<Record<string, unknown>>;
}

/**
 * One service instance as `serve` runs it (its own pool, cache, bus and limiter), listening on a
 * port so the hot path answers too. `databaseUrl` may go through a proxy the test can cut.
 */
async function startInstance(options: {
  databaseUrl: string; schema: string; clock: ReturnType<typeof createManualClock>; dataDir: string; secretKey: string;
  bus: 'postgres' | 'local'; logs?: boolean;
}): Promise<Instance> {
  const config = loadConfig({ DATA_DIR: options.dataDir, SECRET_KEY: options.secretKey, LOG_LEVEL: 'silent', RATE_LIMIT_SYNC_MS: String(SYNC_MS) });
  const database = openDatabase({ engine: 'postgres', url: options.databaseUrl }, { schema: options.schema, poolSize: 3 });
  const verificationCache = new VerificationCache();
  const invalidation: InvalidationBus = options.bus === 'postgres'
    ? new PostgresInvalidationBus({ db: database.db, url: options.databaseUrl, cache: verificationCache, initialBackoffMs: 50 })
    : new LocalInvalidationBus(verificationCache);
  await invalidation.start();
  const deps: AppDeps = {
    config, database, db: database.db, clock: options.clock, secretKey: Buffer.from(options.secretKey, 'hex'), verificationCache, invalidation,
  };
  const logs: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const app = await buildApp(deps, { logger: options.logs ? { level: 'info', stream } : false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    app, deps, logs, port: (app.server.address() as AddressInfo).port,
    close: async () => {
      await app.close();
      await invalidation.stop();
      await database.destroy();
    },
  };
}

/** A fresh schema, migrated; `drop` removes it. */
async function createSchema(url: string): Promise<{ schema: string; drop(): Promise<void> }> {
  const schema = `t_${randomBytes(8).toString('hex')}`;
  await withSchemaLock(url, async (client) => {
    await client.query(`create schema ${schema}`);
    const database = openDatabase({ engine: 'postgres', url }, { schema, poolSize: 1 });
    await migrateToLatest(database.db);
    await database.destroy();
  });
  return { schema, drop: () => withSchemaLock(url, (client) => client.query(`drop schema ${schema} cascade`).then(() => undefined)) };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 1 });

/** GET /v2/account-info on an instance's port (the hot path answers cached credentials there). */
function accountInfo(instance: Instance, key: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: instance.port, path: '/v2/account-info', headers: { authorization: `Bearer ${key}` }, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function lowApiUserWithKey(t: TestApp, owner: TestSession): Promise<{ id: string; key: string }> {
  const created = await as(t.app, owner, {
    method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users`,
    payload: { description: 'Magento integration', password: 'Rate-limit-2026!', password_confirmation: 'Rate-limit-2026!', applications: ['httpapi'] },
  });
  assert.equal(created.statusCode, 201, created.body);
  const id = created.json().api_user.id;
  const patched = await as(t.app, owner, {
    method: 'PATCH', url: `/v1/organizations/${owner.organizationId}/api-users/${id}`,
    headers: { 'if-match': created.headers.etag as string }, payload: { rate_limit_tier: 'low' },
  });
  assert.equal(patched.statusCode, 200, patched.body);
  const key = await as(t.app, owner, { method: 'POST', url: `/v1/organizations/${owner.organizationId}/api-users/${id}/keys`, payload: { name: 'k' } });
  assert.equal(key.statusCode, 201, key.body);
  return { id, key: key.json().key };
}

async function waitFor(what: string, ms: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}

/** The shared counts of a user, by window start (hh:mm), read with the instance's own database. */
async function sharedCounts(t: TestApp, userId: string): Promise<Record<string, number>> {
  const rows = await t.deps.db.selectFrom('api_user_rate_windows').select(['window_start', 'count']).where('user_id', '=', userId).execute();
  return Object.fromEntries(rows.map((r) => [r.window_start.slice(11, 16), Number(r.count)]));
}

const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);

describe('API user rate limits shared by two instances (PostgreSQL)', () => {
  const url = postgresUrl();
  const clock = minuteClock();
  let one: Instance;
  let two: Instance;
  let owner: TestSession;
  let drop: () => Promise<void>;
  let dataDir: string;
  before(async () => {
    if (!url) return;
    const created = await createSchema(url);
    drop = created.drop;
    dataDir = mkdtempSync(join(tmpdir(), 'apiusers-test-'));
    const common = { databaseUrl: url, schema: created.schema, clock, dataDir, secretKey: randomBytes(32).toString('hex'), bus: 'postgres' as const };
    one = await startInstance(common);
    two = await startInstance(common);
    owner = await setupOrganization(one);
  });
  after(async () => {
    if (!url) return;
    await one.close();
    await two.close();
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a low user (60/min) calling both in turn: 200 up to the quota with a consistent RateLimit-Remaining, then 429 on either', { skip }, async (ctx) => {
    const user = await lowApiUserWithKey(one, owner);
    const ownCalls = { one: 0, two: 0 };
    const lastRemaining = { one: 60, two: 60 };
    const refused = { one: false, two: false };
    let firstRefusal = 0;
    let call = 0;
    while (!(refused.one && refused.two)) {
      call += 1;
      assert.ok(call <= 120, 'still allowed at call 120: the instances do not share their counts');
      const name = call % 2 === 1 ? 'one' : 'two';
      const answer = await accountInfo(name === 'one' ? one : two, user.key);
      ownCalls[name] += 1;
      const remaining = Number(answer.headers['ratelimit-remaining']);
      assert.equal(answer.headers['ratelimit-limit'], '60');
      if (answer.status === 200) {
        assert.equal(refused[name], false, `call ${call}: instance ${name} allowed a call after refusing one in this window`);
        // What an instance reports lies between the true total (it never counts a call that did
        // not happen) and its own calls (which it always knows), and never goes back up.
        assert.ok(remaining >= 60 - call, `call ${call} on ${name}: remaining ${remaining} < ${60 - call}`);
        assert.ok(remaining <= 60 - ownCalls[name], `call ${call} on ${name}: remaining ${remaining} ignores its own ${ownCalls[name]} calls`);
        assert.ok(remaining <= lastRemaining[name], `call ${call} on ${name}: remaining went up from ${lastRemaining[name]} to ${remaining}`);
        lastRemaining[name] = remaining;
      } else {
        assert.equal(answer.status, 429, answer.body);
        assert.ok(call > 60, `call ${call} refused before the quota was spent`);
        assert.equal(JSON.parse(answer.body).code, 'api_user.rate_limited');
        assert.equal(remaining, 0);
        // Both instances read one clock: the window ends at the minute, 55 s away.
        assert.equal(answer.headers['retry-after'], '55');
        assert.equal(answer.headers['ratelimit-reset'], '55');
        refused[name] = true;
        firstRefusal ||= call;
      }
    }
    ctx.diagnostic(`first 429 at call ${firstRefusal}; both instances refusing from call ${call}`);
    // docs/credentials.md#rate-limits: each instance may go past the quota by ⌈left / 4⌉ (at
    // most 15 here) plus what it admits during one sync's round trip (a few calls at this pace:
    // they come back to back). Counted apart, the first 429 would be call 121.
    assert.ok(firstRefusal <= 60 + 2 * (15 + 5), `first 429 at call ${firstRefusal}`);
    await waitFor('every call, refused ones too, on the shared row', 2_000, async () => (await sharedCounts(one, user.id))[hhmm(clock.now().getTime())] === call);
    const metrics = await one.app.inject({ url: '/metrics' });
    assert.match(metrics.body, /^apiusers_rate_limit_sync_duration_seconds_count [1-9]/m);
  });

  it('the window ends at the minute on both instances; the minute before last is deleted', { skip }, async () => {
    const user = await lowApiUserWithKey(one, owner);
    for (let i = 0; i < 30; i++) assert.equal((await accountInfo(i % 2 ? two : one, user.key)).status, 200);
    const first = hhmm(clock.now().getTime());
    await waitFor('30 calls on the shared row', 2_000, async () => (await sharedCounts(one, user.id))[first] === 30);
    // 92 calls in all: past the quota and its overshoot bound on both instances.
    for (let i = 0; i < 60; i++) await accountInfo(i % 2 ? two : one, user.key);
    assert.equal((await accountInfo(one, user.key)).status, 429);
    assert.equal((await accountInfo(two, user.key)).status, 429);
    await waitFor('92 calls on the shared row', 2_000, async () => (await sharedCounts(one, user.id))[first] === 92);

    clock.advance(60_000); // hh:mm+1:05
    const onOne = await accountInfo(one, user.key);
    assert.equal(onOne.status, 200, onOne.body);
    assert.equal(onOne.headers['ratelimit-remaining'], '59');
    assert.equal(onOne.headers['ratelimit-reset'], '55');
    const onTwo = await accountInfo(two, user.key);
    assert.equal(onTwo.status, 200, onTwo.body);
    assert.ok(['58', '59'].includes(onTwo.headers['ratelimit-remaining'] as string), `remaining ${onTwo.headers['ratelimit-remaining']}`);
    const second = hhmm(clock.now().getTime());
    await waitFor('the new minute on the shared row', 2_000, async () => (await sharedCounts(one, user.id))[second] === 2);
    assert.equal((await sharedCounts(one, user.id))[first], 92, 'the previous minute stays a minute longer, for a clock a little behind');

    clock.advance(60_000);
    assert.equal((await accountInfo(two, user.key)).status, 200);
    const third = hhmm(clock.now().getTime());
    await waitFor('the minute before last deleted', 2_000, async () => {
      const counts = await sharedCounts(one, user.id);
      return counts[third] === 1 && counts[first] === undefined;
    });
    assert.deepEqual(await sharedCounts(one, user.id), { [second]: 2, [third]: 1 });
  });
});

/** A TCP proxy to PostgreSQL that the test can cut and restore: an outage without touching the server. */
async function startProxy(target: URL): Promise<{ port: number; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const serve = (server: Server, port: number) => new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  const newServer = () => createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => { client.destroy(); upstream.destroy(); });
    }
    client.pipe(upstream).pipe(client);
  });
  let server = newServer();
  await serve(server, 0);
  const port = (server.address() as AddressInfo).port;
  const cut = async () => {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  };
  return {
    port, cut,
    restore: async () => {
      if (server.listening) return;
      server = newServer();
      await serve(server, port);
    },
    close: async () => {
      if (server.listening) await cut();
    },
  };
}

describe('API user rate limits while PostgreSQL is unreachable', () => {
  const url = postgresUrl();
  const clock = minuteClock();
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  let instance: Instance;
  let owner: TestSession;
  let drop: () => Promise<void>;
  let dataDir: string;
  before(async () => {
    if (!url) return;
    const created = await createSchema(url);
    drop = created.drop;
    proxy = await startProxy(new URL(url));
    const viaProxy = new URL(url);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(proxy.port);
    dataDir = mkdtempSync(join(tmpdir(), 'apiusers-test-'));
    // The in-process bus: the PostgreSQL one clears the verification cache when its connection
    // drops (by design), which would make this a test of the cache, not of the limiter.
    instance = await startInstance({
      databaseUrl: viaProxy.href, schema: created.schema, clock, dataDir, secretKey: randomBytes(32).toString('hex'), bus: 'local', logs: true,
    });
    owner = await setupOrganization(instance);
  });
  after(async () => {
    if (!url) return;
    await proxy.restore();
    await instance.close();
    await proxy.close();
    await drop();
    rmSync(dataDir, { recursive: true, force: true });
    agent.destroy();
  });

  const messages = (pattern: RegExp) => instance.logs.filter((line) => pattern.test(String(line.msg)));

  it('requests are answered and limited on the instance\'s count, one warning per outage, and the count is shared when it is back', { skip }, async () => {
    const user = await lowApiUserWithKey(instance, owner);
    const minute = hhmm(clock.now().getTime());
    for (let i = 1; i <= 10; i++) assert.equal((await accountInfo(instance, user.key)).status, 200);
    await waitFor('10 calls on the shared row', 2_000, async () => (await sharedCounts(instance, user.id))[minute] === 10);

    await proxy.cut();
    assert.equal((await instance.app.inject({ url: '/readyz' })).statusCode, 503, 'the database is really gone');
    for (let i = 11; i <= 60; i++) {
      const answer = await accountInfo(instance, user.key);
      assert.equal(answer.status, 200, `call ${i}: ${answer.body}`);
      assert.equal(answer.headers['ratelimit-remaining'], String(60 - i));
    }
    const refused = await accountInfo(instance, user.key);
    assert.equal(refused.status, 429, refused.body);
    assert.equal(refused.headers['retry-after'], '55');
    // Several syncs fail meanwhile (one every 50 ms); one line says so.
    await waitFor('failed syncs', 2_000, async () => {
      const failures = /^apiusers_rate_limit_sync_failures_total (\d+)$/m.exec((await instance.app.inject({ url: '/metrics' })).body)?.[1];
      return Number(failures) >= 3;
    });
    assert.equal(messages(/rate-limit sync with PostgreSQL failed/).length, 1);
    assert.equal(messages(/rate-limit sync with PostgreSQL failed/)[0]!.level, 40, 'warn');

    await proxy.restore();
    await waitFor('the counts of the outage on the shared row', 3_000, async () => (await sharedCounts(instance, user.id).catch(() => ({} as Record<string, number>)))[minute] === 61);
    assert.equal(messages(/rate-limit sync with PostgreSQL works again/).length, 1);
    assert.equal(messages(/rate-limit sync with PostgreSQL failed/).length, 1, 'still one line for the whole outage');
  });
});
