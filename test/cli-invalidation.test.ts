import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config/config.js';
import { createDeps } from '../src/cli/create-deps.js';
import { buildApp } from '../src/http/app.js';
import type { AppDeps } from '../src/http/deps.js';
import { SqliteInvalidationBus } from '../src/modules/api-auth/sqlite-invalidation-bus.js';
import { runCli, seedWithCli } from './support/cli.js';
import { postgresUrl } from './support/test-app.js';

/**
 * An operator runs the CLI beside the running server, on the same SQLite file: another process,
 * whose changes the server's verification cache must hear. The server is the real application,
 * composed as `apiusers serve` composes it (createDeps), on a real port; the CLI runs as a child
 * process. Without the bus, a revoked key or a disabled user would still be answered 200 from the
 * cache for its TTL (60 s).
 */

const REFUSED_WITHIN_MS = 1_000;

describe('a change made by the CLI in another process reaches the running server', { skip: postgresUrl() ? 'SQLite only: on PostgreSQL the CLI\'s changes travel by LISTEN/NOTIFY (test/invalidation.test.ts)' : false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'apiusers-cli-invalidation-'));
  const env = { DATA_DIR: dir, DATABASE_URL: join(dir, 'apiusers.db') };
  let org: string;
  let username: string;
  const keys: Array<{ id: string; key: string }> = [];
  let deps: AppDeps;
  let app: FastifyInstance;
  let base: string;

  before(async () => {
    ({ org, username } = await seedWithCli(env));
    for (const name of ['to revoke', 'to keep']) {
      const created = await runCli(['keys', 'create', '--org', org, username, '--name', name, '--json'], env);
      assert.equal(created.code, 0, created.stderr);
      keys.push(JSON.parse(created.stdout));
    }
    deps = await createDeps(loadConfig({ ...env, LOG_LEVEL: 'silent' }));
    app = await buildApp(deps, { logger: false });
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  after(async () => {
    await app?.close();
    await deps?.database.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const accountInfo = (key: string) => fetch(`${base}/v2/account-info`, { headers: { authorization: `Bearer ${key}` } });
  const bus = () => deps.invalidation as SqliteInvalidationBus;

  /** Calls with `key` until the answer is `status`; fails after REFUSED_WITHIN_MS from now. */
  async function refusedWithin(key: string, status: number): Promise<{ code: string; ms: number }> {
    const start = performance.now();
    for (;;) {
      const response = await accountInfo(key);
      const ms = performance.now() - start;
      const body = await response.text();
      if (response.status === status) return { code: JSON.parse(body).code, ms };
      assert.equal(response.status, 200, body);
      if (ms > REFUSED_WITHIN_MS) assert.fail(`still ${response.status} ${ms.toFixed(0)} ms after the CLI exited`);
      await sleep(25);
    }
  }

  it('the server polls the file with the SQLite bus', () => {
    assert.ok(deps.invalidation instanceof SqliteInvalidationBus);
  });

  it('keys revoke in the CLI -> the server refuses the cached key within a second: 401 credential.revoked', async (t) => {
    const first = await accountInfo(keys[0]!.key);
    assert.equal(first.status, 200, await first.text());
    assert.equal(deps.verificationCache.size, 1, 'the key\'s verification is cached');
    assert.equal((await accountInfo(keys[0]!.key)).status, 200, 'and served from the cache');

    const revoked = await runCli(['keys', 'revoke', '--org', org, username, keys[0]!.id], env);
    assert.equal(revoked.code, 0, revoked.stderr);
    const refused = await refusedWithin(keys[0]!.key, 401);
    assert.equal(refused.code, 'credential.revoked');
    t.diagnostic(`revoked key refused ${refused.ms.toFixed(0)} ms after the CLI exited`);
  });

  it('api-users disable in the CLI -> the server refuses the user\'s cached key within a second: 403 auth.account_disabled', async (t) => {
    const first = await accountInfo(keys[1]!.key);
    assert.equal(first.status, 200, await first.text());
    assert.ok(deps.verificationCache.size >= 1, 'the key\'s verification is cached');

    const disabled = await runCli(['api-users', 'disable', '--org', org, username, '--yes'], env);
    assert.equal(disabled.code, 0, disabled.stderr);
    const refused = await refusedWithin(keys[1]!.key, 403);
    assert.equal(refused.code, 'auth.account_disabled');
    t.diagnostic(`disabled user refused ${refused.ms.toFixed(0)} ms after the CLI exited`);
  });

  it('the server\'s own writes, and a CLI command that changes nothing (it migrates and reads), make the server read nothing', async () => {
    await bus().poll();
    const reads = bus().readCount;
    await deps.invalidation.userChanged('01a21300-0000-7000-8000-000000000000'); // a row written on the server's own connection
    const listed = await runCli(['keys', 'list', '--org', org, username, '--json'], env);
    assert.equal(listed.code, 0, listed.stderr);
    await waitForPolls(bus().pollCount + 2);
    assert.equal(bus().readCount, reads, 'data_version did not move, so cache_invalidations was not read');
  });

  async function waitForPolls(count: number): Promise<void> {
    const deadline = Date.now() + 2_000;
    while (bus().pollCount < count) {
      if (Date.now() > deadline) assert.fail(`the timer did not poll ${count} times`);
      await sleep(20);
    }
  }
});
