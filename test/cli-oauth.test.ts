import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { createDeps } from '../src/cli/create-deps.js';
import { loadConfig } from '../src/config/config.js';
import { buildApp } from '../src/http/app.js';
import type { AppDeps } from '../src/http/deps.js';
import { createApiUser, decodeJwtParts, type TestApiUser } from './support/oauth.js';
import { setupOrganization } from './support/sessions.js';
import { runCli } from './support/cli.js';

/**
 * `apiusers token` (a real client credentials grant over HTTP, secret on stdin) and
 * `apiusers signing-keys list|rotate` (on the server's own database file), as child processes
 * next to a server listening on a port.
 */

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('apiusers token and apiusers signing-keys', () => {
  let dir: string;
  let env: Record<string, string>;
  let url: string;
  let app: FastifyInstance;
  let deps: AppDeps;
  let user: TestApiUser;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apiusers-cli-oauth-'));
    url = `http://127.0.0.1:${await freePort()}`;
    env = { DATABASE_URL: join(dir, 'apiusers.db'), DATA_DIR: dir, PUBLIC_URL: url, LOG_LEVEL: 'silent' };
    deps = await createDeps(loadConfig(env));
    app = await buildApp(deps, { logger: false });
    await app.listen({ port: Number(new URL(url).port), host: '127.0.0.1' });
    const t = { app, deps, close: async () => undefined };
    user = await createApiUser(t, await setupOrganization(t), 'Cli:token%+2026');
  });
  after(async () => {
    await app.close();
    await deps.database.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('token: the secret on stdin -> the access token on stdout; --json -> the whole response', async () => {
    const plain = await runCli(['token', '--username', user.username, '--url', url], env, `${user.password}\n`);
    assert.equal(plain.code, 0, plain.stderr);
    const { payload } = decodeJwtParts(plain.stdout.trim());
    assert.equal(payload.sub, user.id);
    assert.equal(payload.aud, 'httpapi');

    const json = await runCli(['token', '--username', user.username, '--scope', 'account:read', '--json'], env, user.password);
    assert.equal(json.code, 0, json.stderr);
    const body = JSON.parse(json.stdout);
    assert.equal(body.token_type, 'Bearer');
    assert.equal(body.scope, 'account:read');
  });

  it('token: a wrong secret -> exit 1, one line naming invalid_client; an unassigned application -> invalid_target', async () => {
    const wrong = await runCli(['token', '--username', user.username, '--url', url], env, 'not-the-password');
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /^error: invalid_client: /);
    assert.equal(wrong.stderr.trimEnd().split('\n').length, 1);
    const target = await runCli(['token', '--username', user.username, '--application', 'salesforce', '--url', url], env, user.password);
    assert.equal(target.code, 1);
    assert.match(target.stderr, /^error: invalid_target: /);
  });

  it('signing-keys rotate -> a new active key the running server signs with within 5 s; list shows it and the retired one', async () => {
    const before = decodeJwtParts((await runCli(['token', '--username', user.username], env, user.password)).stdout.trim()).header.kid;
    const rotated = await runCli(['signing-keys', 'rotate', '--json'], env);
    assert.equal(rotated.code, 0, rotated.stderr);
    const { kid, retired } = JSON.parse(rotated.stdout);
    assert.notEqual(kid, before);
    assert.equal(retired, 1);

    // A running server re-reads the active key at most every 5 s (docs/oauth.md).
    await new Promise((resolve) => setTimeout(resolve, 5_200));
    const after = await runCli(['token', '--username', user.username], env, user.password);
    assert.equal(decodeJwtParts(after.stdout.trim()).header.kid, kid);

    const list = await runCli(['signing-keys', 'list', '--json'], env);
    assert.equal(list.code, 0, list.stderr);
    const states = Object.fromEntries(JSON.parse(list.stdout).data.map((k: { kid: string; state: string }) => [k.kid, k.state]));
    assert.deepEqual(states, { [kid]: 'active', [before as string]: 'retired' });
    const human = await runCli(['signing-keys', 'list'], env);
    assert.match(human.stdout, /Kid\s+Algorithm\s+State/);
    const jwks = await (await fetch(`${url}/.well-known/jwks.json`)).json() as { keys: Array<{ kid: string }> };
    assert.deepEqual(jwks.keys.map((k) => k.kid).sort(), [kid, before].sort());
  });
});
