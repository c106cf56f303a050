import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openDatabase, type Database } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { createManualClock } from '../src/lib/clock.js';
import { deleteCacheInvalidationsBefore, findLatestCacheInvalidationId, insertCacheInvalidation } from '../src/modules/api-auth/cache-invalidation.repository.js';
import { SqliteInvalidationBus } from '../src/modules/api-auth/sqlite-invalidation-bus.js';
import { VerificationCache, type VerifiedCredential } from '../src/modules/api-auth/verification-cache.js';
import { postgresUrl } from './support/test-app.js';
import { waitFor } from './support/two-instances.js';

/**
 * The SQLite bus on a real file with two connections, as the server and a CLI command hold them:
 * "server" polls, "cli" announces changes. Every poll here is called by hand (pollIntervalMs is
 * an hour) except in the timer's own test.
 */

const verified = (userId: string, organizationId = 'acme'): VerifiedCredential => ({
  userId, organizationId, credentialId: `cred-${userId}`, username: `user-${userId}`, applications: new Set(['httpapi']),
  kind: 'api_key', expiresAt: null, rateLimitTier: null,
});
const HOUR = 3_600_000;

describe('SqliteInvalidationBus: another process on the same file', { skip: postgresUrl() ? 'SQLite only (PostgreSQL instances use LISTEN/NOTIFY: test/invalidation.test.ts)' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'apiusers-sqlite-bus-'));
  const file = join(dir, 'apiusers.db');
  let server: Database;
  let cli: Database;
  const started: SqliteInvalidationBus[] = [];
  before(async () => {
    server = openDatabase({ engine: 'sqlite', file });
    await migrateToLatest(server.db);
    cli = openDatabase({ engine: 'sqlite', file });
  });
  afterEach(async () => {
    for (const bus of started.splice(0)) await bus.stop();
  });
  after(async () => {
    await cli.destroy();
    await server.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  async function startBus(database: Database, cache = new VerificationCache(), options: Partial<ConstructorParameters<typeof SqliteInvalidationBus>[0]> = {}) {
    const bus = new SqliteInvalidationBus({ db: database.db, cache, pollIntervalMs: HOUR, ...options });
    await bus.start();
    started.push(bus);
    return { bus, cache };
  }
  const rowCount = async () => Number((await sql<{ n: number }>`select count(*) as n from cache_invalidations`.execute(server.db)).rows[0]!.n);

  it('a user change committed by the other connection drops that user\'s entries at the next poll, and only them; an organization change drops the organization\'s', async () => {
    const { bus, cache } = await startBus(server);
    const { bus: cliBus } = await startBus(cli);
    cache.set('key-a', verified('a'));
    cache.set('key-b', verified('b'));
    cache.set('key-other', verified('c', 'other'));

    await cliBus.userChanged('a');
    assert.equal(cache.get('key-a')?.userId, 'a', 'nothing happens here before the poll');
    await bus.poll();
    assert.equal(cache.get('key-a'), undefined);
    assert.equal(cache.get('key-b')?.userId, 'b');

    await cliBus.organizationChanged('acme');
    await bus.poll();
    assert.equal(cache.get('key-b'), undefined);
    assert.equal(cache.get('key-other')?.userId, 'c', 'another organization keeps its entries');
  });

  it('polls without another connection\'s commit read nothing: not after the server\'s own changes either, whose rows it never applies again', async () => {
    const { bus, cache } = await startBus(server);
    const { bus: cliBus } = await startBus(cli);
    await bus.poll();
    assert.equal(bus.readCount, 0, 'nothing committed elsewhere since start');

    cache.set('key-a', verified('a'));
    await bus.userChanged('b'); // the server's own change: a row written on its own connection
    for (let i = 0; i < 3; i++) await bus.poll();
    assert.equal(bus.pollCount, 4);
    assert.equal(bus.readCount, 0, 'its own commits do not move data_version');

    const before = cache.generation;
    await cliBus.userChanged('a');
    await bus.poll();
    assert.equal(bus.readCount, 1, 'the other connection\'s commit is read once');
    assert.equal(cache.get('key-a'), undefined);
    assert.equal(cache.generation, before + 1, 'its own row (user b) was read but not applied again');
    await bus.poll();
    assert.equal(bus.readCount, 1);
  });

  it('a row written before the bus starts is not applied (the cache starts empty); one written after start is', async () => {
    const { bus: cliBus } = await startBus(cli);
    await cliBus.userChanged('a');
    const { bus, cache } = await startBus(server);
    cache.set('key-a', verified('a'));
    await bus.poll();
    assert.equal(cache.get('key-a')?.userId, 'a', 'cached after the change: not dropped by it');
    await cliBus.userChanged('a');
    await bus.poll();
    assert.equal(cache.get('key-a'), undefined);
  });

  it('a row of a kind this version does not know, or unreadable, clears the whole cache', async () => {
    const { bus, cache } = await startBus(server);
    cache.set('key-a', verified('a'));
    cache.set('key-other', verified('c', 'other'));
    await insertCacheInvalidation(cli.db, { payload: '{"kind":"role","role_id":"r1","origin":"newer"}', origin: 'newer', createdAt: new Date().toISOString() });
    await bus.poll();
    assert.equal(cache.size, 0);
  });

  it('the timer polls every pollIntervalMs while started, and not after stop()', async () => {
    const { bus, cache } = await startBus(server, new VerificationCache(), { pollIntervalMs: 20 });
    const { bus: cliBus } = await startBus(cli);
    cache.set('key-a', verified('a'));
    await cliBus.userChanged('a');
    await waitFor('the timer\'s poll drops user a', 1_000, async () => cache.get('key-a') === undefined);
    await bus.stop();
    const polls = bus.pollCount;
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(bus.pollCount, polls);
  });

  it('writers delete rows older than the retention, at most once a minute each', async () => {
    const clock = createManualClock('2026-03-02T15:00:00.000Z');
    await sql`delete from cache_invalidations`.execute(server.db);
    const { bus: cliBus } = await startBus(cli, new VerificationCache(), { clock, retentionMs: 10 * 60_000 });
    await cliBus.userChanged('a'); // 15:00:00, and the first cleanup (nothing to delete)
    clock.advance(30_000);
    await cliBus.userChanged('b'); // 15:00:30
    clock.advance(10 * 60_000);
    await cliBus.userChanged('c'); // 15:10:30: cleanup, 'a' is older than 10 minutes
    assert.equal(await rowCount(), 2);
    clock.advance(30_000);
    await cliBus.userChanged('d'); // 15:11:00: 'b' is old too, but the last cleanup was 30 s ago
    assert.equal(await rowCount(), 3);
    clock.advance(31_000);
    await cliBus.userChanged('e'); // 15:11:31: cleanup, 'b' goes
    assert.equal(await rowCount(), 3);
    clock.advance(60 * 60_000);
    await cliBus.userChanged('f');
    assert.equal(await rowCount(), 1, 'only the row just written is recent');
  });

  it('deleteCacheInvalidationsBefore keeps the newest row even when it is old: a reader starting later begins from its id', async () => {
    await sql`delete from cache_invalidations`.execute(server.db);
    for (const user of ['a', 'b', 'c']) await insertCacheInvalidation(cli.db, { payload: `{"kind":"user","user_id":"${user}"}`, origin: 'cli', createdAt: '2026-03-02T15:00:00.000Z' });
    const newest = await findLatestCacheInvalidationId(cli.db);
    assert.equal(await deleteCacheInvalidationsBefore(cli.db, '2026-03-02T16:00:00.000Z'), 2);
    assert.equal(await findLatestCacheInvalidationId(cli.db), newest);
  });

  it('ids keep growing after every row is deleted (AUTOINCREMENT): a server that saw id n hears the next row', async () => {
    const { bus, cache } = await startBus(server);
    const { bus: cliBus } = await startBus(cli);
    await cliBus.userChanged('x');
    await bus.poll();
    const seen = await findLatestCacheInvalidationId(server.db);
    await sql`delete from cache_invalidations`.execute(cli.db); // more than any cleanup does
    cache.set('key-a', verified('a'));
    await cliBus.userChanged('a');
    assert.ok(await findLatestCacheInvalidationId(cli.db) > seen, 'a plain rowid would start again at 1');
    await bus.poll();
    assert.equal(cache.get('key-a'), undefined);
  });

  it('rows deleted before the server read them (it fell behind) clear the whole cache', async () => {
    const { bus, cache } = await startBus(server);
    const { bus: cliBus } = await startBus(cli);
    await cliBus.userChanged('x');
    await cliBus.userChanged('y');
    // As the retention would, had the server not polled for longer than it: only the newest is left.
    await sql`delete from cache_invalidations where id < (select max(id) from cache_invalidations)`.execute(cli.db);
    cache.set('key-other', verified('c', 'other'));
    await bus.poll();
    assert.equal(cache.size, 0);
  });

  it('a poll that fails clears the cache, reports once per outage, and reads again when it works', async () => {
    const errors: Array<[unknown, string]> = [];
    const { bus, cache } = await startBus(server, new VerificationCache(), { onError: (error, during) => errors.push([error, during]) });
    const { bus: cliBus } = await startBus(cli);
    await cliBus.userChanged('a');
    await sql`alter table cache_invalidations rename to cache_invalidations_away`.execute(cli.db);
    try {
      cache.set('key-b', verified('b'));
      await bus.poll();
      assert.equal(cache.size, 0);
      cache.set('key-b', verified('b'));
      await bus.poll();
      assert.equal(cache.size, 0, 'cleared at every failed poll');
      assert.deepEqual(errors.map(([, during]) => during), ['poll'], 'reported once');
    } finally {
      await sql`alter table cache_invalidations_away rename to cache_invalidations`.execute(cli.db);
    }
    cache.set('key-b', verified('b'));
    await bus.poll();
    assert.equal(cache.get('key-b')?.userId, 'b', 'the row of user a is applied, b stays');
    await cliBus.userChanged('b');
    await bus.poll();
    assert.equal(cache.get('key-b'), undefined);
  });
});
