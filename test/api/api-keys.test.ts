import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../src/http/app.js';
import { createManualClock } from '../../src/lib/clock.js';
import { generateCredential, parseCredential } from '../../src/lib/credential-format.js';
import { PostgresInvalidationBus } from '../../src/modules/api-auth/invalidation-bus.js';
import { VerificationCache } from '../../src/modules/api-auth/verification-cache.js';
import { addAdministrator, as, setupOrganization, type TestSession } from '../support/sessions.js';
import { postgresUrl, startTestApp, type TestApp } from '../support/test-app.js';

const KEY_FORMAT = /^au_key_[0-9A-Za-z]{38}$/;
const HOUR = 3600_000;

interface NewKey { id: string; key: string; name: string; hint: string; status: string; expires_at: string | null }

function assertProblem(response: LightMyRequestResponse, status: number, code: string): void {
  assert.equal(response.statusCode, status, response.body);
  assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  assert.equal(response.json().code, code, response.body);
}

/** The same base62 alphabet position shifted by one, so the checksum no longer matches. */
function flipLastCharacter(key: string): string {
  const last = key.at(-1)!;
  return key.slice(0, -1) + (last === 'z' ? 'y' : last === '9' ? '8' : last === 'Z' ? 'Y' : String.fromCharCode(last.charCodeAt(0) + 1));
}

describe(`API keys (${postgresUrl() ? 'PostgreSQL' : 'SQLite'})`, () => {
  const clock = createManualClock('2026-05-04T10:00:00.000Z');
  let t: TestApp;
  let owner: TestSession;
  before(async () => {
    // Tests move the clock by hours (expiry, rolling); the administrators' sessions must outlive that.
    t = await startTestApp({ clock, env: { SESSION_IDLE_MINUTES: '43200' } });
    owner = await setupOrganization(t, { name: 'Acme Corp' });
  });
  after(() => t.close());

  const usersUrl = (id = '') => `/v1/organizations/${owner.organizationId}/api-users${id ? `/${id}` : ''}`;
  const keysUrl = (userId: string, keyId = '') => `${usersUrl(userId)}/keys${keyId ? `/${keyId}` : ''}`;

  async function createApiUser(applications = ['httpapi']): Promise<{ id: string; username: string }> {
    const password = 'Key-owner-password-2026';
    const response = await as(t.app, owner, {
      method: 'POST', url: usersUrl(), payload: { description: 'Magento integration', password, password_confirmation: password, applications },
    });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().api_user;
  }
  async function createKey(userId: string, payload: Record<string, unknown> = { name: 'magento production' }): Promise<NewKey> {
    const response = await as(t.app, owner, { method: 'POST', url: keysUrl(userId), payload });
    assert.equal(response.statusCode, 201, response.body);
    return response.json();
  }
  async function listKeys(userId: string): Promise<Array<Record<string, any>>> {
    const response = await as(t.app, owner, { method: 'GET', url: keysUrl(userId) });
    assert.equal(response.statusCode, 200, response.body);
    return response.json().data;
  }
  const revoke = (userId: string, keyId: string) => as(t.app, owner, { method: 'DELETE', url: keysUrl(userId, keyId) });
  const roll = (userId: string, keyId: string, payload: Record<string, unknown> = {}) =>
    as(t.app, owner, { method: 'POST', url: `${keysUrl(userId, keyId)}/roll`, payload });
  async function change(id: string, payload: Record<string, unknown>) {
    const etag = (await as(t.app, owner, { method: 'GET', url: usersUrl(id) })).headers.etag as string;
    const response = await as(t.app, owner, { method: 'PATCH', url: `${usersUrl(id)}?confirm=true`, payload, headers: { 'if-match': etag } });
    assert.equal(response.statusCode, 200, response.body);
  }
  /** The consumption call integrations make, with the key as a Bearer token (default) or in X-API-Key. */
  const accountInfo = (key: string, options: { header?: 'bearer' | 'x-api-key'; application?: string; userAgent?: string; ip?: string } = {}) =>
    t.app.inject({
      method: 'GET', url: '/v2/account-info', remoteAddress: options.ip ?? '198.51.100.1',
      headers: {
        ...(options.header === 'x-api-key' ? { 'x-api-key': key } : { authorization: `Bearer ${key}` }),
        ...(options.application ? { 'x-application': options.application } : {}),
        ...(options.userAgent ? { 'user-agent': options.userAgent } : {}),
      },
    });

  it('POST …/keys -> 201 returns the key once, in the au_key_ format with a valid checksum, with Cache-Control no-store', async () => {
    const user = await createApiUser();
    const expiresAt = new Date(clock.now().getTime() + 30 * 24 * HOUR).toISOString();
    const response = await as(t.app, owner, { method: 'POST', url: keysUrl(user.id), payload: { name: 'magento production', expires_at: expiresAt } });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    const created = response.json();
    assert.match(created.key, KEY_FORMAT);
    assert.deepEqual(parseCredential(created.key), { kind: 'key' });
    assert.equal(created.hint, `${created.key.slice(0, 7)}…${created.key.slice(-4)}`);
    assert.equal(created.name, 'magento production');
    assert.equal(created.status, 'active');
    assert.equal(created.expires_at, expiresAt);
    assert.notEqual((await createKey(user.id)).key, created.key, 'each key is new');
  });

  it('GET …/keys -> 200 never contains the key or a hash; shows hint, name, status active, expires_at', async () => {
    const user = await createApiUser();
    const expiresAt = new Date(clock.now().getTime() + 90 * 24 * HOUR).toISOString();
    const created = await createKey(user.id, { name: 'listed key', expires_at: expiresAt });
    const response = await as(t.app, owner, { method: 'GET', url: keysUrl(user.id) });
    assert.equal(response.statusCode, 200, response.body);
    assert.ok(!response.body.includes(created.key), 'the key is never listed');
    assert.ok(!response.body.includes(created.key.slice(7, -4)), 'nor any part of it beyond the hint');
    const [entry] = response.json().data;
    assert.equal(entry.id, created.id);
    assert.equal(entry.key, undefined);
    assert.equal(entry.secret_hash, undefined);
    const stored = await t.deps.db.selectFrom('credentials').select('secret_hash').where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.ok(!response.body.includes(stored.secret_hash), 'the stored hash is never listed');
    assert.equal(entry.hint, `au_key_…${created.key.slice(-4)}`);
    assert.equal(entry.name, 'listed key');
    assert.equal(entry.status, 'active');
    assert.equal(entry.expires_at, expiresAt);
    assert.equal(entry.last_used_at, null);
  });

  it('the credentials row stores a hash and a hint, never the key', async () => {
    const user = await createApiUser();
    const created = await createKey(user.id);
    const row = await t.deps.db.selectFrom('credentials').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    const text = JSON.stringify(row);
    assert.ok(!text.includes(created.key), 'no plaintext key');
    assert.ok(!text.includes(created.key.slice(7, -4)), 'no part of the secret beyond the hint');
    assert.equal(row.kind, 'api_key');
    assert.equal(row.hint, created.hint);
    assert.ok(row.secret_hash.length >= 32, `a hash is stored: ${row.secret_hash}`);
  });

  it('the key authenticates GET /v2/account-info as Authorization: Bearer and as X-API-Key -> 200', async () => {
    const user = await createApiUser();
    const { key } = await createKey(user.id);
    for (const header of ['bearer', 'x-api-key'] as const) {
      const response = await accountInfo(key, { header });
      assert.equal(response.statusCode, 200, `${header}: ${response.body}`);
      assert.equal(response.json().api_user.id, user.id);
      assert.deepEqual(response.json().application, { key: 'httpapi' });
    }
  });

  it('an HttpApi-only user\'s key with X-Application: salesforce -> 403 application_not_assigned', async () => {
    const user = await createApiUser(['httpapi']);
    const { key } = await createKey(user.id);
    assertProblem(await accountInfo(key, { application: 'salesforce' }), 403, 'application_not_assigned');
    assert.equal((await accountInfo(key, { application: 'httpapi' })).statusCode, 200);
  });

  it('a key with a flipped last character -> 401 credential.malformed (refused by its checksum, not looked up)', async () => {
    const user = await createApiUser();
    const { key } = await createKey(user.id);
    const mistyped = flipLastCharacter(key);
    assert.notEqual(mistyped, key);
    for (const header of ['bearer', 'x-api-key'] as const) {
      const response = await accountInfo(mistyped, { header });
      assertProblem(response, 401, 'credential.malformed');
      assert.match(String(response.headers['www-authenticate']), /^Bearer .*error="invalid_token"/);
    }
  });

  it('a well-formed key that was never issued -> 401 credential.invalid', async () => {
    assertProblem(await accountInfo(generateCredential('key')), 401, 'credential.invalid');
  });

  it('DELETE …/keys/:key -> 204; the key is refused on the very next request even after a cached 200 -> 401 credential.revoked', async () => {
    const user = await createApiUser();
    const { id, key } = await createKey(user.id);
    const spare = await createKey(user.id, { name: 'spare' });
    assert.equal((await accountInfo(key)).statusCode, 200);
    assert.equal((await accountInfo(key)).statusCode, 200, 'the second call is served from the verification cache');

    const revoked = await revoke(user.id, id);
    assert.equal(revoked.statusCode, 204, revoked.body);
    assertProblem(await accountInfo(key), 401, 'credential.revoked');
    assertProblem(await accountInfo(key, { header: 'x-api-key' }), 401, 'credential.revoked');
    assert.equal((await accountInfo(spare.key)).statusCode, 200, 'the user\'s other keys still work');

    const listed = (await listKeys(user.id)).find((k) => k.id === id)!;
    assert.equal(listed.status, 'revoked');
    assert.equal(listed.revoked_at, clock.now().toISOString());
    assertProblem(await revoke(user.id, id), 404, 'api_key.not_found');
  });

  it('revoked through one instance -> a second instance that had the key cached answers 401 credential.revoked too', {
    skip: postgresUrl() ? false : 'several instances share a database only on PostgreSQL',
  }, async () => {
    const cache = new VerificationCache();
    const bus = new PostgresInvalidationBus({ db: t.deps.db, url: postgresUrl()!, cache });
    await bus.start();
    const second = await buildApp({ ...t.deps, verificationCache: cache, invalidation: bus }, { logger: false });
    try {
      const user = await createApiUser();
      const { id, key } = await createKey(user.id);
      const callSecond = () => second.inject({ method: 'GET', url: '/v2/account-info', headers: { authorization: `Bearer ${key}` } });
      assert.equal((await callSecond()).statusCode, 200);
      assert.equal((await callSecond()).statusCode, 200, 'cached by the second instance');
      assert.equal((await revoke(user.id, id)).statusCode, 204);
      // NOTIFY reaches the other instance asynchronously: allow it 2 s, far below the cache TTL.
      let response = await callSecond();
      for (let i = 0; i < 200 && response.statusCode === 200; i++) {
        await sleep(10);
        response = await callSecond();
      }
      assertProblem(response, 401, 'credential.revoked');
    } finally {
      await second.close();
      await bus.stop();
    }
  });

  it('a key past its expires_at -> 401 credential.expired, also right after a cached 200', async () => {
    const user = await createApiUser();
    const { id, key } = await createKey(user.id, { name: 'one hour', expires_at: new Date(clock.now().getTime() + HOUR).toISOString() });
    assert.equal((await accountInfo(key)).statusCode, 200);
    assert.equal((await accountInfo(key)).statusCode, 200, 'cached');
    clock.advance(61 * 60_000);
    assertProblem(await accountInfo(key), 401, 'credential.expired');
    assertProblem(await accountInfo(key, { header: 'x-api-key' }), 401, 'credential.expired');
    assert.equal((await listKeys(user.id)).find((k) => k.id === id)!.status, 'expired');
  });

  it('POST …/keys with expires_at in the past -> 400', async () => {
    const user = await createApiUser();
    const response = await as(t.app, owner, { method: 'POST', url: keysUrl(user.id), payload: { name: 'late', expires_at: new Date(clock.now().getTime() - 1000).toISOString() } });
    assert.equal(response.statusCode, 400, response.body);
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
  });

  it('user disabled after a cached 200 -> 403 auth.account_disabled at once; enabled again -> 200', async () => {
    const user = await createApiUser();
    const { key } = await createKey(user.id);
    assert.equal((await accountInfo(key)).statusCode, 200);
    assert.equal((await accountInfo(key)).statusCode, 200, 'cached');
    await change(user.id, { status: 'disabled' });
    assertProblem(await accountInfo(key), 403, 'auth.account_disabled');
    await change(user.id, { status: 'enabled' });
    assert.equal((await accountInfo(key)).statusCode, 200);
  });

  it('user deleted after a cached 200 -> 401 at once', async () => {
    const user = await createApiUser();
    const { key } = await createKey(user.id);
    assert.equal((await accountInfo(key)).statusCode, 200);
    assert.equal((await accountInfo(key)).statusCode, 200, 'cached');
    const etag = (await as(t.app, owner, { method: 'GET', url: usersUrl(user.id) })).headers.etag as string;
    const removed = await as(t.app, owner, { method: 'DELETE', url: `${usersUrl(user.id)}?confirm=true`, headers: { 'if-match': etag } });
    assert.equal(removed.statusCode, 204, removed.body);
    assertProblem(await accountInfo(key), 401, 'credential.invalid');
  });

  it('the 11th live key -> 409 api_key.limit_reached; after revoking one -> 201', async () => {
    const user = await createApiUser();
    const keys: NewKey[] = [];
    for (let i = 1; i <= 10; i++) keys.push(await createKey(user.id, { name: `key ${i}` }));
    const eleventh = await as(t.app, owner, { method: 'POST', url: keysUrl(user.id), payload: { name: 'key 11' } });
    assertProblem(eleventh, 409, 'api_key.limit_reached');
    assert.equal((await listKeys(user.id)).length, 10, 'the refused key was not stored');
    assert.equal((await revoke(user.id, keys[0]!.id)).statusCode, 204);
    const again = await as(t.app, owner, { method: 'POST', url: keysUrl(user.id), payload: { name: 'key 11' } });
    assert.equal(again.statusCode, 201, again.body);
  });

  it('POST …/roll -> 201 new key; the old one is expiring for 24 h, both work until then, then the old one 401 credential.expired', async () => {
    const user = await createApiUser();
    const old = await createKey(user.id, { name: 'to roll' });
    assert.equal((await accountInfo(old.key)).statusCode, 200, 'cached before the roll');
    const rolledAt = clock.now();
    const response = await roll(user.id, old.id);
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.headers['cache-control'], 'no-store');
    const rolled = response.json();
    assert.match(rolled.key, KEY_FORMAT);
    assert.deepEqual(parseCredential(rolled.key), { kind: 'key' });
    assert.notEqual(rolled.key, old.key);
    assert.equal(rolled.name, 'to roll');
    assert.equal(rolled.status, 'active');
    assert.equal(rolled.previous.id, old.id);
    assert.equal(rolled.previous.status, 'expiring');
    assert.equal(rolled.previous.replaced_by, rolled.id);
    assert.equal(rolled.previous.expires_at, new Date(rolledAt.getTime() + 24 * HOUR).toISOString());

    clock.advance(23 * HOUR);
    assert.equal((await accountInfo(old.key)).statusCode, 200, 'the old key works during the grace period');
    assert.equal((await accountInfo(rolled.key)).statusCode, 200);
    clock.advance(HOUR + 1000);
    assertProblem(await accountInfo(old.key), 401, 'credential.expired');
    assert.equal((await accountInfo(rolled.key)).statusCode, 200);
  });

  it('POST …/roll with old_key_valid_until -> the old key works until exactly then, then 401 credential.expired', async () => {
    const user = await createApiUser();
    const old = await createKey(user.id);
    const until = new Date(clock.now().getTime() + 2 * HOUR).toISOString();
    const response = await roll(user.id, old.id, { old_key_valid_until: until, name: 'rolled by hand' });
    assert.equal(response.statusCode, 201, response.body);
    const rolled = response.json();
    assert.equal(rolled.previous.expires_at, until);
    assert.equal(rolled.name, 'rolled by hand');

    clock.advance(2 * HOUR - 1000);
    assert.equal((await accountInfo(old.key)).statusCode, 200);
    assert.equal((await accountInfo(rolled.key)).statusCode, 200);
    clock.advance(2000);
    assertProblem(await accountInfo(old.key), 401, 'credential.expired');
    assert.equal((await accountInfo(rolled.key)).statusCode, 200);
  });

  it('rolling an already-rolled or a revoked key -> 404 api_key.not_found', async () => {
    const user = await createApiUser();
    const rolledOnce = await createKey(user.id);
    assert.equal((await roll(user.id, rolledOnce.id)).statusCode, 201);
    assertProblem(await roll(user.id, rolledOnce.id), 404, 'api_key.not_found');

    const revoked = await createKey(user.id);
    assert.equal((await revoke(user.id, revoked.id)).statusCode, 204);
    assertProblem(await roll(user.id, revoked.id), 404, 'api_key.not_found');
  });

  it('after a call GET …/keys shows last use (time, IP, user agent, application); a second call within a minute does not rewrite it', async () => {
    const user = await createApiUser(['httpapi', 'salesforce']);
    const { id, key } = await createKey(user.id);
    const lastUse = async () => (await listKeys(user.id)).find((k) => k.id === id)!;
    /** Written off the request path: poll (up to 2 s) for it to land. */
    const eventually = async (at: string) => {
      for (let i = 0; i < 200 && (await lastUse()).last_used_at !== at; i++) await sleep(10);
      return lastUse();
    };
    assert.equal((await lastUse()).last_used_at, null);

    const firstAt = clock.now().toISOString();
    const first = await accountInfo(key, { application: 'salesforce', userAgent: 'magento-connector/2.4', ip: '203.0.113.7' });
    assert.equal(first.statusCode, 200, first.body);
    const used = await eventually(firstAt);
    assert.equal(used.last_used_at, firstAt);
    assert.equal(used.last_used_ip, '203.0.113.7');
    assert.equal(used.last_used_user_agent, 'magento-connector/2.4');
    assert.equal(used.last_used_application, 'salesforce');

    clock.advance(30_000);
    assert.equal((await accountInfo(key, { application: 'httpapi', userAgent: 'other-agent/1.0', ip: '203.0.113.8' })).statusCode, 200);
    await sleep(100);
    const unchanged = await lastUse();
    assert.equal(unchanged.last_used_at, firstAt, 'not rewritten within a minute');
    assert.equal(unchanged.last_used_user_agent, 'magento-connector/2.4');

    clock.advance(31_000);
    const laterAt = clock.now().toISOString();
    assert.equal((await accountInfo(key, { application: 'httpapi', userAgent: 'other-agent/1.0', ip: '203.0.113.8' })).statusCode, 200);
    const rewritten = await eventually(laterAt);
    assert.equal(rewritten.last_used_at, laterAt);
    assert.equal(rewritten.last_used_ip, '203.0.113.8');
    assert.equal(rewritten.last_used_application, 'httpapi');
  });

  it('a Viewer -> 200 on GET …/keys, 403 auth.forbidden on create, roll and revoke', async () => {
    const viewer = await addAdministrator(t, owner, 'viewer');
    const user = await createApiUser();
    const existing = await createKey(user.id);
    const listed = await as(t.app, viewer, { method: 'GET', url: keysUrl(user.id) });
    assert.equal(listed.statusCode, 200, listed.body);
    assert.deepEqual(listed.json().data.map((k: { id: string }) => k.id), [existing.id]);

    assertProblem(await as(t.app, viewer, { method: 'POST', url: keysUrl(user.id), payload: { name: 'sneaky' } }), 403, 'auth.forbidden');
    assertProblem(await as(t.app, viewer, { method: 'POST', url: `${keysUrl(user.id, existing.id)}/roll`, payload: {} }), 403, 'auth.forbidden');
    assertProblem(await as(t.app, viewer, { method: 'DELETE', url: keysUrl(user.id, existing.id) }), 403, 'auth.forbidden');
    const after = await listKeys(user.id);
    assert.deepEqual(after.map((k) => [k.id, k.status]), [[existing.id, 'active']], 'nothing changed');
  });

  it('another organization\'s owner -> 404 on list, create, roll and revoke; the key keeps working', async () => {
    const other = await setupOrganization(t, { name: 'Other' });
    const user = await createApiUser();
    const existing = await createKey(user.id);
    const theirOrgUrl = `/v1/organizations/${other.organizationId}/api-users/${user.id}/keys`;
    for (const base of [keysUrl(user.id), theirOrgUrl]) {
      const requests = [
        as(t.app, other, { method: 'GET', url: base }),
        as(t.app, other, { method: 'POST', url: base, payload: { name: 'intruder' } }),
        as(t.app, other, { method: 'POST', url: `${base}/${existing.id}/roll`, payload: {} }),
        as(t.app, other, { method: 'DELETE', url: `${base}/${existing.id}` }),
      ];
      for (const response of await Promise.all(requests)) {
        assert.equal(response.statusCode, 404, `${base}: ${response.body}`);
        assert.match(String(response.headers['content-type']), /^application\/problem\+json/);
      }
    }
    assert.deepEqual((await listKeys(user.id)).map((k) => [k.id, k.status, k.replaced_by]), [[existing.id, 'active', null]]);
    assert.equal((await accountInfo(existing.key)).statusCode, 200);
  });

  it('audit events api_key.created, api_key.rolled and api_key.revoked are recorded and never contain a key', async () => {
    const user = await createApiUser();
    const created = await createKey(user.id, { name: 'audited' });
    const rolledResponse = await roll(user.id, created.id);
    assert.equal(rolledResponse.statusCode, 201, rolledResponse.body);
    const rolled = rolledResponse.json();
    assert.equal((await revoke(user.id, rolled.id)).statusCode, 204);

    const expected: Array<[string, string]> = [['api_key.created', created.id], ['api_key.rolled', rolled.id], ['api_key.revoked', rolled.id]];
    for (const [action, targetId] of expected) {
      const response = await as(t.app, owner, { method: 'GET', url: `/v1/organizations/${owner.organizationId}/audit-events?action=${action}&target_id=${targetId}` });
      assert.equal(response.statusCode, 200, response.body);
      const [event, ...rest] = response.json().data;
      assert.ok(event, `${action} for ${targetId}`);
      assert.equal(rest.length, 0);
      assert.deepEqual(event.target, { type: 'api_key', id: targetId });
      assert.equal(event.actor.id, owner.id);
      assert.equal(event.data.api_user_id, user.id);
      for (const secret of [created.key, rolled.key]) {
        assert.ok(!response.body.includes(secret), `${action} does not contain a key`);
        assert.ok(!response.body.includes(secret.slice(7, -4)), `${action} does not contain part of a key`);
      }
    }
    const stored = await t.deps.db.selectFrom('audit_events').selectAll().execute();
    const text = JSON.stringify(stored);
    for (const secret of [created.key, rolled.key]) assert.ok(!text.includes(secret.slice(7, -4)), 'no key in the audit table');
  });
});
