import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CONFIG_OPTIONS } from '../src/config/config.js';

/**
 * A newcomer's first run against a real process on a real port: `apiusers serve` prints a setup
 * link, the owner completes setup over HTTP, and a restart on the same data folder keeps the
 * server secret (so sessions survive) and prints no link.
 */

const BIN = join(import.meta.dirname, '..', 'src', 'cli', 'bin.ts');
const OWNER = { email: 'owner@acme.example', password: 'correct horse battery staple' };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

interface Server {
  child: ChildProcessWithoutNullStreams;
  /** Everything printed on stdout so far. */
  output(): string;
  /** Resolves with the first match of `pattern` in stdout, or fails after `ms`. */
  waitFor(pattern: RegExp, ms?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

function startServer(env: Record<string, string>): Server {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  for (const key of CONFIG_OPTIONS) delete childEnv[key];
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, 'serve'], { env: { ...childEnv, ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => stdout,
    waitFor: (pattern, ms = 30_000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => finish(new Error(`no ${pattern} within ${ms} ms.\nstdout:\n${stdout}\nstderr:\n${stderr}`)), ms);
      const check = () => {
        const match = stdout.match(pattern);
        if (match) finish(null, match);
      };
      const onExit = (code: number | null) => finish(new Error(`server exited (${code}) before printing ${pattern}.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
      function finish(error: Error | null, match?: RegExpMatchArray) {
        clearTimeout(timer);
        child.stdout.off('data', check);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve(match!);
      }
      child.stdout.on('data', check);
      child.once('exit', onExit);
      check();
    }),
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** A JSON body, loosely typed: the assertions check its shape. */
const json = (response: Response): Promise<any> => response.json();

/** `name=value` of the session cookie from a fetch response. */
function sessionCookie(response: Response): string {
  const cookie = response.headers.getSetCookie().find((c) => c.startsWith('apiusers_session='));
  assert.ok(cookie, `expected a session cookie, got ${response.headers.getSetCookie().join(' | ')}`);
  assert.match(cookie, /HttpOnly/i);
  return cookie.split(';')[0]!;
}

describe('apiusers serve: first run and restart', () => {
  let dir: string;
  let env: Record<string, string>;
  let base: string;
  let server: Server;
  let setupToken: string;
  let ownerSession: { cookie: string; csrf: string; organizationId: string };
  let secretKey: string;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'apiusers-serve-'));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    env = { PORT: String(port), DATA_DIR: join(dir, 'data'), DATABASE_URL: join(dir, 'data', 'apiusers.db'), LOG_LEVEL: 'info' };
    server = startServer(env);
  });
  after(async () => {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('first start prints a one-time setup link; GET /setup -> 200 HTML', async () => {
    const [, token] = await server.waitFor(new RegExp(`${base.replace(/\./g, '\\.')}/setup#token=([A-Za-z0-9_-]+)`));
    setupToken = token!;
    await server.waitFor(/apiusers is serving/);
    assert.match(server.output(), /generated a new server secret/);
    secretKey = readFileSync(join(env.DATA_DIR!, 'secret-key'), 'utf8');
    assert.match(secretKey.trim(), /^[0-9a-f]{64,}$/);

    const page = await fetch(`${base}/setup`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(await page.text(), /<html/i);
  });

  it('POST /v1/setup with the token -> 201 and a session cookie; the token then -> 404', async () => {
    const payload = {
      token: setupToken,
      organization: { name: 'Acme Corp', time_zone: 'America/Chicago' },
      owner: { email: OWNER.email, first_name: 'Olivia', last_name: 'Owner', password: OWNER.password },
    };
    const response = await fetch(`${base}/v1/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    assert.equal(response.status, 201, await response.clone().text());
    sessionCookie(response);
    const created = await json(response);
    assert.match(created.organization.display_name, /^[1-9]\d{8} ACME CORP$/);

    const again = await fetch(`${base}/v1/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    assert.equal(again.status, 404);
    assert.equal(again.headers.get('content-type'), 'application/problem+json');
  });

  it('sign in -> 200; add an administrator with the cookie and X-CSRF-Token -> 201 (without the token -> 403)', async () => {
    const signIn = await fetch(`${base}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OWNER) });
    assert.equal(signIn.status, 200, await signIn.clone().text());
    const body = await json(signIn);
    ownerSession = { cookie: sessionCookie(signIn), csrf: body.csrf_token, organizationId: body.organization.id };

    const url = `${base}/v1/organizations/${ownerSession.organizationId}/administrators`;
    const admin = { email: 'melanie@acme.example', first_name: 'Melanie', last_name: 'Allen', role_id: 'administrator', password: 'a long enough passphrase here' };
    const noCsrf = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', cookie: ownerSession.cookie }, body: JSON.stringify(admin) });
    assert.equal(noCsrf.status, 403);
    assert.equal((await json(noCsrf)).code, 'auth.csrf_failed');

    const created = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: ownerSession.cookie, 'x-csrf-token': ownerSession.csrf },
      body: JSON.stringify(admin),
    });
    assert.equal(created.status, 201, await created.clone().text());
    assert.equal((await json(created)).administrator.email, 'melanie@acme.example');
  });

  it('/readyz 200, /metrics has the request histogram, /openapi.json is OpenAPI 3.1.0, /docs 200 HTML', async () => {
    const ready = await fetch(`${base}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await json(ready), { status: 'ok' });

    const metrics = await fetch(`${base}/metrics`);
    assert.equal(metrics.status, 200);
    const text = await metrics.text();
    assert.match(text, /^apiusers_http_request_duration_seconds_bucket\{.*route="\/v1\/setup".*status_code="201"/m);

    const openapi = await fetch(`${base}/openapi.json`);
    assert.equal(openapi.status, 200);
    assert.equal((await json(openapi)).openapi, '3.1.0');

    const docs = await fetch(`${base}/docs`);
    assert.equal(docs.status, 200);
    assert.match(docs.headers.get('content-type') ?? '', /^text\/html/);
  });

  it('SIGTERM -> exit 0; a restart on the same data folder prints no setup link and keeps the secret, so the session still works', async () => {
    assert.equal(await server.stop(), 0);
    server = startServer(env);
    await server.waitFor(/apiusers is serving/);
    assert.doesNotMatch(server.output(), /setup#token=/);
    assert.doesNotMatch(server.output(), /generated a new server secret/);
    assert.equal(readFileSync(join(env.DATA_DIR!, 'secret-key'), 'utf8'), secretKey);

    const me = await fetch(`${base}/v1/session`, { headers: { cookie: ownerSession.cookie } });
    assert.equal(me.status, 200, await me.clone().text());
    assert.equal((await json(me)).administrator.email, OWNER.email);

    // A change with the old session's CSRF token works: the token is derived from the same secret.
    const org = await fetch(`${base}/v1/organizations/${ownerSession.organizationId}`, { headers: { cookie: ownerSession.cookie } });
    const renamed = await fetch(`${base}/v1/organizations/${ownerSession.organizationId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json', cookie: ownerSession.cookie, 'x-csrf-token': ownerSession.csrf, 'if-match': org.headers.get('etag')! },
      body: JSON.stringify({ name: 'Acme Corporation' }),
    });
    assert.equal(renamed.status, 200, await renamed.clone().text());

    const signIn = await fetch(`${base}/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OWNER) });
    assert.equal(signIn.status, 200);
    assert.equal((await json(signIn)).organization.name, 'Acme Corporation');
    assert.ok(!server.output().includes(OWNER.password), 'the password reached the log');
    assert.ok(!server.output().includes(ownerSession.cookie.split('=')[1]!), 'the session token reached the log');
  });
});
