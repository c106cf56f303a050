import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { loadConfig } from '../src/config/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { buildApp } from '../src/http/app.js';
import { systemClock } from '../src/lib/clock.js';
import { LocalInvalidationBus, PostgresInvalidationBus } from '../src/modules/api-auth/invalidation-bus.js';
import { VerificationCache, type VerifiedCredential } from '../src/modules/api-auth/verification-cache.js';
import { as, setupOrganization, type TestSession } from './support/sessions.js';
import { postgresUrl, withSchemaLock, type TestApp } from './support/test-app.js';

const verified = (userId: string): VerifiedCredential => ({
  userId, organizationId: 'org', credentialId: `cred-${userId}`, username: `user-${userId}`, applications: new Set(['httpapi']),
  kind: 'password', expiresAt: null, rateLimitTier: null,
});

describe('in-process invalidation (SQLite: one instance)', () => {
  it('userChanged drops that user\'s cached verifications at once and keeps the others', async () => {
    const cache = new VerificationCache();
    const bus = new LocalInvalidationBus(cache);
    await bus.start();
    cache.set('key-a1', verified('a'));
    cache.set('key-a2', verified('a'));
    cache.set('key-b', verified('b'));
    await bus.userChanged('a');
    assert.equal(cache.get('key-a1'), undefined);
    assert.equal(cache.get('key-a2'), undefined);
    assert.equal(cache.get('key-b')?.userId, 'b');
    await bus.stop();
  });
});

interface Instance extends TestApp {
  bus: PostgresInvalidationBus;
}

/**
 * Two service instances as a deployment runs them: one schema, one secret, a pool, a cache and a
 * listening bus each. Only instance one is migrated; instance two finds the tables there.
 */
async function startTwoInstances(url: string): Promise<{ one: Instance; two: Instance; admin: pg.Client; close(): Promise<void> }> {
  const schema = `t_${randomBytes(8).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const dataDir = mkdtempSync(join(tmpdir(), 'apiusers-test-'));
  const config = loadConfig({ DATA_DIR: dataDir, SECRET_KEY: randomBytes(32).toString('hex'), LOG_LEVEL: 'silent' });
  const start = async (migrate: boolean): Promise<Instance> => {
    const database = openDatabase({ engine: 'postgres', url }, { schema, poolSize: 3 });
    if (migrate) await migrateToLatest(database.db);
    const verificationCache = new VerificationCache();
    const bus = new PostgresInvalidationBus({ db: database.db, url, cache: verificationCache, initialBackoffMs: 50 });
    await bus.start();
    const deps = {
      config, database, db: database.db, clock: systemClock, secretKey: Buffer.from(config.secretKey!, 'hex'),
      verificationCache, invalidation: bus,
    };
    const app = await buildApp(deps, { logger: false });
    return {
      app, deps, bus,
      close: async () => {
        await app.close();
        await bus.stop();
        await database.destroy();
      },
    };
  };
  let one!: Instance;
  await withSchemaLock(url, async (client) => {
    await client.query(`create schema ${schema}`);
    one = await start(true);
  });
  const two = await start(false);
  return {
    one, two, admin,
    close: async () => {
      await one.close();
      await two.close();
      await withSchemaLock(url, (client) => client.query(`drop schema ${schema} cascade`).then(() => undefined));
      await admin.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** RFC 7617 §2: base64 of user-id ":" password. */
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;

async function waitFor(what: string, ms: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`${what}: not within ${ms} ms`);
    await sleep(10);
  }
}

describe('invalidation across instances (PostgreSQL LISTEN/NOTIFY)', () => {
  const url = postgresUrl();
  let instances: Awaited<ReturnType<typeof startTwoInstances>>;
  let owner: TestSession;
  let ipCounter = 0;
  before(async () => {
    if (!url) return;
    instances = await startTwoInstances(url);
    owner = await setupOrganization(instances.one, { name: 'Acme Corp' });
  });
  after(() => instances?.close());

  const usersUrl = (id = '') => `/v1/organizations/${owner.organizationId}/api-users${id ? `/${id}` : ''}`;
  async function createApiUser(password: string): Promise<{ id: string; username: string }> {
    const response = await as(instances.one.app, owner, {
      method: 'POST', url: usersUrl(), payload: { description: 'Magento integration', password, password_confirmation: password, applications: ['httpapi'] },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().api_user;
  }
  async function disableThroughOne(id: string): Promise<void> {
    const etag = (await as(instances.one.app, owner, { method: 'GET', url: usersUrl(id) })).headers.etag as string;
    const response = await as(instances.one.app, owner, {
      method: 'PATCH', url: `${usersUrl(id)}?confirm=true`, payload: { status: 'disabled' }, headers: { 'if-match': etag },
    });
    assert.equal(response.statusCode, 200, response.body);
  }
  const accountInfoOnTwo = (user: { username: string }, password: string, ip: string) =>
    instances.two.app.inject({ method: 'GET', url: '/v2/account-info', headers: { authorization: basic(user.username, password) }, remoteAddress: ip });

  /** Instance two serves the user from its cache, then refuses it once instance one disables it. */
  async function assertDisableReachesTwo(password: string): Promise<void> {
    const ip = `192.0.2.${++ipCounter}`;
    const user = await createApiUser(password);
    const first = await accountInfoOnTwo(user, password, ip);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(instances.two.deps.verificationCache.size, 1, 'the verification is now cached on instance two');
    await disableThroughOne(user.id);
    // Without the notification, instance two would answer 200 from its cache for the whole TTL (60 s).
    let last = 0;
    await waitFor('instance two refuses the disabled user', 1_000, async () => {
      const response = await accountInfoOnTwo(user, password, ip);
      last = response.statusCode;
      if (last === 403) assert.equal(response.json().code, 'auth.account_disabled');
      return last === 403;
    }).catch((error: unknown) => assert.fail(`${String(error)} (last status ${last})`));
  }

  it('user disabled through instance one -> 403 on instance two\'s next request, although it was cached there', { skip: !url && 'needs PostgreSQL (DATABASE_URL=postgres://…)' }, async () => {
    await assertDisableReachesTwo('sync-2026-magento-alpha');
  });

  it('listening connection killed -> reconnects, clears the cache meanwhile, and invalidation works again', { skip: !url && 'needs PostgreSQL (DATABASE_URL=postgres://…)' }, async () => {
    const password = 'sync-2026-magento-bravo';
    const user = await createApiUser(password);
    const cached = await accountInfoOnTwo(user, password, `192.0.2.${++ipCounter}`);
    assert.equal(cached.statusCode, 200, cached.body);
    assert.ok(instances.two.deps.verificationCache.size > 0);

    const killed = instances.two.bus.listenerPid;
    assert.ok(killed, 'instance two is listening');
    const { rows } = await instances.admin.query<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [killed]);
    assert.equal(rows[0]?.ok, true);
    await waitFor('instance two listens again on a new connection', 5_000, () => {
      const pid = instances.two.bus.listenerPid;
      return pid !== null && pid !== killed;
    });
    assert.equal(instances.two.deps.verificationCache.size, 0, 'notifications may have been missed while down: the whole cache is dropped');

    await assertDisableReachesTwo('sync-2026-magento-charlie');
  });
});
