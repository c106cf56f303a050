import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createManualClock } from '../../src/lib/clock.js';
import { addAdministrator, as, setupOrganization, type TestSession } from '../support/sessions.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const TOKEN_FORMAT = /^au_pat_[0-9A-Za-z]{38}$/;

function assertProblem(response: LightMyRequestResponse, status: number, code: string): Record<string, any> {
  assert.equal(response.statusCode, status, response.body);
  assert.equal(response.headers['content-type'], 'application/problem+json');
  const problem = response.json();
  assert.equal(problem.code, code);
  return problem;
}

async function createToken(t: TestApp, session: TestSession, payload: { name: string; expires_in_days?: number } = { name: 'ci pipeline' }) {
  const response = await as(t.app, session, { method: 'POST', url: '/v1/me/tokens', payload });
  assert.equal(response.statusCode, 201, response.body);
  return response.json() as { id: string; token: string; hint: string };
}

/** A request with only `Authorization: Bearer`: no cookie, no CSRF header. */
const bearer = (t: TestApp, token: string, options: { method?: 'GET' | 'PATCH' | 'POST' | 'DELETE'; url: string; headers?: Record<string, string>; payload?: object }) =>
  t.app.inject({ method: options.method ?? 'GET', url: options.url, headers: { authorization: `Bearer ${token}`, ...options.headers }, ...(options.payload ? { payload: options.payload } : {}) });

function assertInvalidToken(response: LightMyRequestResponse): void {
  assertProblem(response, 401, 'auth.unauthenticated');
  assert.match(String(response.headers['www-authenticate']), /^Bearer .*error="invalid_token"/);
}

describe('personal access tokens', () => {
  const clock = createManualClock('2026-04-01T08:00:00Z');
  let t: TestApp;
  let owner: TestSession;
  before(async () => {
    t = await startTestApp({ clock });
    owner = await setupOrganization(t);
  });
  after(() => t.close());

  it('POST /v1/me/tokens -> 201 returns the token once, in the au_pat_ format, with Cache-Control no-store', async () => {
    const response = await as(t.app, owner, { method: 'POST', url: '/v1/me/tokens', payload: { name: 'deploy bot', expires_in_days: 30 } });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    const created = response.json();
    assert.match(created.token, TOKEN_FORMAT);
    assert.equal(created.name, 'deploy bot');
    assert.equal(created.hint, `${created.token.slice(0, 7)}…${created.token.slice(-4)}`);
    assert.equal(created.expires_at, '2026-05-01T08:00:00.000Z');
    assert.equal(created.last_used_at, null);
    assert.notEqual((await createToken(t, owner)).token, created.token, 'each token is new');
  });

  it('GET /v1/me/tokens -> 200 never shows the token or a hash; shows hint and last_used_at after use', async () => {
    const { id, token, hint } = await createToken(t, owner, { name: 'listed' });
    const listed = () => as(t.app, owner, { method: 'GET', url: '/v1/me/tokens' });
    const before = await listed();
    assert.equal(before.statusCode, 200);
    assert.ok(!before.body.includes(token), 'the secret is never listed');
    assert.ok(!before.body.includes(token.slice(7, -4)), 'nor any part of it beyond the hint');
    const entry = before.json().data.find((d: { id: string }) => d.id === id);
    assert.deepEqual(Object.keys(entry).sort(), ['created_at', 'expires_at', 'hint', 'id', 'last_used_at', 'last_used_ip', 'name', 'revoked_at']);
    assert.equal(entry.hint, hint);
    assert.equal(entry.last_used_at, null);

    clock.advance(5 * 60_000);
    assert.equal((await bearer(t, token, { url: `/v1/organizations/${owner.organizationId}` })).statusCode, 200);
    const used = (await listed()).json().data.find((d: { id: string }) => d.id === id);
    assert.equal(used.last_used_at, clock.now().toISOString());
    assert.equal(used.last_used_ip, '127.0.0.1');
  });

  it('Bearer token -> 200 on GET organization and on a PATCH without any CSRF header', async () => {
    const { token } = await createToken(t, owner);
    const url = `/v1/organizations/${owner.organizationId}`;
    const read = await bearer(t, token, { url });
    assert.equal(read.statusCode, 200, read.body);
    assert.equal(read.json().id, owner.organizationId);
    const changed = await bearer(t, token, { method: 'PATCH', url, headers: { 'if-match': String(read.headers.etag) }, payload: { name: 'Acme Renamed' } });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.equal(changed.json().name, 'Acme Renamed');
  });

  it('DELETE /v1/me/tokens/:id -> 204, then the token -> 401 with error="invalid_token"', async () => {
    const { id, token } = await createToken(t, owner);
    const url = `/v1/organizations/${owner.organizationId}`;
    assert.equal((await bearer(t, token, { url })).statusCode, 200);
    const revoked = await as(t.app, owner, { method: 'DELETE', url: `/v1/me/tokens/${id}` });
    assert.equal(revoked.statusCode, 204, revoked.body);
    assertInvalidToken(await bearer(t, token, { url }));
    assert.ok((await as(t.app, owner, { method: 'GET', url: '/v1/me/tokens' })).json().data.find((d: { id: string }) => d.id === id).revoked_at);
    assertProblem(await as(t.app, owner, { method: 'DELETE', url: `/v1/me/tokens/${id}` }), 404, 'token.not_found');
  });

  it('a token with a wrong checksum (last character changed) -> 401', async () => {
    const { token } = await createToken(t, owner);
    const url = `/v1/organizations/${owner.organizationId}`;
    assert.equal((await bearer(t, token, { url })).statusCode, 200);
    const last = token.at(-1)!;
    const flipped = token.slice(0, -1) + (last === 'a' ? 'b' : 'a');
    assert.match(flipped, TOKEN_FORMAT);
    assertInvalidToken(await bearer(t, flipped, { url }));
  });

  it('the token of an administrator who is then disabled -> 401', async () => {
    const admin = await addAdministrator(t, owner, 'administrator');
    const { token } = await createToken(t, admin);
    const url = `/v1/organizations/${owner.organizationId}`;
    assert.equal((await bearer(t, token, { url })).statusCode, 200);
    const adminUrl = `${url}/administrators/${admin.id}`;
    const read = await as(t.app, owner, { method: 'GET', url: adminUrl });
    const disabled = await as(t.app, owner, { method: 'PATCH', url: adminUrl, headers: { 'if-match': String(read.headers.etag) }, payload: { status: 'disabled' } });
    assert.equal(disabled.statusCode, 200, disabled.body);
    assertInvalidToken(await bearer(t, token, { url }));
  });

  it('a Viewer\'s token -> 200 on reads, 403 auth.forbidden on what a Viewer cannot do', async () => {
    const viewer = await addAdministrator(t, owner, 'viewer');
    const { token } = await createToken(t, viewer);
    const url = `/v1/organizations/${owner.organizationId}`;
    const read = await bearer(t, token, { url });
    assert.equal(read.statusCode, 200, read.body);
    assertProblem(await bearer(t, token, { method: 'PATCH', url, headers: { 'if-match': String(read.headers.etag) }, payload: { name: 'Viewer Was Here' } }), 403, 'auth.forbidden');
    assertProblem(await bearer(t, token, {
      method: 'POST', url: `${url}/administrators`,
      payload: { email: 'sneaky@acme.example', first_name: 'Sneaky', last_name: 'Viewer', role_id: 'viewer' },
    }), 403, 'auth.forbidden');
    assert.notEqual((await bearer(t, token, { url })).json().name, 'Viewer Was Here');
  });

  it('another administrator revoking my token -> 404 token.not_found, and it keeps working', async () => {
    const { id, token } = await createToken(t, owner);
    const other = await addAdministrator(t, owner, 'enterprise-super-admin');
    assertProblem(await as(t.app, other, { method: 'DELETE', url: `/v1/me/tokens/${id}` }), 404, 'token.not_found');
    assert.equal((await bearer(t, token, { url: `/v1/organizations/${owner.organizationId}` })).statusCode, 200);
    assert.ok(!(await as(t.app, other, { method: 'GET', url: '/v1/me/tokens' })).body.includes(id), 'my token is not in their list');
  });

  it('the database never stores the plaintext token', async () => {
    const { id, token } = await createToken(t, owner, { name: 'stored hashed' });
    assert.equal((await bearer(t, token, { url: `/v1/organizations/${owner.organizationId}` })).statusCode, 200);
    const rows = await t.deps.db.selectFrom('credentials').selectAll().execute();
    assert.ok(rows.some((r) => r.id === id), 'the token has a credentials row');
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        assert.ok(!String(value).includes(token), `credentials.${column} holds the token`);
        assert.ok(!String(value).includes(token.slice(7)), `credentials.${column} holds the token's secret part`);
      }
    }
  });
});

describe('personal access token expiry', () => {
  it('a token past its expiry (expires_in_days 1, 25 hours later) -> 401', async () => {
    const clock = createManualClock('2026-04-01T08:00:00Z');
    const t = await startTestApp({ clock });
    try {
      const owner = await setupOrganization(t);
      const { token } = await createToken(t, owner, { name: 'one day', expires_in_days: 1 });
      const url = `/v1/organizations/${owner.organizationId}`;
      clock.advance(23 * 3600_000);
      assert.equal((await bearer(t, token, { url })).statusCode, 200, 'still valid after 23 hours');
      clock.advance(2 * 3600_000);
      assertInvalidToken(await bearer(t, token, { url }));
    } finally {
      await t.close();
    }
  });
});
